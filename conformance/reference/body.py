"""Reading a request body with a size cap, for both reference servers."""

from __future__ import annotations

from starlette.requests import Request


async def read_capped(request: Request, cap: int) -> bytes | None:
    """The whole body, or None as soon as it grows past `cap` bytes (the rest is not read)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)
