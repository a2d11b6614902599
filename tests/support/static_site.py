"""Real HTTP servers on loopback: one that serves the files of a directory, one that
gives every request the same answer, or any handler; over TLS when given a context."""

from __future__ import annotations

import contextlib
import functools
import http.server
import ssl
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Optional


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass


@contextlib.contextmanager
def serve(
    handler: Callable[..., http.server.BaseHTTPRequestHandler],
    tls: Optional[ssl.SSLContext] = None,
) -> Iterator[str]:
    """Run an HTTP server with ``handler`` on a free loopback port (HTTPS with the
    server context ``tls``); yields the base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    scheme = "http" if tls is None else "https"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free loopback port; yields the base URL."""
    with serve(functools.partial(_QuietHandler, directory=str(directory))) as url:
        yield url


@contextlib.contextmanager
def answering(
    body: bytes, content_type: str, tls: Optional[ssl.SSLContext] = None
) -> Iterator[str]:
    """A loopback server that answers every request with 200 and ``body``."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            self.rfile.read(length)
            self.send_response(200)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _answer

        def log_message(self, format: str, *args: Any) -> None:
            pass

    with serve(Handler, tls) as url:
        yield url
