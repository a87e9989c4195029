"""A one-page HTTP server on 127.0.0.1 that notes when the browser reports its first paint.

The page (``kiosk_home.html``) fetches ``/painted`` two animation frames after load; the server stamps
that request with ``time.monotonic()``, the same clock the benchmark uses to time the browser's launch.
"""

from __future__ import annotations

import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType

PAGE_PATH = Path(__file__).with_name("kiosk_home.html")


class PaintServer:
    """Serves the page at ``/`` and records the first ``/painted`` request; use as a context manager."""

    def __init__(self, page: bytes | None = None) -> None:
        self._page = page if page is not None else PAGE_PATH.read_bytes()
        self._painted = threading.Event()
        self.painted_at: float | None = None
        """``time.monotonic()`` when ``/painted`` first arrived."""
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="paint-server", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    def wait_painted(self, timeout_s: float) -> float | None:
        """The time of the paint report, or None if none came within ``timeout_s``."""
        self._painted.wait(timeout_s)
        return self.painted_at

    def _mark_painted(self) -> None:
        if not self._painted.is_set():
            self.painted_at = time.monotonic()
            self._painted.set()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path == "/painted":
                    # Stamp before answering so the figure does not include our own response time.
                    server._mark_painted()
                    self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")
                elif self.path == "/":
                    self._send(HTTPStatus.OK, server._page, "text/html; charset=utf-8")
                else:
                    self._send(HTTPStatus.NOT_FOUND, b"", "text/plain")

            def _send(self, status: HTTPStatus, body: bytes, content_type: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # one line per request would drown the table

        return Handler

    def __enter__(self) -> PaintServer:
        self._thread.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()
