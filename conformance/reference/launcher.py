"""Run a reference app on 127.0.0.1 with a free port, for tests and the embedded target."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from conformance.reference import build_app
from conformance.reference.config import ReferenceConfig


def bind_loopback(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A listening-ready socket; port 0 lets the kernel pick a free port."""
    # proto must be IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only
    # when it is, and without it every keep-alive response waits ~40 ms on delayed ACKs.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def uvicorn_config(app: Any) -> uvicorn.Config:
    return uvicorn.Config(
        app, log_level="warning", access_log=False, lifespan="off", timeout_graceful_shutdown=2
    )


@contextmanager
def serve_in_thread(
    app: Any,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    startup_timeout: float = 10.0,
    stop_timeout: float = 10.0,
) -> Iterator[str]:
    """Serve `app` from a background thread; yields its base URL and stops it on exit."""
    sock = bind_loopback(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    server = uvicorn.Server(uvicorn_config(app))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"reference server did not start on {host}:{bound_port}")
            time.sleep(0.01)
        yield f"http://{bound_host}:{bound_port}"
    finally:
        _stop(server, thread, sock, stop_timeout)


def _stop(
    server: uvicorn.Server, thread: threading.Thread, sock: socket.socket, wait: float
) -> None:
    """Ask the server to exit, then close its socket once its thread is done with it.

    A loop starved past `wait` (a loaded machine) is left to finish on its own: closing the
    socket under it made its own shutdown fail on fd -1 (an exception in a daemon thread).
    """
    server.should_exit = True
    thread.join(timeout=wait)
    if thread.is_alive():
        server.force_exit = True
        thread.join(timeout=wait)
    if not thread.is_alive():
        sock.close()


@contextmanager
def reference_server(api: str, config: ReferenceConfig | None = None) -> Iterator[str]:
    """Start the reference server of `api` in a thread; yields its base URL."""
    with serve_in_thread(build_app(api, config)) as base_url:
        yield base_url
