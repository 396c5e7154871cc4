"""A bound on a whole request: its socket is shut down when the request's time is up.

urllib3's timeouts bound each socket operation, so a target that drips one byte every half
second, in the headers or the body, never trips them. Connections made through
`WatchedAdapter` register their sockets with the calling thread's current `RequestGuard`; one
daemon thread (started on first use, idle while no request is in flight) shuts them down
(SHUT_RDWR) when the guard's time is up, which wakes the blocked read at once.
"""

from __future__ import annotations

import functools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

TICK = 0.25  # how often the watchdog re-reads a guard's limit (signals may shorten it)


class RequestGuard:
    """The sockets of one request and the moment (time.monotonic()) they are shut down."""

    def __init__(self, limit: Callable[[], float]) -> None:
        self.limit = limit
        self.expired = False  # the time is up
        self.cut = False  # and a socket of the request was shut down for it
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False

    def register(self, sock: socket.socket | None) -> None:
        """Watch `sock` (a request's TCP or TLS socket) until the guard ends."""
        if sock is None:
            return
        with self._lock:
            self._sockets.append(sock)
            expired = self.cut = self.expired
        if expired:
            _shut(sock)

    def done(self) -> None:
        """The whole answer is in: from now on the time being up cuts nothing."""
        with self._lock:
            self._done = True

    def expire(self) -> None:
        """The request's time is up: shut its sockets down, waking any blocked read."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            sockets = list(self._sockets)
            # No socket (vcrpy's replay stubs have none): nothing was cut, the answer stands.
            self.cut = bool(sockets)
        for sock in sockets:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: SSLSocket.shutdown would drop its
    # TLS state under the reading thread's feet; this only ends the connection underneath.
    with suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watchdog:
    """One thread for the process that expires the guards whose time is up."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._guards: set[RequestGuard] = set()
        self._thread: threading.Thread | None = None

    @contextmanager
    def guard(self, limit: Callable[[], float]) -> Iterator[RequestGuard]:
        """Watch the requests this thread makes in the block; `limit()` is the moment (it may
        move earlier while the request runs, never later than asked) they are cut off."""
        guard = RequestGuard(limit)
        with self._cond:
            self._guards.add(guard)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._loop, name="dsconform-request-watchdog", daemon=True
                )
                self._thread.start()
            self._cond.notify()
        previous = getattr(_current, "guard", None)
        _current.guard = guard
        try:
            yield guard
        finally:
            _current.guard = previous
            with self._cond:
                self._guards.discard(guard)

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._guards:
                    self._cond.wait()
                now = time.monotonic()
                due = [g for g in self._guards if g.limit() <= now]
                for guard in due:
                    self._guards.discard(guard)
                soonest = min((g.limit() for g in self._guards), default=now + TICK)
            for guard in due:
                guard.expire()
            if not due:
                with self._cond:
                    self._cond.wait(timeout=max(0.0, min(TICK, soonest - now)))


WATCHDOG = Watchdog()
_current = threading.local()


def _register(sock: socket.socket | None) -> None:
    guard: RequestGuard | None = getattr(_current, "guard", None)
    if guard is not None:
        guard.register(sock)


class _WatchedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)
        return sock

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self.sock)  # a kept-alive connection: its socket exists already
        super().request(*args, **kwargs)


class _WatchedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        _register(sock)  # watched through the TLS handshake, before it is wrapped
        return sock

    def connect(self) -> None:
        super().connect()
        _register(self.sock)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _register(self.sock)
        super().request(*args, **kwargs)


# While vcrpy records or replays, it swaps urllib3's connection classes on the base pools for
# stubs of its own. A stub that records sends through a real connection it makes from its
# `_baseclass`: the pools below give it a watched one, so `--timeout` bounds a recorded request
# as it bounds any other (a replayed one has no socket, and nothing to bound).


@functools.cache
def _watched_stub(stub: Any, watched: Any) -> Any:
    """vcrpy's connection stub `stub`, its real connections made as `watched` ones."""
    return type(f"Watched{stub.__name__}", (stub,), {"_baseclass": watched})


def _connection_class(current: Any, plain: type[HTTPConnection], watched: Any) -> Any:
    if current is plain:
        return watched
    base = getattr(current, "_baseclass", None)  # a vcrpy stub
    if isinstance(base, type) and issubclass(watched, base):
        return _watched_stub(current, watched)
    return current


class _WatchedHTTPPool(HTTPConnectionPool):
    @property
    def ConnectionCls(self) -> Any:  # type: ignore[override]
        current = HTTPConnectionPool.ConnectionCls
        return _connection_class(current, HTTPConnection, _WatchedHTTPConnection)


class _WatchedHTTPSPool(HTTPSConnectionPool):
    @property
    def ConnectionCls(self) -> Any:  # type: ignore[override]
        current = HTTPSConnectionPool.ConnectionCls
        return _connection_class(current, HTTPSConnection, _WatchedHTTPSConnection)


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections register their sockets with the current guard."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(_WATCHED_POOLS)

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """A proxy's connections are watched too (`$HTTPS_PROXY`: the tunnel and the TLS
        handshake through it)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # SOCKS pools have classes of their own
            manager.pool_classes_by_scheme = dict(_WATCHED_POOLS)
        return manager


_WATCHED_POOLS = {"http": _WatchedHTTPPool, "https": _WatchedHTTPSPool}
