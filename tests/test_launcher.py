"""The thread-served reference app stops cleanly, even when its loop is starved."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from conformance.reference.launcher import serve_in_thread


async def _blocking_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """An ASGI app whose one answer blocks its event loop for 1.5 s (a starved loop)."""
    if scope["type"] != "http":
        return
    time.sleep(1.5)
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


@pytest.fixture
def thread_errors() -> Iterator[list[BaseException | None]]:
    errors: list[BaseException | None] = []
    previous = threading.excepthook
    threading.excepthook = lambda args: errors.append(args.exc_value)
    try:
        yield errors
    finally:
        threading.excepthook = previous


def test_a_server_starved_past_the_stop_wait_still_shuts_down_without_error(
    thread_errors: list[BaseException | None],
) -> None:
    before = set(threading.enumerate())
    with serve_in_thread(_blocking_app, stop_timeout=0.1) as url:
        caller = threading.Thread(target=lambda: requests.get(url, timeout=10), daemon=True)
        caller.start()
        time.sleep(0.3)  # the request is being answered: the loop is blocked
    left = [t for t in threading.enumerate() if t not in before and t is not caller]
    for thread in left:
        thread.join(timeout=15)
    caller.join(timeout=15)
    assert not any(t.is_alive() for t in left)
    assert thread_errors == []


def test_a_served_app_answers_and_frees_its_port() -> None:
    with serve_in_thread(_ok_app) as url:
        assert requests.get(url, timeout=5).text == "ok"
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=5)


async def _ok_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})
