"""A loopback stand-in for the ECB's eurofxref-daily.xml, for import tests.

`ecb_server` serves tests/data/ecb-eurofxref-sample.xml at `/eurofxref-daily.xml`
and points ECB_RATES_URL at it; set `.body` or `.status` to serve something else.
Load it with `pytest_plugins = ["tests.ecb_server"]`.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.loopback import LoopbackServer

ECB_SAMPLE = (Path(__file__).resolve().parent / "data" / "ecb-eurofxref-sample.xml").read_bytes()


class FakeEcb(LoopbackServer):
    """The running server: its URL, what it serves, and the paths it was asked for."""

    def __init__(self) -> None:
        super().__init__()
        self.url = f"{self.base_url}/eurofxref-daily.xml"
        self.body = ECB_SAMPLE
        self.status = 200
        self.requests: list[str] = []

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        """The daily file (or whatever a test set), 404 for any other path."""
        self.requests.append(path)
        if method == "GET" and path == "/eurofxref-daily.xml":
            return self.status, "text/xml", self.body
        return 404, "text/xml", b"Not Found"


@pytest.fixture
def ecb_server(app):
    """A loopback ECB; ECB_RATES_URL points at it for this test."""
    saved = app.config["ECB_RATES_URL"]
    with FakeEcb() as fake:
        app.config["ECB_RATES_URL"] = fake.url
        try:
            yield fake
        finally:
            app.config["ECB_RATES_URL"] = saved


@pytest.fixture
def closed_port_url():
    """A loopback URL nothing listens on (the port was just freed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/eurofxref-daily.xml"
