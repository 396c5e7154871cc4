"""Akamai: the X-RateLimit-* headers every response carries (seed: "Rate limiting")."""

from __future__ import annotations

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange
from conformance.time_formats import parse_iso8601

SEED_LIMIT = 20


def _int_header(exchange: Exchange, name: str) -> int | None:
    value = exchange.response.header(name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def limit_header_present(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every response carries X-RateLimit-Limit (an integer)."""
    if _int_header(exchange, "X-RateLimit-Limit") is not None:
        return PASS
    value = exchange.response.header("X-RateLimit-Limit")
    return Violation(
        f"{exchange.response.status} response has "
        f"{'no X-RateLimit-Limit' if value is None else f'X-RateLimit-Limit {value!r}'}",
        kind="missing-limit",
    )


def remaining_header_present(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every response carries X-RateLimit-Remaining (a non-negative integer)."""
    remaining = _int_header(exchange, "X-RateLimit-Remaining")
    if remaining is not None and remaining >= 0:
        return PASS
    value = exchange.response.header("X-RateLimit-Remaining")
    return Violation(
        f"{exchange.response.status} response has "
        f"{'no X-RateLimit-Remaining' if value is None else f'X-RateLimit-Remaining {value!r}'}",
        kind="missing-remaining",
    )


def next_header_when_exhausted(exchange: Exchange, env: CheckEnv) -> Outcome:
    """X-RateLimit-Next is present once Remaining is 0, and on every 429."""
    remaining = _int_header(exchange, "X-RateLimit-Remaining")
    if remaining != 0 and exchange.response.status != 429:
        return None
    if exchange.response.header("X-RateLimit-Next") is not None:
        return PASS
    return Violation(
        f"{exchange.response.status} response with X-RateLimit-Remaining "
        f"{remaining} has no X-RateLimit-Next",
        kind="missing-next",
    )


def limit_is_seed_budget(exchange: Exchange, env: CheckEnv) -> Outcome:
    """X-RateLimit-Limit is 20, the seed's per-client budget."""
    limit = _int_header(exchange, "X-RateLimit-Limit")
    if limit is None:
        return None
    if limit == SEED_LIMIT:
        return PASS
    return Violation(
        f"X-RateLimit-Limit is {limit}, the seed's budget is {SEED_LIMIT}", kind="limit-value"
    )


def remaining_within_limit(exchange: Exchange, env: CheckEnv) -> Outcome:
    """X-RateLimit-Remaining never exceeds X-RateLimit-Limit."""
    limit = _int_header(exchange, "X-RateLimit-Limit")
    remaining = _int_header(exchange, "X-RateLimit-Remaining")
    if limit is None or remaining is None:
        return None
    if remaining <= limit:
        return PASS
    return Violation(
        f"X-RateLimit-Remaining {remaining} exceeds X-RateLimit-Limit {limit}",
        kind="remaining-over-limit",
    )


def next_is_iso8601(exchange: Exchange, env: CheckEnv) -> Outcome:
    """When Remaining is 0, X-RateLimit-Next is an ISO 8601 timestamp."""
    value = exchange.response.header("X-RateLimit-Next")
    if value is None or _int_header(exchange, "X-RateLimit-Remaining") != 0:
        return None
    if parse_iso8601(value) is not None:
        return PASS
    return Violation(f"X-RateLimit-Next {value!r} is not an ISO 8601 timestamp", kind="next-format")


def too_many_requests_means_exhausted(exchange: Exchange, env: CheckEnv) -> Outcome:
    """429 is used only for rate limiting: it carries X-RateLimit-Remaining 0."""
    if exchange.response.status != 429:
        return None
    remaining = _int_header(exchange, "X-RateLimit-Remaining")
    if remaining == 0:
        return PASS
    return Violation(f"429 with X-RateLimit-Remaining {remaining}", kind="429-not-exhausted")
