"""Akamai: every 4xx is an RFC 7807 problem (seed: "Error responses")."""

from __future__ import annotations

from typing import Any

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange

PROBLEM_MEDIA_TYPE = "application/problem+json"
# The seed's status table; nothing else may be produced.
DOCUMENTED_STATUSES = frozenset({200, 201, 202, 400, 401, 402, 403, 404, 405, 415, 429})


def _problem(exchange: Exchange) -> tuple[bool, Any]:
    """(applies, parsed body or None) for client-error responses."""
    if not 400 <= exchange.response.status < 500:
        return False, None
    try:
        return True, exchange.response.json()
    except ValueError:
        return True, None


def status_is_documented(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every status is one the seed's status table lists (so never a 5xx)."""
    if exchange.response.status in DOCUMENTED_STATUSES:
        return PASS
    return Violation(
        f"{exchange.request.method} {exchange.request.path} answered "
        f"{exchange.response.status}, which the status table does not list",
        kind=f"status-{exchange.response.status}",
    )


def problem_body_is_object(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A 4xx body is a JSON object."""
    applies, body = _problem(exchange)
    if not applies:
        return None
    if isinstance(body, dict):
        return PASS
    return Violation(
        f"{exchange.response.status} body is not a JSON object: {exchange.response.body[:120]!r}",
        kind="problem-not-object",
    )


def problem_media_type(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A 4xx answers with Content-Type application/problem+json."""
    if not 400 <= exchange.response.status < 500:
        return None
    if exchange.response.media_type == PROBLEM_MEDIA_TYPE:
        return PASS
    return Violation(
        f"{exchange.response.status} Content-Type is {exchange.response.media_type or '(none)'}",
        kind="problem-media-type",
    )


def _member(name: str, wanted: type, exchange: Exchange) -> Outcome:
    applies, body = _problem(exchange)
    if not applies or not isinstance(body, dict):
        return None
    value = body.get(name)
    if isinstance(value, wanted) and not isinstance(value, bool):
        return PASS
    return Violation(
        f"{exchange.response.status} problem has "
        f"{'no ' + name if value is None else f'{name} {value!r}'}",
        kind=f"problem-{name}",
    )


def problem_has_type(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A problem has a string `type`."""
    return _member("type", str, exchange)


def problem_has_title(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A problem has a string `title`."""
    return _member("title", str, exchange)


def problem_has_instance(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A problem has a string `instance`."""
    return _member("instance", str, exchange)


def problem_status_matches(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A problem's integer `status` equals the HTTP status."""
    present = _member("status", int, exchange)
    if present is not PASS:
        return present
    body = exchange.response.json()
    if body["status"] == exchange.response.status:
        return PASS
    return Violation(
        f"problem status {body['status']} disagrees with HTTP {exchange.response.status}",
        kind="problem-status-mismatch",
    )


def problem_errors_are_details(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A problem's optional `errors` is an array of {type, title, detail} objects."""
    applies, body = _problem(exchange)
    if not applies or not isinstance(body, dict) or "errors" not in body:
        return None
    errors = body["errors"]
    if isinstance(errors, list) and all(
        isinstance(e, dict) and all(isinstance(e.get(k), str) for k in ("type", "title", "detail"))
        for e in errors
    ):
        return PASS
    return Violation(f"problem errors[] is malformed: {str(errors)[:160]}", kind="problem-errors")
