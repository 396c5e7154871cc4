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


def uncovered(checks: Iterable[ExchangeCheck], cases: list[Case]) -> list[str]:
    """Each check (requirement ID and function) lacking a PASS case or a Violation case;
    a case of a known defect (xfail) counts for neither."""
    passing = {(c.requirement_id, c.check) for c in cases if c.expected is PASS and not c.xfail}
    failing = {
        (c.requirement_id, c.check) for c in cases if isinstance(c.expected, str) and not c.xfail
    }
    missing = []
    for check in checks:
        key = (check.requirement_id, check.name)
        for kind, covered in (("PASS", passing), ("Violation", failing)):
            if key not in covered:
                missing.append(f"{check.requirement_id} {check.name}: no {kind} case")
    return missing


def test_every_registered_check_has_a_pass_and_a_violation_case() -> None:
    checks = [check for api_checks in CHECKS.values() for check in api_checks]
    assert uncovered(checks, ALL_CASES) == []


def test_a_new_check_without_cases_is_reported() -> None:
    known = registered("akamai", "AKAMAI-RATE-003", "limit_header_present")
    new = ExchangeCheck("AKAMAI-RATE-099", "akamai", known.function)
    assert uncovered([known, new], ALL_CASES) == [
        "AKAMAI-RATE-099 limit_header_present: no PASS case",
        "AKAMAI-RATE-099 limit_header_present: no Violation case",
    ]


def test_every_case_names_a_registered_check_and_a_unique_id() -> None:
    for case in ALL_CASES:
        registered(case.api, case.requirement_id, case.check)
    ids = [case.id for case in ALL_CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})
