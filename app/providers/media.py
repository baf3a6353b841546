"""Media storage: a local folder by default, any S3-compatible store (S3, MinIO, R2) in production.

Keys are content-addressed in practice (a random stem per upload, never rewritten), so
both backends hand them out with a year-long, immutable cache lifetime.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from flask import Flask, current_app, url_for

from config import ConfigurationError, media_settings_problem

log = logging.getLogger(__name__)

_boto_session: Any = None
_session_lock = threading.Lock()

# Every key is written once (a new upload gets a new random key), so caches may keep it.
CACHE_CONTROL = "public, max-age=31536000, immutable"


class MediaStoreError(Exception):
    """The store refused the operation or could not be reached."""


@dataclass(frozen=True)
class StoredObject:
    """What the store holds under a key: its size and, for S3, its ETag."""

    size: int
    etag: str | None = None


class MediaStorage(Protocol):
    """Stores bytes under a key and tells their URL."""

    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (overwriting); MediaStoreError if the store refuses."""

    def delete(self, key: str) -> None:
        """Remove `key` if present (a failure is logged, never raised)."""

    def read(self, key: str) -> bytes:
        """The bytes stored under `key`; FileNotFoundError if there are none."""

    def url(self, key: str) -> str:
        """The URL a browser fetches `key` from."""


class LocalMediaStorage:
    """Files under MEDIA_ROOT, served by the app at /media/<key>."""

    def __init__(self, root: str) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("media key escapes the media root")
        return path

    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Write the file atomically (temporary file, then rename)."""
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(path.suffix + ".part")
            tmp.write_bytes(data)
            tmp.replace(path)
        except OSError as exc:  # disk full, read-only or missing folder
            raise MediaStoreError(f"could not write {key}: {exc}") from exc

    def delete(self, key: str) -> None:
        """Remove the file if it exists."""
        try:
            self._path(key).unlink(missing_ok=True)
        except OSError as exc:
            log.warning("media: could not delete %s: %s", key, exc)

    def read(self, key: str) -> bytes:
        """The file's bytes (moderation screens stored images)."""
        return self._path(key).read_bytes()

    def url(self, key: str) -> str:
        """The app's own /media route."""
        return url_for("main.media", key=key)

    def files(self) -> Iterator[tuple[str, Path]]:
        """Every stored file as (key, path), in key order; unfinished `.part` files skipped."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file() and not path.name.endswith(".part"):
                yield path.relative_to(self.root).as_posix(), path


class S3MediaStorage:
    """Objects in one bucket of an S3-compatible store, read by browsers straight from it."""

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str = "",
        region: str = "us-east-1",
        access_key_id: str = "",
        secret_access_key: str = "",
        url_mode: str = "public",
        public_base_url: str = "",
        signed_url_seconds: int = 3600,
        timeout_seconds: float = 10,
        max_attempts: int = 3,
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url.rstrip("/")
        self.region = region
        self.url_mode = url_mode
        self.public_base_url = public_base_url.rstrip("/")
        self.signed_url_seconds = signed_url_seconds
        self._credentials = (access_key_id, secret_access_key)
        self._timeout = timeout_seconds
        self._max_attempts = max_attempts
        self._client: Any = None
        self._lock = threading.Lock()
        # Presigned URLs are reused for half their lifetime, so a page keeps the same image
        # URLs between views (browser caches and page ETags stay valid) and signing is rare.
        self._signed: dict[str, tuple[str, float]] = {}

    @property
    def client(self) -> Any:
        """The boto3 S3 client, built on first use (boto3 clients are thread-safe)."""
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._build_client()
        return self._client

    def _build_client(self) -> Any:
        import boto3
        from botocore.config import Config as BotoConfig

        key_id, secret = self._credentials
        config = BotoConfig(
            region_name=self.region,
            signature_version="s3v4",
            connect_timeout=self._timeout,
            read_timeout=self._timeout,
            retries={"max_attempts": self._max_attempts, "mode": "standard"},
            # MinIO and most self-hosted stores only answer path-style requests.
            s3={"addressing_style": "path" if self.endpoint_url else "auto"},
            # Newer boto3 adds CRC checksums to every PUT, which some S3-compatible stores
            # (older MinIO, R2 at times) refuse; only send them where S3 requires them.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        global _boto_session
        with _session_lock:  # boto3 sessions are not thread-safe; one is shared for its caches
            if _boto_session is None:
                _boto_session = boto3.session.Session()
            return _boto_session.client(
                "s3", endpoint_url=self.endpoint_url or None, config=config,
                aws_access_key_id=key_id or None, aws_secret_access_key=secret or None)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        """PUT the object with its Content-Type and an immutable Cache-Control."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=data,
                                   ContentType=content_type, CacheControl=CACHE_CONTROL)
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreError(f"could not upload {key} to bucket {self.bucket}: "
                                  f"{_reason(exc)}") from exc

    def delete(self, key: str) -> None:
        """DELETE the object (absent is fine); a failure leaves an orphan and a warning."""
        from botocore.exceptions import BotoCoreError, ClientError

        self._signed.pop(key, None)
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except (BotoCoreError, ClientError) as exc:
            log.warning("media: could not delete %s from bucket %s: %s", key, self.bucket,
                        _reason(exc))

    def read(self, key: str) -> bytes:
        """The object's bytes (for checks and tools; browsers fetch `url(key)`)."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreError(f"could not read {key}: {_reason(exc)}") from exc

    def stat(self, key: str) -> StoredObject | None:
        """Size and ETag of `key`, or None if the bucket has no such object."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            head = self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise MediaStoreError(f"could not look up {key}: {_reason(exc)}") from exc
        except BotoCoreError as exc:
            raise MediaStoreError(f"could not look up {key}: {_reason(exc)}") from exc
        return StoredObject(size=head["ContentLength"], etag=head.get("ETag", "").strip('"'))

    def url(self, key: str) -> str:
        """A public URL, or a presigned GET valid for MEDIA_SIGNED_URL_SECONDS."""
        if self.url_mode == "signed":
            return self._signed_url(key)
        if self.public_base_url:
            return f"{self.public_base_url}/{quote(key)}"
        if self.endpoint_url:
            return f"{self.endpoint_url}/{self.bucket}/{quote(key)}"
        return f"https://{self.bucket}.s3.{self.region}.amazonaws.com/{quote(key)}"

    def _signed_url(self, key: str) -> str:
        now = time.monotonic()
        cached = self._signed.get(key)
        if cached and cached[1] > now:
            return cached[0]
        signed = self.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=self.signed_url_seconds)
        if len(self._signed) >= 20_000:  # a crude bound: start over rather than grow
            self._signed.clear()
        self._signed[key] = (signed, now + self.signed_url_seconds / 2)
        return signed


def _reason(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    error = response.get("Error", {}) if isinstance(response, dict) else {}
    if error:
        return f"{error.get('Code')}: {error.get('Message', '')}".strip()
    return str(exc)


def storage_from_settings(settings: Mapping[str, Any]) -> MediaStorage:
    """The backend MEDIA_STORAGE names, configured from `settings` (a Flask config)."""
    problem = media_settings_problem(settings)
    if problem:
        raise ConfigurationError(problem)
    if settings.get("MEDIA_STORAGE", "local") == "s3":
        return S3MediaStorage(
            bucket=settings["MEDIA_S3_BUCKET"],
            endpoint_url=settings.get("MEDIA_S3_ENDPOINT_URL", ""),
            region=settings.get("MEDIA_S3_REGION") or "us-east-1",
            access_key_id=settings.get("MEDIA_S3_ACCESS_KEY_ID", ""),
            secret_access_key=settings.get("MEDIA_S3_SECRET_ACCESS_KEY", ""),
            url_mode=settings.get("MEDIA_URL_MODE", "public"),
            public_base_url=settings.get("MEDIA_S3_PUBLIC_BASE_URL", ""),
            signed_url_seconds=settings.get("MEDIA_SIGNED_URL_SECONDS", 3600),
            timeout_seconds=settings.get("MEDIA_S3_TIMEOUT_SECONDS", 10),
        )
    return LocalMediaStorage(settings["MEDIA_ROOT"])


def init_media(app: Flask) -> None:
    """Choose the storage backend (MEDIA_STORAGE=local|s3)."""
    app.extensions["qiao_media"] = storage_from_settings(app.config)


def media_storage() -> MediaStorage:
    """The current app's media storage."""
    return current_app.extensions["qiao_media"]


def media_url(key: str | None) -> str | None:
    """The URL of a stored file: the app's /media route, the bucket's, a CDN's or a signed one."""
    return media_storage().url(key) if key else None


@dataclass
class MigrationReport:
    """What `flask media migrate` did (or, in a dry run, would do)."""

    copied: int = 0
    skipped: int = 0
    failed: list[str] = field(default_factory=list)
    bytes_copied: int = 0


CONTENT_TYPES = {".webp": "image/webp", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                 ".png": "image/png", ".gif": "image/gif", ".pdf": "application/pdf"}


def migrate_local_media(source: LocalMediaStorage, target: S3MediaStorage, *,
                        dry_run: bool = False) -> MigrationReport:
    """Copy every local file into the bucket under the same key.

    Idempotent: a key the bucket already holds with the same size and ETag (the MD5 of a
    single-part upload) is skipped, so an interrupted run can simply be started again.
    """
    report = MigrationReport()
    for key, path in source.files():
        data = path.read_bytes()
        existing = target.stat(key)
        if existing is not None and existing.size == len(data) and (
                existing.etag == hashlib.md5(data, usedforsecurity=False).hexdigest()
                or "-" in (existing.etag or "")):  # multipart ETags are not an MD5
            report.skipped += 1
            continue
        if not dry_run:
            content_type = CONTENT_TYPES.get(path.suffix.lower(), "application/octet-stream")
            try:
                target.save(key, data, content_type)
            except MediaStoreError as exc:
                log.warning("media migrate: %s", exc)
                report.failed.append(key)
                continue
        report.copied += 1
        report.bytes_copied += len(data)
    return report
