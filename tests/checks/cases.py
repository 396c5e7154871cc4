"""Unit-test cases of exchange checks: one exchange in, the outcome it must get out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from conformance.apis import APIS
from conformance.checks.base import PASS, ExchangeCheck, Outcome, Violation, _Pass
from conformance.checks.registry import CHECKS
from conformance.core.exchange import Exchange
from tests.support.exchanges import check_env

# What a case expects: PASS (applies and holds), None (does not apply) or a Violation's kind.
Expected = _Pass | None | str


@dataclass(frozen=True, slots=True)
class Case:
    """One exchange and the outcome the registered check (requirement, function) must give."""

    requirement_id: str
    check: str  # the registered function's name
    name: str  # what the case shows, for the test id
    exchange: Exchange
    expected: Expected
    secrets: tuple[str, ...] = ()  # secret values earlier requests of the run sent
    xfail: str = ""  # a known defect of the check: why its outcome is wrong

    @property
    def api(self) -> str:
        return next(a.name for a in APIS.values() if self.requirement_id.startswith(a.id_prefix))

    @property
    def id(self) -> str:
        return f"{self.requirement_id}-{self.name}"


def registered(api: str, requirement_id: str, function: str) -> ExchangeCheck:
    """The one check registered for `requirement_id` with the function named `function`."""
    found = [c for c in CHECKS[api] if c.requirement_id == requirement_id and c.name == function]
    assert len(found) == 1, f"{len(found)} checks registered as {requirement_id} {function}"
    return found[0]


def requirement_of(api: str, function: str, operation_id: str) -> str:
    """The requirement a check function is registered under for one operation."""
    found = {
        c.requirement_id for c in CHECKS[api] if c.name == function and operation_id in c.operations
    }
    assert len(found) == 1, f"{function} for {operation_id}: registered as {sorted(found)}"
    return found.pop()


def outcome(case: Case) -> Outcome:
    """What the engine's checker would get for the case's exchange (None when the check is
    registered for other operations)."""
    check = registered(case.api, case.requirement_id, case.check)
    if not check.applies_to(case.exchange):
        return None
    return check.function(case.exchange, check_env(case.api, secrets=case.secrets))


def params(cases: list[Case]) -> list[Any]:
    """pytest parameters of `cases`, each with its id and, for a known defect, a strict xfail."""
    marked = []
    for case in cases:
        marks = [pytest.mark.xfail(strict=True, reason=case.xfail)] if case.xfail else []
        marked.append(pytest.param(case, id=case.id, marks=marks))
    return marked


def assert_outcome(case: Case) -> None:
    """The case's exchange gets the expected outcome (a Violation: of the expected kind)."""
    got = outcome(case)
    if case.expected is PASS or case.expected is None:
        assert got is case.expected, f"expected {case.expected!r}, got {got!r}"
    else:
        assert isinstance(got, Violation), f"expected a {case.expected} violation, got {got!r}"
        assert got.kind == case.expected, got
        assert got.message
