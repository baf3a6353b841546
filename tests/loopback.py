"""A real HTTP server on loopback for provider tests: each stand-in says how to answer.

A stand-in subclasses `LoopbackServer` and implements `answer(method, path, body)`,
returning `(status, content_type, bytes)`; `json_answer` builds the common JSON case.
Use it as a context manager: the server runs on a free port until the block ends.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def json_answer(status: int, payload: Any) -> tuple[int, str, bytes]:
    """A JSON answer for `LoopbackServer.answer`."""
    return status, "application/json", json.dumps(payload).encode()


class LoopbackServer:
    """A threading HTTP server on 127.0.0.1 that delegates every request to `answer`."""

    def __init__(self) -> None:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.last_headers = dict(self.headers)
                status, content_type, data = outer.answer(self.command, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _handle  # noqa: N815 - http.server's naming

            def log_message(self, *args) -> None:  # keep test output quiet
                pass

        self.last_headers: dict[str, str] = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, str, bytes]:
        """The status, content type and body for one request."""
        raise NotImplementedError

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.server.shutdown()
        self.server.server_close()
