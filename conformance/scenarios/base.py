"""What a scenario is: a scripted multi-step workflow that states expectations by requirement."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from requests.auth import AuthBase

from conformance.core.exchange import Exchange
from conformance.core.results import Finding, ResultsCollector
from conformance.core.target_client import TargetClient
from conformance.time_formats import parse_iso8601

MAX_POLL_PAUSE = 60.0
T = TypeVar("T")


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
class SharedByScenarios:
    """What the scenarios of one phase share: values made once (`ScenarioContext.once`) and
    the refusals judged when the phase ends, when every possible valid twin has been sent."""

    made_once: dict[str, Any] = field(default_factory=dict)
    pending_refusals: list[tuple[ScenarioContext, _Refusal]] = field(default_factory=list)

    def settle_refusals(self) -> None:
        """Judge every refusal the phase's scenarios deferred (`expect_refused`)."""
        pending, self.pending_refusals = self.pending_refusals, []
        for ctx, refusal in pending:
            ctx.settle_refusal(refusal)


@dataclass(slots=True)
class ScenarioContext:
    """What a scenario works with: the client, the results, a name prefix and its cleanup,
    and what the run tells it about the target.

    `history` holds every exchange of the phase so far, in order (the scenario phase fills
    it); `shared` is None for a scenario run alone (then `once` makes its value each time and
    refusals are settled at the scenario's end)."""

    scenario: Scenario
    client: TargetClient
    collector: ResultsCollector
    run_prefix: str
    poll_interval: float = 0.2
    settle_timeout: float = 30.0
    minimal: bool = False  # `--profile minimal`: each requirement once, fewest requests
    embedded: bool = False  # the target is the embedded reference server
    view_auth: AuthBase | None = None  # a read-only credential, when the user gave one
    domain_ids: tuple[int, ...] = ()  # `--domain-id`: the account's domains to stream
    history: list[Sent] = field(default_factory=list)
    shared: SharedByScenarios | None = None
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    _refusals: list[_Refusal] = field(default_factory=list)

    def once(self, key: str, make: Callable[[], T]) -> T:
        """The value `make` returns, made once per scenario phase (one run) and shared by its
        scenarios, e.g. the account a discovery found."""
        if self.shared is None:
            return make()
        made = self.shared.made_once
        if key not in made:
            made[key] = make()
        value: T = made[key]
        return value

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
            self.collector.passed(
                requirement_id, check=check, seconds=exchange.elapsed if exchange else 0.0
            )
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

    def expect_refused(
        self,
        requirement_id: str,
        exchange: Exchange,
        message: str,
        twin: Twin,
        *,
        expected: Collection[int] = (400,),
    ) -> None:
        """Observe "an invalid request is answered 400" (or another of `expected`) without
        judging it vacuously.

        An answer of the invalid request in 2xx fails at once. A refusal counts only when the
        run also saw the target accept the valid twin (the same request minus the violation):
        a target that refuses everything (401 everywhere, writes refused, a broken gateway) has
        shown nothing about the rule. Whether it did is settled when the scenario ends, so the
        twin may come before or after; without it the requirement is blocked, not passed. A
        refusal with a code not `expected` fails only when the twin was accepted."""
        answered = exchange.response.status
        if 200 <= answered < 300:
            self.expect(requirement_id, False, message, exchange)
            return
        if requirement_id not in self.scenario.cites:
            raise ValueError(f"scenario {self.scenario.name} cites undeclared {requirement_id}")
        refusal = _Refusal(requirement_id, exchange, message, twin, tuple(expected))
        if self.shared is not None:  # settled when the phase ends: twins of later scenarios count
            self.shared.pending_refusals.append((self, refusal))
            return
        if not self._refusals:  # settled last, after the other cleanups (they may hold twins)
            self.cleanups.insert(0, self._settle_refusals)
        self._refusals.append(refusal)

    def _settle_refusals(self) -> None:
        pending, self._refusals = self._refusals, []
        for refusal in pending:
            self.settle_refusal(refusal)

    def settle_refusal(self, refusal: _Refusal) -> None:
        """Judge a refusal now, against every exchange the phase has seen."""
        if not any(refusal.twin.accepted_by(sent.exchange) for sent in self.history):
            self.collector.blocked(
                refusal.requirement_id,
                f"{refusal.exchange.request.method} {refusal.exchange.request.path} was "
                f"refused ({refusal.exchange.response.status}), but the run never saw the "
                f"target accept its valid twin ({refusal.twin.label}), so the refusal "
                f"shows nothing",
            )
            return
        self.expect(
            refusal.requirement_id,
            refusal.exchange.response.status in refusal.expected,
            refusal.message,
            refusal.exchange,
        )

    def require(self, holds: bool, message: str) -> None:
        """Stop the scenario when a precondition fails (not a finding by itself)."""
        if not holds:
            raise ScenarioAborted(message)

    def on_cleanup(self, action: Callable[[], None]) -> None:
        self.cleanups.append(action)

    def _first_poll_pause(self) -> float:
        return self.poll_interval * (2 if self.minimal else 1)

    def pause_before_reading(self) -> None:
        """Minimal profile: give a change the first poll's pause before reading its effect, so
        a quick target answers settled at the first read."""
        if self.minimal:
            time.sleep(self._first_poll_pause())

    def poll(
        self,
        fetch: Callable[[], Exchange],
        done: Callable[[Exchange], bool],
        first: Exchange | None = None,
    ) -> tuple[Exchange, bool]:
        """Repeat `fetch` until `done` or the settle timeout; returns the last exchange.
        `first`: an answer the caller fetched just now, so the first fetch waits a pause.

        The minimal profile backs off (twice the interval, doubling up to a minute), trading
        a little latency for requests."""
        deadline = time.monotonic() + self.settle_timeout
        pause = self._first_poll_pause()
        exchange = first if first is not None else fetch()
        while not done(exchange):
            if time.monotonic() >= deadline:
                return exchange, False
            time.sleep(min(pause, max(0.0, deadline - time.monotonic())))
            if self.minimal:
                pause = min(pause * 2, MAX_POLL_PAUSE)
            exchange = fetch()
        return exchange, True


@dataclass(frozen=True, slots=True)
class Twin:
    """The valid twin of a refused request: the operation (and, optionally, which of its bodies)
    the target must have accepted in the same run for the refusal to mean anything."""

    method: str
    operation_id: str
    label: str
    body_matches: Callable[[Any], bool] | None = None

    def accepted_by(self, exchange: Exchange) -> bool:
        """Whether `exchange` is such a request, answered 2xx."""
        if exchange.request.method.upper() != self.method.upper():
            return False
        if exchange.operation_id != self.operation_id:
            return False
        if not 200 <= exchange.response.status < 300:
            return False
        if self.body_matches is None:
            return True
        try:
            body = json.loads(exchange.request.body) if exchange.request.body else None
        except ValueError:
            return False
        return bool(self.body_matches(body))


@dataclass(frozen=True, slots=True)
class _Refusal:
    requirement_id: str
    exchange: Exchange
    message: str
    twin: Twin
    expected: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Sent:
    """One exchange with when (epoch seconds) it was sent and answered."""

    at: float
    answered: float
    exchange: Exchange

    @property
    def status(self) -> int:
        return self.exchange.response.status

    def header_int(self, name: str) -> int | None:
        value = self.exchange.response.header(name)
        try:
            return int(value.strip()) if value is not None else None
        except ValueError:
            return None

    @property
    def remaining(self) -> int | None:
        return self.header_int("X-RateLimit-Remaining")

    @property
    def next_at(self) -> float | None:
        value = self.exchange.response.header("X-RateLimit-Next")
        moment = parse_iso8601(value) if value else None
        return moment.timestamp() if moment else None


class ExchangeHistory(list[Sent]):
    """A client listener keeping every exchange with its times, for judgements across steps."""

    def __call__(self, exchange: Exchange) -> None:
        answered = time.time()
        self.append(Sent(answered - exchange.elapsed, answered, exchange))
