"""A loopback server that counts every connection and request it gets (write-guard tests)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Capture:
    """What reached the server: raw connections (a TLS hello counts too) and HTTP requests."""

    host: str
    port: int
    connections: int = 0
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def methods(self) -> set[str]:
        with self.lock:
            return {method for method, _, _ in self.requests}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    capture: Capture

    def get_request(self) -> tuple[socket.socket, Any]:
        conn, address = super().get_request()
        with self.capture.lock:
            self.capture.connections += 1
        return conn, address


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        with self.server.capture.lock:
            self.server.capture.requests.append((self.command, self.path, dict(self.headers)))
        body = json.dumps({"title": "not found", "status": 404}).encode()
        self.send_response(404)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _answer

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def capture_server(host: str = "127.0.0.1") -> Iterator[Capture]:
    """Serve on `host` (any 127.0.0.0/8 address), a free port, until the block ends."""
    server = _Server((host, 0), _Handler)
    server.capture = Capture(host, server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        yield server.capture
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
