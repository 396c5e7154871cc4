"""Akamai's X-RateLimit-* headers (seed: "Rate limiting"):
conformance/checks/rate_limit_headers.py."""

from __future__ import annotations

import pytest

from conformance.checks.base import PASS
from tests.checks.cases import Case, assert_outcome, params
from tests.support.exchanges import PROBLEM_JSON, exchange, seed_exchange, variant

LIST = seed_exchange("akamai", "List streams")  # 200, X-RateLimit-Limit 20, -Remaining 19
PROBLEM = seed_exchange("akamai", "Error responses: unlabelled")  # the seed's 400 problem
NEXT = "2026-12-02T16:01:00Z"
LIMITED = exchange(
    "akamai",
    "listStreams",
    status=429,
    body={"type": "too-many-requests", "title": "Too many requests", "status": 429},
    media_type=PROBLEM_JSON,
    headers={"X-RateLimit-Limit": "20", "X-RateLimit-Remaining": "0", "X-RateLimit-Next": NEXT},
)
LOWERCASE = variant(
    LIST,
    drop=("X-RateLimit-Limit", "X-RateLimit-Remaining"),
    headers={"x-ratelimit-limit": "20", "x-ratelimit-remaining": "0", "x-ratelimit-next": NEXT},
)
EXHAUSTED = variant(LIST, headers={"X-RateLimit-Remaining": "0"})


def _remaining(value: str) -> dict[str, str]:
    return {"X-RateLimit-Remaining": value}


CASES = [
    # AKAMAI-RATE-003: every response, success or error (429 included), carries the Limit.
    Case("AKAMAI-RATE-003", "limit_header_present", "seed-list-200", LIST, PASS),
    Case("AKAMAI-RATE-003", "limit_header_present", "seed-problem-400", PROBLEM, PASS),
    Case("AKAMAI-RATE-003", "limit_header_present", "429", LIMITED, PASS),
    Case("AKAMAI-RATE-003", "limit_header_present", "lowercase-name", LOWERCASE, PASS),
    Case(
        "AKAMAI-RATE-003",
        "limit_header_present",
        "missing-on-200",
        variant(LIST, drop=("X-RateLimit-Limit",)),
        "missing-limit",
    ),
    Case(
        "AKAMAI-RATE-003",
        "limit_header_present",
        "missing-on-400",
        variant(PROBLEM, drop=("X-RateLimit-Limit",)),
        "missing-limit",
    ),
    Case(
        "AKAMAI-RATE-003",
        "limit_header_present",
        "not-a-number",
        variant(LIST, headers={"X-RateLimit-Limit": "twenty"}),
        "missing-limit",
    ),
    # AKAMAI-RATE-004: every response carries the Remaining count.
    Case("AKAMAI-RATE-004", "remaining_header_present", "seed-list-200", LIST, PASS),
    Case("AKAMAI-RATE-004", "remaining_header_present", "zero-on-429", LIMITED, PASS),
    Case("AKAMAI-RATE-004", "remaining_header_present", "lowercase-name", LOWERCASE, PASS),
    Case(
        "AKAMAI-RATE-004",
        "remaining_header_present",
        "missing-on-400",
        variant(PROBLEM, drop=("X-RateLimit-Remaining",)),
        "missing-remaining",
    ),
    Case(
        "AKAMAI-RATE-004",
        "remaining_header_present",
        "negative",
        variant(LIST, headers=_remaining("-1")),
        "missing-remaining",
    ),
    Case(
        "AKAMAI-RATE-004",
        "remaining_header_present",
        "empty-value",
        variant(LIST, headers=_remaining("")),
        "missing-remaining",
    ),
    # AKAMAI-RATE-005: Next is required once Remaining is 0 (every 429), optional before.
    Case("AKAMAI-RATE-005", "next_header_when_exhausted", "remaining-19-no-next", LIST, None),
    Case("AKAMAI-RATE-005", "next_header_when_exhausted", "429-with-next", LIMITED, PASS),
    Case("AKAMAI-RATE-005", "next_header_when_exhausted", "lowercase-next", LOWERCASE, PASS),
    Case(
        "AKAMAI-RATE-005",
        "next_header_when_exhausted",
        "200-remaining-0-with-next",
        variant(EXHAUSTED, headers={"X-RateLimit-Next": NEXT}),
        PASS,
    ),
    Case(
        "AKAMAI-RATE-005",
        "next_header_when_exhausted",
        "200-remaining-0-no-next",
        EXHAUSTED,
        "missing-next",
    ),
    Case(
        "AKAMAI-RATE-005",
        "next_header_when_exhausted",
        "429-no-next",
        variant(LIMITED, drop=("X-RateLimit-Next",)),
        "missing-next",
    ),
    Case(
        "AKAMAI-RATE-005",
        "next_header_when_exhausted",
        "429-no-rate-headers",
        variant(LIMITED, drop=("X-RateLimit-Next", "X-RateLimit-Remaining")),
        "missing-next",
    ),
    # AKAMAI-RATE-006: the Limit is the seed's 20 tokens.
    Case("AKAMAI-RATE-006", "limit_is_seed_budget", "seed-20", LIST, PASS),
    Case("AKAMAI-RATE-006", "limit_is_seed_budget", "lowercase-name", LOWERCASE, PASS),
    Case(
        "AKAMAI-RATE-006",
        "limit_is_seed_budget",
        "limit-100",
        variant(LIST, headers={"X-RateLimit-Limit": "100"}),
        "limit-value",
    ),
    Case(
        "AKAMAI-RATE-006",
        "limit_is_seed_budget",
        "no-limit-header",
        variant(LIST, drop=("X-RateLimit-Limit",)),
        None,
    ),
    # AKAMAI-RATE-009: Remaining climbs back to the Limit, never past it.
    Case("AKAMAI-RATE-009", "remaining_within_limit", "19-of-20", LIST, PASS),
    Case(
        "AKAMAI-RATE-009",
        "remaining_within_limit",
        "20-of-20",
        variant(LIST, headers=_remaining("20")),
        PASS,
    ),
    Case(
        "AKAMAI-RATE-009",
        "remaining_within_limit",
        "21-of-20",
        variant(LIST, headers=_remaining("21")),
        "remaining-over-limit",
    ),
    Case(
        "AKAMAI-RATE-009",
        "remaining_within_limit",
        "no-remaining",
        variant(LIST, drop=("X-RateLimit-Remaining",)),
        None,
    ),
    # AKAMAI-RATE-010: once Remaining is 0, Next is an ISO 8601 timestamp.
    Case("AKAMAI-RATE-010", "next_is_iso8601", "utc-z", LIMITED, PASS),
    Case("AKAMAI-RATE-010", "next_is_iso8601", "lowercase-name", LOWERCASE, PASS),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "offset-and-fraction",
        variant(LIMITED, headers={"X-RateLimit-Next": "2026-12-02T17:01:00.250+01:00"}),
        PASS,
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "http-date",
        variant(LIMITED, headers={"X-RateLimit-Next": "Wed, 02 Dec 2026 16:01:00 GMT"}),
        "next-format",
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "epoch-seconds",
        variant(LIMITED, headers={"X-RateLimit-Next": "1796227260"}),
        "next-format",
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "akamai-body-date-form",
        variant(LIMITED, headers={"X-RateLimit-Next": "02-12-2026 16:01:00 GMT"}),
        "next-format",
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "remaining-not-0",
        variant(LIST, headers={"X-RateLimit-Next": "soon"}),
        None,
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "no-next",
        EXHAUSTED,
        None,
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "local-time-without-zone",
        variant(LIMITED, headers={"X-RateLimit-Next": "2026-12-02T16:01:00"}),
        PASS,
    ),
    Case(
        "AKAMAI-RATE-010",
        "next_is_iso8601",
        "space-for-T",
        variant(LIMITED, headers={"X-RateLimit-Next": "2026-12-02 16:01:00+00:00"}),
        "next-format",
    ),
    # AKAMAI-STATUS-012: 429 only for rate limiting, so it says no tokens remain.
    Case(
        "AKAMAI-STATUS-012", "too_many_requests_means_exhausted", "429-remaining-0", LIMITED, PASS
    ),
    Case(
        "AKAMAI-STATUS-012",
        "too_many_requests_means_exhausted",
        "429-lowercase-remaining-0",
        variant(LIMITED, drop=("X-RateLimit-Remaining",), headers={"x-ratelimit-remaining": "0"}),
        PASS,
    ),
    Case(
        "AKAMAI-STATUS-012",
        "too_many_requests_means_exhausted",
        "429-remaining-5",
        variant(LIMITED, headers=_remaining("5")),
        "429-not-exhausted",
    ),
    Case(
        "AKAMAI-STATUS-012",
        "too_many_requests_means_exhausted",
        "429-no-remaining",
        variant(LIMITED, drop=("X-RateLimit-Remaining",)),
        "429-not-exhausted",
    ),
    Case("AKAMAI-STATUS-012", "too_many_requests_means_exhausted", "200", EXHAUSTED, None),
]


@pytest.mark.parametrize("case", params(CASES))
def test_rate_limit_headers(case: Case) -> None:
    """Each case's exchange gets the outcome its requirement's statement demands."""
    assert_outcome(case)
