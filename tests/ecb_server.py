"""A loopback stand-in for the ECB's eurofxref-daily.xml, for import tests.

`ecb_server` serves tests/data/ecb-eurofxref-sample.xml at `/eurofxref-daily.xml`
and points ECB_RATES_URL at it; set `.body` or `.status` to serve something else.
Load it with `pytest_plugins = ["tests.ecb_server"]`.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ECB_SAMPLE = (Path(__file__).resolve().parent / "data" / "ecb-eurofxref-sample.xml").read_bytes()


class FakeEcb:
    """The running server: its URL, what it serves, and the paths it was asked for."""

    def __init__(self) -> None:
        self.body = ECB_SAMPLE
        self.status = 200
        self.requests: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                outer.requests.append(self.path)
                found = self.path == "/eurofxref-daily.xml"
                body = outer.body if found else b"Not Found"
                self.send_response(outer.status if found else 404)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/eurofxref-daily.xml"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def ecb_server(app):
    """A loopback ECB; ECB_RATES_URL points at it for this test."""
    fake = FakeEcb()
    fake.thread.start()
    saved = app.config["ECB_RATES_URL"]
    app.config["ECB_RATES_URL"] = fake.url
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()
        app.config["ECB_RATES_URL"] = saved


@pytest.fixture
def closed_port_url():
    """A loopback URL nothing listens on (the port was just freed)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = server.server_address[1]
    server.server_close()
    return f"http://127.0.0.1:{port}/eurofxref-daily.xml"
