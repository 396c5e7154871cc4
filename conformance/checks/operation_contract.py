"""Spec-driven checks: a successful answer has the documented status and body schema."""

from __future__ import annotations

from conformance.checks.base import PASS, CheckEnv, CheckFunction, ExchangeCheck, Outcome, Violation
from conformance.core.exchange import Exchange
from conformance.openapi_document import describe_schema_error


def documented_success_status(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A 2xx answer uses the success status the operation documents (e.g. 202, not 201)."""
    status = exchange.response.status
    if exchange.operation_id is None or not 200 <= status < 300:
        return None
    operation = env.document.operation(exchange.operation_id)
    documented = sorted(c for c in operation.definition.get("responses", {}) if c.startswith("2"))
    if str(status) in documented:
        return PASS
    return Violation(
        f"{operation.label} answered {status}; the contract documents {', '.join(documented)}",
        kind=f"status-{status}",
    )


def success_body_matches_schema(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A documented 2xx answer's JSON body validates against the operation's response schema."""
    status = exchange.response.status
    if exchange.operation_id is None or not 200 <= status < 300:
        return None
    operation = env.document.operation(exchange.operation_id)
    if str(status) not in operation.definition.get("responses", {}):
        return None  # documented_success_status reports that
    pointer = env.document.response_schema_pointer(operation, status)
    if pointer is None:
        if exchange.response.body.strip():
            return Violation(
                f"{operation.label} {status} documents no body but one was sent",
                kind="unexpected-body",
            )
        return PASS
    try:
        body = exchange.response.json()
    except ValueError:
        return Violation(f"{operation.label} {status} body is not JSON", kind="not-json")
    error = describe_schema_error(env.document.validator(pointer).iter_errors(body))
    if error is None:
        return PASS
    where, what = error
    return Violation(
        f"{operation.label} {status} body does not match the contract at {where}: {what[:300]}",
        kind="schema",
    )


def success_media_type_is_json(exchange: Exchange, env: CheckEnv) -> Outcome:
    """A 2xx answer with a body is application/json."""
    status = exchange.response.status
    if not 200 <= status < 300 or status == 204:
        return None
    if exchange.response.media_type == "application/json":
        return PASS
    return Violation(
        f"{exchange.operation_id} {status} Content-Type is "
        f"{exchange.response.media_type or '(none)'}",
        kind="success-media-type",
    )


def items_match_component(component: str, member: str) -> CheckFunction:
    """A check that every `member` item of each body object validates against a component."""
    pointer = f"/components/schemas/{component}"

    def check(exchange: Exchange, env: CheckEnv) -> Outcome:
        if not 200 <= exchange.response.status < 300:
            return None
        try:
            body = exchange.response.json()
        except ValueError:
            return None
        objects = body if isinstance(body, list) else [body]
        validator = env.document.validator(pointer)
        for obj in objects:
            for item in (obj.get(member) or []) if isinstance(obj, dict) else []:
                error = describe_schema_error(validator.iter_errors(item))
                if error is not None:
                    where, what = error
                    return Violation(
                        f"{exchange.operation_id}: a {member} item is not a {component}: "
                        f"in the item, {where}: {what[:200]}",
                        kind=f"{member}-item",
                    )
        return PASS

    check.__name__ = f"{member}_items_are_{component}"
    check.__doc__ = f"Each `{member}` item validates against {component}."
    return check


def success_checks(
    api: str, mapping: dict[str, tuple[str, str]], *, media_type_is_json: bool = False
) -> list[ExchangeCheck]:
    """Per operation: its documented success status, (optionally) its JSON media type and
    its body's schema."""
    checks: list[ExchangeCheck] = []
    for operation_id, (status_requirement, body_requirement) in mapping.items():
        checks.append(
            ExchangeCheck(status_requirement, api, documented_success_status, (operation_id,))
        )
        if media_type_is_json:
            checks.append(
                ExchangeCheck(status_requirement, api, success_media_type_is_json, (operation_id,))
            )
        checks.append(
            ExchangeCheck(body_requirement, api, success_body_matches_schema, (operation_id,))
        )
    return checks
