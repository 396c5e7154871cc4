"""Every registered exchange check has unit tests: a case it passes and a case it fails."""

from __future__ import annotations

from collections.abc import Iterable

from conformance.checks.base import PASS, ExchangeCheck
from conformance.checks.registry import CHECKS
from tests.checks import (
    test_azion_responses,
    test_operation_contract,
    test_problem_details,
    test_rate_limit_headers,
    test_secrets,
    test_stream_bodies,
)
from tests.checks.cases import Case, registered

ALL_CASES: list[Case] = [
    *test_azion_responses.CASES,
    *test_operation_contract.CASES,
    *test_problem_details.CASES,
    *test_rate_limit_headers.CASES,
    *test_secrets.CASES,
    *test_stream_bodies.CASES,
]


# The checks that judge every exchange of their API: no exchange they do not apply to.
APPLY_TO_EVERY_EXCHANGE = frozenset(
    {"limit_header_present", "remaining_header_present", "status_is_documented"}
)


def uncovered(checks: Iterable[ExchangeCheck], cases: list[Case]) -> list[str]:
    """Each check (requirement ID and function) lacking a PASS case, a Violation case or,
    unless it judges every exchange, a case it does not apply to; a case of a known defect
    (xfail) counts for none of them."""
    sure = [c for c in cases if not c.xfail]
    passing = {(c.requirement_id, c.check) for c in sure if c.expected is PASS}
    failing = {(c.requirement_id, c.check) for c in sure if isinstance(c.expected, str)}
    skipped = {(c.requirement_id, c.check) for c in sure if c.expected is None}
    missing = []
    for check in checks:
        key = (check.requirement_id, check.name)
        wanted = [("PASS", passing), ("Violation", failing)]
        if check.operations or check.name not in APPLY_TO_EVERY_EXCHANGE:
            wanted.append(("does-not-apply", skipped))
        for kind, covered in wanted:
            if key not in covered:
                missing.append(f"{check.requirement_id} {check.name}: no {kind} case")
    return missing


def test_every_registered_check_has_a_pass_a_violation_and_a_does_not_apply_case() -> None:
    checks = [check for api_checks in CHECKS.values() for check in api_checks]
    assert uncovered(checks, ALL_CASES) == []


def test_a_new_check_without_cases_is_reported() -> None:
    known = registered("akamai", "AKAMAI-RATE-003", "limit_header_present")
    new = ExchangeCheck("AKAMAI-RATE-099", "akamai", known.function)
    assert uncovered([known, new], ALL_CASES) == [
        "AKAMAI-RATE-099 limit_header_present: no PASS case",
        "AKAMAI-RATE-099 limit_header_present: no Violation case",
    ]
    narrowed = ExchangeCheck("AKAMAI-RATE-003", "akamai", known.function, ("listStreams",))
    assert uncovered([narrowed], ALL_CASES) == [
        "AKAMAI-RATE-003 limit_header_present: no does-not-apply case"
    ]


def test_every_case_names_a_registered_check_and_a_unique_id() -> None:
    for case in ALL_CASES:
        registered(case.api, case.requirement_id, case.check)
    ids = [case.id for case in ALL_CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
