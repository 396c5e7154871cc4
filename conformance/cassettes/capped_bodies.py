"""While recording, each real answer is read up to the client's body cap, as without --record.

vcrpy reads every real answer whole before the client sees a byte of it (urllib3 preloads it,
vcrpy then stores it), so a target answering 100 MB bodies cost 188 MiB of peak memory under
--record (109 MiB without) and the run aborted where, without --record, it judged. Here the
real connection vcrpy drives sends its request without preloading, and the answer hands vcrpy
at most `limit + 1` bytes; a longer body's connection is closed (its rest is never read). The
client then finds more than `limit` bytes and marks the body truncated, as it does live.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from urllib3.connection import HTTPConnection
from vcr.stubs import VCRConnection

_WRAPPED = "_dsconform_capped"
# Bound at import: inside a cassette vcrpy replaces urllib3.connection.HTTPConnection by its stub.
_URLLIB3_CONNECTION = HTTPConnection


@contextmanager
def capped_bodies(limit: int) -> Iterator[None]:
    """Within the block, vcrpy reads at most `limit + 1` bytes of each real answer."""
    original = VCRConnection.getresponse

    def getresponse(self: VCRConnection, *args: Any, **kwargs: Any) -> Any:
        real = getattr(self, "real_connection", None)
        if real is not None:
            _cap(real, limit)
        return original(self, *args, **kwargs)

    VCRConnection.getresponse = getresponse
    try:
        yield
    finally:
        VCRConnection.getresponse = original


def _cap(connection: Any, limit: int) -> None:
    """Wrap one real connection's request (no preloading) and getresponse (a capped read)."""
    if getattr(connection, _WRAPPED, False):
        return
    request, getresponse = connection.request, connection.getresponse
    preloads = isinstance(connection, _URLLIB3_CONNECTION)  # http.client's reads lazily
    if preloads:
        connection.request = functools.partial(request, preload_content=False)
    connection.getresponse = lambda *a, **kw: _CappedResponse(
        getresponse(*a, **kw), limit, connection
    )
    setattr(connection, _WRAPPED, True)


class _CappedResponse:
    """A real answer whose body (vcrpy reads `data`, or `read()`) stops after `limit + 1`
    bytes; everything else is the answer's own."""

    def __init__(self, response: Any, limit: int, connection: Any) -> None:
        self._response = response
        self._limit = limit
        self._connection = connection
        self._body: bytes | None = None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._response, name)

    @property
    def data(self) -> bytes:
        if self._body is None:
            self._body = self._response.read(self._limit + 1)
            if len(self._body) > self._limit:  # the rest stays unread: the connection is spent
                self._response.close()
                self._connection.close()
        return self._body

    def read(self, amt: int | None = None) -> bytes:
        return self.data
