"""One advertised rate budget shared by the worker processes of a run.

Each worker learns `X-RateLimit-Remaining`/`-Next` only from its own answers; without a common
view two workers could both spend the last token. Every polite send reserves a token here
first; answers update the shared view.
"""

from __future__ import annotations

import time
from typing import Any

UNKNOWN = -1
POLL = 0.01


class SharedBudget:
    """Token accounting over a multiprocessing manager (picklable to spawned workers)."""

    def __init__(self, manager: Any) -> None:
        self._lock = manager.Lock()
        self._state = manager.dict(remaining=UNKNOWN, not_before=0.0, inflight=0)

    def reserve(self, max_wait: float) -> float:
        """Wait until a token is ours; returns the seconds waited."""
        started = time.monotonic()
        while True:
            with self._lock:
                remaining = self._state["remaining"]
                not_before = self._state["not_before"]
                inflight = self._state["inflight"]
                now = time.time()
                exhausted = remaining == 0 and (now < not_before or inflight > 0)
                if not exhausted or time.monotonic() - started >= max_wait:
                    # Past Next with nothing in flight: one request probes the refilled budget
                    # while the others wait for its answer (remaining stays 0 until then).
                    self._state["remaining"] = remaining - 1 if remaining > 0 else remaining
                    self._state["inflight"] = inflight + 1
                    return time.monotonic() - started
                delay = max(not_before - now, POLL) if not_before > now else POLL
            time.sleep(min(delay, 0.25))

    def settle(self, remaining: int | None, next_at: float | None) -> None:
        """Record what an answer said about the budget."""
        with self._lock:
            inflight = max(0, self._state["inflight"] - 1)
            self._state["inflight"] = inflight
            if remaining is not None:
                # Tokens other workers reserved but whose answers are still due are spent too.
                self._state["remaining"] = max(0, remaining - inflight)
            if next_at is not None:
                self._state["not_before"] = max(self._state["not_before"], next_at)
