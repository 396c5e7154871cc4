"""Loopback servers that break HTTP on purpose: hang, reset, garbage, 5xx bursts."""

from __future__ import annotations

import socket
import threading
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


@contextmanager
def misbehaving_server(behaviour: Behaviour) -> Iterator[str]:
    """Serve `behaviour` on 127.0.0.1 (a free port) until the block ends; yields the base URL."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            threading.Thread(target=_guarded, args=(behaviour, conn), daemon=True).start()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


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
