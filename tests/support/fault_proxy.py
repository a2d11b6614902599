"""A loopback HTTP proxy in front of a real Weaviate that breaks chosen requests.

Faults the real server cannot be made to produce at a precise moment: a 503 answer,
a connection reset before the request reaches the server, or an answer lost (or cut
off mid-body) after the server applied the request. Everything else is forwarded as
is; when the server cannot be reached, the proxy answers 502, as a reverse proxy does.
"""

from __future__ import annotations

import http.server
import socket
import struct
import threading
import time
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable, Optional

import requests

from tests.support.static_site import serve


@dataclass
class Fault:
    """Break the next ``times`` requests of ``method`` whose path starts with ``path``
    (any request when both are empty). ``action``:

    - a status code (``"503"``, ``"429"``): answered without forwarding;
    - ``"reset"``: the connection is reset (TCP RST) without forwarding;
    - ``"lose answer"``: forwarded, then the connection closes instead of answering,
      after calling ``then`` (with the upstream's status code);
    - ``"cut answer"``: forwarded, then the status, the headers (with the full
      ``content-length``) and half the body are sent before the connection closes;
    - ``"stall"``: waits ``seconds`` before forwarding and answering;
    - ``"hang"``: waits ``seconds``, then closes the connection without forwarding
      (a server too slow for the client's read timeout, that never applies it);
    - ``"slow answer"``: forwarded, then calls ``then`` and waits ``seconds`` before
      answering (so a client with a shorter read timeout gives up on a request the
      server applied)."""

    action: str
    method: str = ""
    path: str = ""
    times: int = 1
    then: Optional[Callable[[int], None]] = None
    seconds: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        return self.times > 0 and method.startswith(self.method) and path.startswith(self.path)


class FaultProxy:
    """Forwards to ``upstream`` (a base URL), applying the :class:`Fault` rules in order.
    A context manager: inside it, it serves at ``url`` on a free loopback port. ``seen``
    lists every request as ``"METHOD /path"`` (``bodies`` their bodies); ``broken``
    those it broke."""

    def __init__(self, upstream: str, *faults: Fault) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = list(faults)
        self.seen: list[str] = []
        self.bodies: list[bytes] = []
        self.broken: list[str] = []
        self.url = ""
        self._lock = threading.Lock()
        self._serving = ExitStack()

    def __enter__(self) -> FaultProxy:
        self.url = self._serving.enter_context(serve(self._handler()))
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._serving.close()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def _take(self, method: str, path: str, body: Optional[bytes]) -> Optional[Fault]:
        """The rule that breaks this request (using one of its times), or None."""
        with self._lock:
            self.seen.append(f"{method} {path}")
            self.bodies.append(body or b"")
            for fault in self.faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    self.broken.append(f"{method} {path}")
                    return fault
        return None

    def _handler(self) -> type[http.server.BaseHTTPRequestHandler]:
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as the client's pool expects

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy._take(self.command, self.path, body)
                if fault is not None and fault.action.isdigit():
                    self.send_response(int(fault.action))
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                if fault is not None and fault.action == "reset":
                    # SO_LINGER with a zero timeout: close() sends RST, not FIN
                    linger = struct.pack("ii", 1, 0)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    self.close_connection = True
                    return
                if fault is not None and fault.action == "hang":
                    time.sleep(fault.seconds)
                    self.close_connection = True
                    return
                if fault is not None and fault.action == "stall":
                    time.sleep(fault.seconds)
                    fault = None  # then forwarded and answered (if the client still waits)
                try:
                    upstream = requests.request(
                        self.command, proxy.upstream + self.path, data=body, timeout=60,
                        headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                    )  # fmt: skip
                except requests.RequestException:  # the server is gone: as nginx answers
                    self.send_response(502)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                if fault is not None and fault.action == "slow answer":  # applied upstream
                    if fault.then is not None:
                        fault.then(upstream.status_code)
                    time.sleep(fault.seconds)
                    fault = None
                if fault is not None and fault.action == "lose answer":  # applied upstream
                    if fault.then is not None:
                        fault.then(upstream.status_code)
                    self.close_connection = True
                    return
                cut = fault is not None  # "cut answer": the body stops half-way
                content = upstream.content
                try:
                    self.send_response(upstream.status_code)
                    if "content-type" in upstream.headers:
                        self.send_header("content-type", upstream.headers["content-type"])
                    self.send_header("content-length", str(len(content)))
                    self.end_headers()
                    self.wfile.write(content[: len(content) // 2] if cut else content)
                except OSError:  # the client gave up waiting (a stall past its timeout)
                    pass
                self.close_connection = self.close_connection or cut

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

            def log_message(self, format: str, *args: object) -> None:
                pass

        return Handler
