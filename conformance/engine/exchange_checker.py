"""Runs every registered exchange check on every exchange of a run."""

from __future__ import annotations

import json
import threading

from conformance.checks.base import PASS, CheckEnv, ExchangeCheck, Violation
from conformance.checks.secrets import secret_values
from conformance.core.exchange import Exchange
from conformance.core.results import Finding, ResultsCollector


class ExchangeChecker:
    """A TargetClient listener: checks each exchange and records outcomes per requirement."""

    def __init__(
        self, checks: tuple[ExchangeCheck, ...], env: CheckEnv, collector: ResultsCollector
    ) -> None:
        self.checks = checks
        self.env = env
        self.collector = collector
        self._lock = threading.Lock()

    def __call__(self, exchange: Exchange) -> None:
        self._learn_secrets(exchange)
        for check in self.checks:
            if not check.applies_to(exchange):
                continue
            try:
                outcome = check.function(exchange, self.env)
            except Exception as exc:  # a broken check is the suite's error, not the target's
                self.collector.errored(
                    Finding(
                        check.requirement_id,
                        check.name,
                        "check-crashed",
                        f"check {check.name} crashed: {type(exc).__name__}: {exc}",
                        exchange.phase,
                        exchange.operation_id,
                        exchange,
                    )
                )
                continue
            if outcome is PASS:
                self.collector.passed(
                    check.requirement_id, check=check.name, seconds=exchange.elapsed
                )
            elif isinstance(outcome, Violation):
                self.collector.failed(
                    Finding(
                        check.requirement_id,
                        check.name,
                        outcome.kind,
                        outcome.message,
                        exchange.phase,
                        exchange.operation_id,
                        exchange,
                    )
                )

    def _learn_secrets(self, exchange: Exchange) -> None:
        if not exchange.request.body:
            return
        try:
            body = json.loads(exchange.request.body)
        except ValueError:
            return
        found = secret_values(body)
        if found:
            with self._lock:
                self.env.known_secrets.update(found)
