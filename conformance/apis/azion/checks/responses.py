"""Azion: the results envelope on successes and the real service's error shapes."""

from __future__ import annotations

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange

LIST_OPERATIONS = frozenset({"listStreamings", "listTemplates"})


def _success_json(exchange: Exchange) -> object:
    if exchange.response.status not in (200, 201):
        return None
    try:
        return exchange.response.json()
    except ValueError:
        return exchange.response.body


def envelope_present(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Every 200/201 body is an object holding `results` and `schema_version`."""
    if exchange.response.status not in (200, 201):
        return None
    body = _success_json(exchange)
    if isinstance(body, dict) and "results" in body and "schema_version" in body:
        return PASS
    keys = (
        sorted(body)
        if isinstance(body, dict)
        else "a body that isn't JSON"
        if isinstance(body, str)
        else "JSON null"
        if body is None
        else f"a JSON {type(body).__name__}"
    )
    return Violation(
        f"{exchange.response.status} body lacks the results envelope (got {keys})", kind="envelope"
    )


def schema_version_is_3(exchange: Exchange, env: CheckEnv) -> Outcome:
    """`schema_version` is the integer 3."""
    body = _success_json(exchange)
    if not isinstance(body, dict) or "schema_version" not in body:
        return None
    version = body["schema_version"]
    if version == 3 and type(version) is int:
        return PASS
    return Violation(f"schema_version is {version!r}, not 3", kind="schema-version")


def results_shape(exchange: Exchange, env: CheckEnv) -> Outcome:
    """`results` is an array on list operations and one object elsewhere."""
    body = _success_json(exchange)
    if not isinstance(body, dict) or "results" not in body or exchange.operation_id is None:
        return None
    wanted = list if exchange.operation_id in LIST_OPERATIONS else dict
    if isinstance(body["results"], wanted):
        return PASS
    return Violation(
        f"{exchange.operation_id}: results is a {type(body['results']).__name__}, "
        f"expected {'an array' if wanted is list else 'an object'}",
        kind="results",
    )


def _error_json(exchange: Exchange, statuses: frozenset[int]) -> tuple[bool, object]:
    if exchange.response.status not in statuses:
        return False, None
    try:
        return True, exchange.response.json()
    except ValueError:
        return True, None


def bad_request_is_field_map(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A 400 body maps field names (or error keys) to lists of message strings."""
    applies, body = _error_json(exchange, frozenset({400}))
    if not applies:
        return None
    if (
        isinstance(body, dict)
        and body
        and all(
            isinstance(v, list) and v and all(isinstance(m, str) for m in v) for v in body.values()
        )
    ):
        return PASS
    return Violation(
        f"400 body is not a field-keyed map of message lists: {exchange.response.body[:200]!r}",
        kind="400-shape",
    )


def _detail_body(exchange: Exchange, statuses: frozenset[int]) -> Outcome:
    applies, body = _error_json(exchange, statuses)
    if not applies:
        return None
    if isinstance(body, dict) and isinstance(body.get("detail"), str):
        return PASS
    return Violation(
        f"{exchange.response.status} body has no string `detail`: {exchange.response.body[:200]!r}",
        kind=f"{exchange.response.status}-shape",
    )


def auth_and_not_found_have_detail(exchange: Exchange, env: CheckEnv) -> Outcome:
    """401, 403 and 404 bodies are `{"detail": "..."}`."""
    return _detail_body(exchange, frozenset({401, 403, 404}))


def other_errors_have_detail(exchange: Exchange, env: CheckEnv) -> Outcome:
    """406, 409 and 429 bodies are `{"detail": "..."}` too."""
    return _detail_body(exchange, frozenset({406, 409, 429}))


def errors_are_json(exchange: Exchange, env: CheckEnv) -> Outcome:
    """Error responses are application/json."""
    if exchange.response.status < 400:
        return None
    if exchange.response.media_type == "application/json":
        return PASS
    return Violation(
        f"{exchange.response.status} answered with Content-Type "
        f"{exchange.response.media_type or '(none)'}",
        kind="error-media-type",
    )
