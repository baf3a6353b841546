"""Media storage: a local folder by default; S3-compatible storage fits the same interface."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from flask import Flask, current_app, url_for


class MediaStorage(Protocol):
    """Stores bytes under a key and tells their public URL."""

    def save(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (overwriting)."""

    def delete(self, key: str) -> None:
        """Remove `key` if present."""

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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(path)

    def delete(self, key: str) -> None:
        """Remove the file if it exists."""
        self._path(key).unlink(missing_ok=True)

    def read(self, key: str) -> bytes:
        """The file's bytes (moderation screens stored images)."""
        return self._path(key).read_bytes()

    def url(self, key: str) -> str:
        """The app's own /media route."""
        return url_for("main.media", key=key)


def init_media(app: Flask) -> None:
    """Choose the storage backend (MEDIA_BACKEND); only `local` ships so far."""
    app.extensions["qiao_media"] = LocalMediaStorage(app.config["MEDIA_ROOT"])


def media_storage() -> MediaStorage:
    """The current app's media storage."""
    return current_app.extensions["qiao_media"]
