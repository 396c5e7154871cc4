"""The one count of a run's requests: the report's `requests` and the terminal's phase lines.

Every exchange is counted once, under the phase it was sent for (`Exchange.phase`: property,
stateful, scenarios, cleanup for the leftovers a phase deletes, preflight for the credentials
probe). The terminal used to count the requests sent between a phase's start and end, cleanup
included, so its "property 225, stateful 105" never matched the report's "224, 98, cleanup 8"
(issue 15); it now prints this tally's numbers for the span of each phase.
"""

from __future__ import annotations

import threading
from typing import Any


class RequestTally:
    """An exchange listener counting requests by phase and responses by status; thread-safe."""

    def __init__(self) -> None:
        self._by_phase: dict[str, int] = {}
        self._statuses: dict[int, int] = {}
        self._lock = threading.Lock()

    def __call__(self, exchange: Any) -> None:
        phase, status = str(exchange.phase), int(exchange.response.status)
        with self._lock:
            self._by_phase[phase] = self._by_phase.get(phase, 0) + 1
            self._statuses[status] = self._statuses.get(status, 0) + 1

    def by_phase(self) -> dict[str, int]:
        """Requests per phase so far, in the order the phases first sent."""
        with self._lock:
            return dict(self._by_phase)

    def statuses(self) -> dict[int, int]:
        """Response status -> count (the credentials diagnosis reads it)."""
        with self._lock:
            return dict(self._statuses)

    def since(self, before: dict[str, int]) -> tuple[tuple[str, int], ...]:
        """What was counted after the `by_phase()` snapshot `before`, phase by phase."""
        now = self.by_phase()
        return tuple(
            (phase, count - before.get(phase, 0))
            for phase, count in now.items()
            if count > before.get(phase, 0)
        )
