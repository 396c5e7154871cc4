"""One advertised rate budget shared by the worker processes of a run.

Each worker learns `X-RateLimit-Remaining`/`-Next` only from its own answers; without a common
view two workers could both spend the last token. Every polite send reserves a token here
first; answers update the shared view. The view lives in a manager process as one object
whose methods run there atomically, so a request costs two round trips (reserve, settle),
not one per field read or written.
"""

from __future__ import annotations

import threading
import time
from multiprocessing.context import BaseContext
from multiprocessing.managers import BaseManager
from typing import Any

UNKNOWN = -1
POLL = 0.01


class BudgetState:
    """The shared view of the target's budget (lives in the manager process)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.remaining = UNKNOWN
        self.not_before = 0.0
        self.inflight = 0

    def try_reserve(self, force: bool) -> float | None:
        """Take a token: None when taken, else the seconds to wait before asking again."""
        with self._lock:
            now = time.time()
            exhausted = self.remaining == 0 and (now < self.not_before or self.inflight > 0)
            if exhausted and not force:
                return max(self.not_before - now, POLL) if self.not_before > now else POLL
            # Past Next with nothing in flight: one request probes the refilled budget while
            # the others wait for its answer (remaining stays 0 until then).
            if self.remaining > 0:
                self.remaining -= 1
            self.inflight += 1
            return None

    def settle(self, remaining: int | None, next_at: float | None) -> None:
        """Record what an answer said about the budget."""
        with self._lock:
            self.inflight = max(0, self.inflight - 1)
            if remaining is not None:
                # Tokens other workers reserved but whose answers are still due are spent too.
                self.remaining = max(0, remaining - self.inflight)
            if next_at is not None:
                self.not_before = max(self.not_before, next_at)


class BudgetManager(BaseManager):
    """A manager process serving one `BudgetState`."""


BudgetManager.register("BudgetState", BudgetState)


def start_budget_manager(context: BaseContext) -> BudgetManager:
    """A started manager (use it as a context manager to stop it)."""
    manager = BudgetManager(ctx=context)
    manager.start()
    return manager


class SharedBudget:
    """Token accounting over a `BudgetState` proxy (picklable to spawned workers)."""

    def __init__(self, manager: BudgetManager) -> None:
        self._state: Any = manager.BudgetState()  # type: ignore[attr-defined]

    def reserve(self, max_wait: float) -> float:
        """Wait until a token is ours; returns the seconds waited."""
        started = time.monotonic()
        while True:
            waited = time.monotonic() - started
            delay = self._state.try_reserve(waited >= max_wait)
            if delay is None:
                return waited
            time.sleep(min(delay, 0.25))

    def settle(self, remaining: int | None, next_at: float | None) -> None:
        """Record what an answer said about the budget."""
        self._state.settle(remaining, next_at)
