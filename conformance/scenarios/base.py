"""What a scenario is: a scripted multi-step workflow that states expectations by requirement."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance.engine.exchange import Exchange
from conformance.engine.results import Finding, ResultsCollector
from conformance.engine.target_client import TargetClient


class ScenarioAborted(Exception):
    """A step's answer makes the rest of the scenario meaningless; cleanup still runs."""


@dataclass(frozen=True, slots=True)
class Scenario:
    """A registered workflow and the requirement IDs it may cite."""

    name: str
    api: str
    function: Callable[[ScenarioContext], None]
    cites: tuple[str, ...]
    needs_writes: bool = True
    description: str = ""


@dataclass(slots=True)
class ScenarioContext:
    """What a scenario works with: the client, the results, a name prefix and its cleanup."""

    scenario: Scenario
    client: TargetClient
    collector: ResultsCollector
    run_prefix: str
    poll_interval: float = 0.2
    settle_timeout: float = 30.0
    options: Mapping[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)

    def name(self, label: str) -> str:
        """A resource name carrying the run prefix, so sweeps can find leftovers."""
        return f"{self.run_prefix}-{self.scenario.name}-{label}"

    def send(self, method: str, path: str, **kwargs: Any) -> Exchange:
        return self.client.send(
            method, path, phase="scenarios", labels=(self.scenario.name,), **kwargs
        )

    def expect(
        self,
        requirement_id: str,
        holds: bool,
        message: str,
        exchange: Exchange | None = None,
        *,
        kind: str = "scenario",
    ) -> bool:
        """Record one observation of `requirement_id`; returns `holds`."""
        if requirement_id not in self.scenario.cites:
            raise ValueError(f"scenario {self.scenario.name} cites undeclared {requirement_id}")
        check = f"scenario:{self.scenario.name}"
        if holds:
            self.collector.passed(requirement_id, check=check)
        else:
            self.collector.failed(
                Finding(
                    requirement_id,
                    check,
                    kind,
                    message,
                    "scenarios",
                    exchange.operation_id if exchange else None,
                    exchange,
                )
            )
        return holds

    def require(self, holds: bool, message: str) -> None:
        """Stop the scenario when a precondition fails (not a finding by itself)."""
        if not holds:
            raise ScenarioAborted(message)

    def on_cleanup(self, action: Callable[[], None]) -> None:
        self.cleanups.append(action)

    def poll(
        self, fetch: Callable[[], Exchange], done: Callable[[Exchange], bool]
    ) -> tuple[Exchange, bool]:
        """Repeat `fetch` until `done` or the settle timeout; returns the last exchange."""
        deadline = time.monotonic() + self.settle_timeout
        exchange = fetch()
        while not done(exchange):
            if time.monotonic() >= deadline:
                return exchange, False
            time.sleep(self.poll_interval)
            exchange = fetch()
        return exchange, True
