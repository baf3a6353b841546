"""A loopback S3 server for the object-storage tests: moto's server mode on 127.0.0.1.

moto stores and serves objects like S3, but (in 5.x) it does not refuse a presigned URL
past its expiry, and it cannot be told to refuse an upload. A thin WSGI layer in front of
it adds both, as S3 answers them: `403 AccessDenied` "Request has expired" once the clock
passes X-Amz-Date + X-Amz-Expires, and `403 AccessDenied` for PUTs of refused keys (what a
bucket policy or a read-only key gives). The test moves the store's clock with `advance()`.

Load with `pytest_plugins = ["tests.s3_server"]`; fixtures: `s3_server` (one per session),
`s3_bucket` (a fresh bucket per test), `s3_storage` (an S3MediaStorage on that bucket,
installed as the app's media storage for the test).
"""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from urllib.parse import parse_qs

import boto3
import pytest
from botocore.config import Config as BotoConfig
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from moto.server import ThreadedMotoServer
from werkzeug.serving import make_server

from app.providers.media import S3MediaStorage

ACCESS_KEY = "qiao-test-key"
SECRET_KEY = "qiao-test-secret"
REGION = "us-east-1"
_bucket_numbers = itertools.count(1)

ERROR_XML = ('<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code>'
             "<Message>{message}</Message></Error>")


class _S3Rules:
    """WSGI middleware: S3's expiry of presigned URLs and refused uploads, then moto."""

    def __init__(self, app, server: S3Server) -> None:
        self.app = app
        self.server = server

    def __call__(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        path = environ.get("PATH_INFO", "")
        if "X-Amz-Expires" in query and "X-Amz-Date" in query:
            signed_at = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
            expires_at = signed_at.replace(tzinfo=UTC).timestamp() + int(query["X-Amz-Expires"][0])
            if self.server.now() > expires_at:
                return self._deny(start_response, "Request has expired")
        if environ["REQUEST_METHOD"] == "PUT" and path.count("/") > 1:  # an object, no bucket
            if any(path.endswith(suffix) for suffix in self.server.refused_suffixes):
                return self._deny(start_response, "Access Denied")
            if self.server.uploads_left is not None:
                if self.server.uploads_left <= 0:
                    return self._deny(start_response, "Access Denied")
                self.server.uploads_left -= 1
        return self.app(environ, start_response)

    @staticmethod
    def _deny(start_response, message: str):
        body = ERROR_XML.format(message=message).encode()
        start_response("403 Forbidden", [("Content-Type", "application/xml"),
                                         ("Content-Length", str(len(body)))])
        return [body]


class S3Server(ThreadedMotoServer):
    """ThreadedMotoServer on a free loopback port, with the rules above in front."""

    def __init__(self) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self.clock_offset = 0.0
        self.refused_suffixes: tuple[str, ...] = ()
        self.uploads_left: int | None = None  # refuse every object PUT after this many
        self._client = None

    def _server_entry(self) -> None:
        app = _S3Rules(DomainDispatcherApplication(create_backend_app), self)
        self._server = make_server(self._ip_address, self._port, app, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()

    @property
    def endpoint_url(self) -> str:
        host, port = self.get_host_and_port()
        return f"http://{host}:{port}"

    def now(self) -> float:
        return time.time() + self.clock_offset

    def advance(self, seconds: float) -> None:
        """Move the store's clock forward (presigned URLs expire by it)."""
        self.clock_offset += seconds

    def client(self):
        """An admin client for the test's own checks (one, built once)."""
        if self._client is None:
            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=REGION,
                aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
                config=BotoConfig(signature_version="s3v4", s3={"addressing_style": "path"}))
        return self._client

    def storage(self, bucket: str, **options) -> S3MediaStorage:
        return S3MediaStorage(bucket=bucket, endpoint_url=self.endpoint_url, region=REGION,
                              access_key_id=ACCESS_KEY, secret_access_key=SECRET_KEY,
                              timeout_seconds=5, max_attempts=1, **options)

    def keys(self, bucket: str) -> list[str]:
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listing.get("Contents", []))


@pytest.fixture(scope="session")
def s3_server():
    server = S3Server()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> str:
    name = f"qiao-media-{next(_bucket_numbers)}"
    s3_server.client().create_bucket(Bucket=name)
    yield name
    s3_server.clock_offset = 0.0
    s3_server.refused_suffixes = ()
    s3_server.uploads_left = None


@pytest.fixture
def s3_storage(app, s3_server, s3_bucket, monkeypatch) -> S3MediaStorage:
    """The bucket as the app's media storage for this test (public URLs unless changed)."""
    storage = s3_server.storage(s3_bucket)
    monkeypatch.setitem(app.extensions, "qiao_media", storage)
    return storage
