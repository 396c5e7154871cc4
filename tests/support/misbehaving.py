"""Loopback servers that break HTTP on purpose: hang, reset, garbage, 5xx bursts."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

Behaviour = Callable[[socket.socket], None]


def hang(conn: socket.socket) -> None:
    """Read the request, then never answer (until the test ends)."""
    conn.recv(65536)
    threading.Event().wait(30)


def reset(conn: socket.socket) -> None:
    """Close the connection abruptly with RST."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def garbage(conn: socket.socket) -> None:
    """Answer with bytes that are not HTTP."""
    conn.recv(65536)
    conn.sendall(b"\x00\xffthis is not http\r\n\r\n")
    conn.close()


def html_500(conn: socket.socket) -> None:
    """Answer every request with an HTML 500."""
    conn.recv(65536)
    body = b"<html><body>Internal error</body></html>"
    conn.sendall(
        b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/html\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n" + body
    )
    conn.close()


class Served:
    """A running misbehaving server: its URL, and when it was first contacted."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.connections = 0
        self.first_contact: float | None = None  # time.monotonic() of the first connection


@contextmanager
def serving(behaviour: Behaviour, host: str = "127.0.0.1") -> Iterator[Served]:
    """Serve `behaviour` on `host` (a free port) until the block ends."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((host, 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()
    served = Served(f"http://{host}:{listener.getsockname()[1]}")

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            served.connections += 1
            if served.first_contact is None:
                served.first_contact = time.monotonic()
            threading.Thread(target=_guarded, args=(behaviour, conn), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield served
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


@contextmanager
def misbehaving_server(behaviour: Behaviour, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve `behaviour` on `host` (a free port) until the block ends; yields the base URL."""
    with serving(behaviour, host) as served:
        yield served.url


def _guarded(behaviour: Behaviour, conn: socket.socket) -> None:
    try:
        behaviour(conn)
    except OSError:
        pass
    finally:
        with suppress(OSError):
            conn.close()


def free_port() -> int:
    """A loopback port nothing listens on (bound then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def stall_mid_body(conn: socket.socket) -> None:
    """Promise 1000 bytes of body, send 10, then go quiet."""
    conn.recv(65536)
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n"
        b'\r\n{"results"'
    )
    threading.Event().wait(30)


def oversized(conn: socket.socket) -> None:
    """Answer with a 5 MiB JSON body."""
    conn.recv(65536)
    body = b"[" + b"0," * (5 * 1024 * 1024 // 2) + b"0]"
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\nConnection: close\r\n\r\n"
    )
    with suppress(OSError):  # the client stops reading at its cap
        conn.sendall(body)


def _read_request(conn: socket.socket) -> bytes:
    """Read one request's head and its Content-Length body (best effort)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length" and value.strip().isdigit():
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _drip(conn: socket.socket, data: bytes, pause: float = 0.5) -> None:
    for index in range(len(data)):
        conn.sendall(data[index : index + 1])
        threading.Event().wait(pause)


def drip_headers(conn: socket.socket) -> None:
    """Answer one byte every half second, starting with the status line."""
    _read_request(conn)
    _drip(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 20)


def drip_body(conn: socket.socket) -> None:
    """Send the head at once, then the body one byte every half second."""
    _read_request(conn)
    body = b'{"results": []}' * 100
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
    )
    _drip(conn, body)


def huge_body(conn: socket.socket) -> None:
    """Answer every request with a 100 MB JSON body, generated as it is sent."""
    _read_request(conn)
    size = 100 * 1024 * 1024
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
        + str(size).encode()
        + b"\r\nConnection: close\r\n\r\n"
    )
    chunk = b"[" + b"0," * (32 * 1024 - 1)
    sent = 0
    while sent + len(chunk) < size:  # the client hangs up at its cap: sendall raises
        conn.sendall(chunk)
        sent += len(chunk)
        chunk = b"0," * (32 * 1024)


def server_errors(conn: socket.socket) -> None:
    """A 5xx storm: keep-alive 503 answers to every request on the connection."""
    while _read_request(conn):
        body = b'{"detail": "unavailable"}'
        conn.sendall(
            b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )


def throttled(conn: socket.socket) -> None:
    """A target that throttles everything: keep-alive 429 problem details naming no moment."""
    while _read_request(conn):
        body = b'{"type": "/problems/throttled", "title": "Too Many Requests", "status": 429}'
        conn.sendall(
            b"HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/problem+json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body
        )


def redirect_to(location: str) -> Behaviour:
    """Answer every request with a 302 to `location` (a URL, or a path on this server)."""

    def redirect(conn: socket.socket) -> None:
        while _read_request(conn):
            conn.sendall(
                b"HTTP/1.1 302 Found\r\nLocation: " + location.encode() + b"\r\n"
                b"Content-Length: 0\r\n\r\n"
            )

    redirect.__name__ = f"redirect_to({location})"
    return redirect


class Capture:
    """A behaviour that counts the connections it gets and answers 200 `{}`."""

    def __init__(self) -> None:
        self.connections = 0

    def __call__(self, conn: socket.socket) -> None:
        self.connections += 1
        _read_request(conn)
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}")


Hook = Callable[[str, str, bytes], None]
AfterHook = Callable[[str, str, int, bytes], None]


@contextmanager
def forwarding_proxy(upstream: str, hook: Hook, after: AfterHook | None = None) -> Iterator[str]:
    """A loopback HTTP proxy in front of `upstream` (a base URL): `hook(method, path, body)`
    runs before each request is forwarded (it may sleep, to slow or hang the answer, or note
    what passes), `after(method, path, status, answer body)` once the upstream answered.
    Yields the proxy's base URL."""
    import http.client
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import urlsplit

    from tests.support.http_server import serving_http

    target = urlsplit(upstream)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            hook(self.command, self.path, body)
            upstream_conn = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port, timeout=60
            )
            try:
                headers = dict(self.headers.items())  # Host too: EdgeGrid signs it
                upstream_conn.request(self.command, self.path, body=body, headers=headers)
                answer = upstream_conn.getresponse()
                payload = answer.read()
            finally:
                upstream_conn.close()
            if after is not None:
                after(self.command, self.path, answer.status, payload)
            self.send_response(answer.status)
            for name, value in answer.getheaders():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:
            return

    class Server(ThreadingHTTPServer):
        def handle_error(self, request: object, client_address: object) -> None:
            return  # a client that gave up on a slowed answer: nothing to report

    with serving_http(Server(("127.0.0.1", 0), Handler)) as url:
        yield url
