"""Recognising what a request created, so every phase can delete it afterwards."""

from __future__ import annotations

from conformance.apis import get_api
from conformance.core.exchange import Exchange


def created_resource_path(api: str, exchange: Exchange) -> str | None:
    """The path of the resource a successful create made, or None.

    Any 2xx counts: a target answering a create 200 (against the documented 201) still made
    the resource, and the run must delete it."""
    if exchange.request.method != "POST" or not 200 <= exchange.response.status < 300:
        return None
    try:
        body = exchange.response.json()
    except ValueError:
        return None
    collection = exchange.request.path.split("?", 1)[0].rstrip("/")
    shape = get_api(api).resource
    item_id = shape.dig(body, shape.created_id)
    return f"{collection}/{item_id}" if item_id is not None else None
