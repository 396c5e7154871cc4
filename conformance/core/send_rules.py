"""What a client may send and when: the rules a run fixes before its first request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from conformance.core.exchange import Exchange
from conformance.core.shared_budget import SharedBudget
from conformance.core.stopping import StopControl


class WriteGuard(Protocol):
    """Decides which writes may be sent (engine/ownership.py: only to what the run created)."""

    def check(self, method: str, url: str) -> None: ...

    def observe(self, exchange: Exchange) -> None: ...


OperationResolver = Callable[[str, str], str | None]  # (method, path) -> operationId
# (operationId, method, url): raises for an operation the run's --include/--exclude leave out
OperationGuard = Callable[[str | None, str, str], None]


def no_operation(method: str, path: str) -> str | None:
    """The resolver of a client that knows no spec: no request has an operationId."""
    return None


@dataclass(frozen=True, slots=True)
class SendRules:
    """What a client may send and when, fixed before its first request.

    Safety: `read_only` refuses every write; `write_guard` (engine/ownership.py) passes writes
    only to what the run created; `operation_guard` refuses operations the filters leave out
    (cleanup and `unfiltered()` blocks pass). Pace: `rate_cap` is our own `--rate-limit N/PERIOD`
    (at most N sends in any PERIOD seconds); `shared_budget` is the target's budget shared by
    worker processes. End: `deadline` is the time.monotonic() after which nothing is sent;
    `stop` carries signals and the cleanup grace."""

    read_only: bool = False
    write_guard: WriteGuard | None = None
    operation_guard: OperationGuard | None = None
    operation_resolver: OperationResolver = no_operation
    rate_cap: tuple[int, float] | None = None
    shared_budget: SharedBudget | None = None
    deadline: float | None = None
    stop: StopControl = field(default_factory=StopControl)
