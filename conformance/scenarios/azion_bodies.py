"""Azion scenarios about request bodies: endpoint types, validation rules and templates."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from conformance.scenarios.azion_account import (
    ENDPOINT_REQUIREMENTS,
    ENDPOINT_SAMPLES,
    AzionAccount,
    required_variables,
)
from conformance.scenarios.azion_support import (
    STREAMINGS,
    TEMPLATES,
    Created,
    account,
    brief,
    content_differences,
    echo_differences,
    endpoint_differences,
    find_by_id,
    ok,
    results_list,
    results_object,
    send,
    status_text,
    streaming_path,
    template_path,
)
from conformance.scenarios.base import Scenario, ScenarioContext

SIX_HEADERS = {f"header-name-{n}": f"header-api-value-{n}" for n in range(1, 7)}
DATA_SOURCES = ("http", "waf", "cells_console")
UNKNOWN_TEMPLATE_OFFSET = 1_000_000

# ---------------------------------------------------------------------- endpoint-types

ENDPOINT_CITES = (
    "AZION-ENDPOINT-001",
    *ENDPOINT_REQUIREMENTS.values(),
    "AZION-ENDPOINT-010",
    "AZION-LIST-003",
    "AZION-GET-001",
)


def endpoint_types(ctx: ScenarioContext) -> None:
    """One streaming per endpoint type: created, listed, read; each variable required."""
    found = account(ctx)
    created = Created(ctx)
    made = _create_each_type(ctx, created, found)
    _list_and_read_each(ctx, made)
    _drop_each_variable(ctx, created, found)
    _unknown_endpoint_types(ctx, created, found, made)


def _create_each_type(
    ctx: ScenarioContext, created: Created, found: AzionAccount
) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    made: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
    for endpoint_type, requirement_id in ENDPOINT_REQUIREMENTS.items():
        body = found.streaming_body(ctx.name(endpoint_type), endpoint_type=endpoint_type)
        exchange, shown = created.create(body)
        problems = echo_differences(body, shown) if ok(exchange) else []
        ctx.expect(
            requirement_id,
            ok(exchange) and not problems,
            f"{endpoint_type} endpoint with every variable: {status_text(exchange)}; "
            f"{brief(problems)}",
            exchange,
        )
        if shown is not None:
            made[endpoint_type] = (body, shown)
    return made


def _list_and_read_each(
    ctx: ScenarioContext, made: dict[str, tuple[dict[str, Any], dict[str, Any]]]
) -> None:
    listing = send(ctx, "GET", STREAMINGS)
    items = results_list(listing)
    for endpoint_type, (body, shown) in made.items():
        drift = content_differences(shown, find_by_id(items, shown["id"]))
        ctx.expect(
            "AZION-LIST-003",
            not drift,
            f"the {endpoint_type} streaming {shown['id']} in the list: {brief(drift)}",
            listing,
        )
        got = send(ctx, "GET", streaming_path(shown["id"]))
        read = results_object(got) or {}
        ctx.expect(
            "AZION-GET-001",
            got.response.status == 200 and read.get("id") == shown["id"],
            f"GET of streaming {shown['id']}: {status_text(got)}, id "
            f"{read.get('id', '(missing)')!r}",
            got,
        )
        problems = endpoint_differences(body["endpoint"], read.get("endpoint"))
        ctx.expect(
            ENDPOINT_REQUIREMENTS[endpoint_type],
            got.response.status == 200 and not problems,
            f"reading the {endpoint_type} streaming: {status_text(got)}; {brief(problems)}",
            got,
        )


def _drop_each_variable(ctx: ScenarioContext, created: Created, found: AzionAccount) -> None:
    for endpoint_type, requirement_id in ENDPOINT_REQUIREMENTS.items():
        for variable in required_variables(endpoint_type):
            body = found.streaming_body(
                ctx.name(f"{endpoint_type}-no-{variable}"), endpoint_type=endpoint_type
            )
            del body["endpoint"][variable]
            created.expect_refused(
                f"{endpoint_type} endpoint without {variable}",
                "POST",
                STREAMINGS,
                body,
                "AZION-ENDPOINT-001",
                requirement_id,
            )


def _unknown_endpoint_types(
    ctx: ScenarioContext,
    created: Created,
    found: AzionAccount,
    made: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    """endpoint_type `splunk` or none at all: 400 on create, PUT and PATCH."""
    splunk = {**copy.deepcopy(ENDPOINT_SAMPLES["elasticsearch"]), "endpoint_type": "splunk"}
    untyped = {k: v for k, v in ENDPOINT_SAMPLES["datadog"].items() if k != "endpoint_type"}
    targets = [("POST", STREAMINGS)]
    if made:
        first = streaming_path(next(iter(made.values()))[1]["id"])
        targets += [("PUT", first), ("PATCH", first)]
    for method, path in targets:
        for label, endpoint in (("endpoint_type splunk", splunk), ("no endpoint_type", untyped)):
            body: dict[str, Any] = found.streaming_body(ctx.name("bad-type"), endpoint=endpoint)
            if method == "PATCH":
                body = {"endpoint": endpoint}
            created.expect_refused(
                f"{method} with {label}", method, path, body, "AZION-ENDPOINT-010"
            )
    if made:
        first = streaming_path(next(iter(made.values()))[1]["id"])
        lacking = {k: v for k, v in ENDPOINT_SAMPLES["kafka"].items() if k != "kafka_topic"}
        created.expect_refused(
            "PATCH with a kafka endpoint without kafka_topic",
            "PATCH",
            first,
            {"endpoint": lacking},
            "AZION-ENDPOINT-001",
        )


# ---------------------------------------------------------------------- validation

VALIDATION_CITES = (
    "AZION-CREATE-003",
    "AZION-CREATE-004",
    "AZION-CREATE-005",
    "AZION-TEMPLATE-003",
    "AZION-TEMPLATE-004",
    "AZION-HEADERS-002",
    "AZION-HEADERS-003",
    "AZION-DATASOURCE-001",
    "AZION-ERROR-006",
)
SCHEMA = "AZION-ERROR-006"  # every refusal below breaks the documented body schema
Mutation = Callable[[dict[str, Any]], None]


def _without(key: str) -> Mutation:
    return lambda body: body.pop(key, None)


def _setting(key: str, value: Any) -> Mutation:
    return lambda body: body.__setitem__(key, copy.deepcopy(value))


def _endpoint(endpoint_type: str, **extra: Any) -> dict[str, Any]:
    return {**copy.deepcopy(ENDPOINT_SAMPLES[endpoint_type]), **copy.deepcopy(extra)}


def _both_templates(body: dict[str, Any]) -> None:
    body["template_model"] = '{"time": "$time"}'


# (what, requirement, mutation of a valid full body); each is sent as a create and as a PUT.
FULL_BODY_REFUSALS: tuple[tuple[str, str, Mutation], ...] = (
    ("no name", "AZION-CREATE-003", _without("name")),
    ("a numeric name", "AZION-CREATE-003", _setting("name", 12345)),
    ("no domain_ids", "AZION-CREATE-004", _without("domain_ids")),
    ("domain_ids as a string", "AZION-CREATE-004", _setting("domain_ids", "1616535973")),
    ("no endpoint", "AZION-CREATE-005", _without("endpoint")),
    ("neither template_id nor template_model", "AZION-TEMPLATE-003", _without("template_id")),
    ("both template_id and template_model", "AZION-TEMPLATE-003", _both_templates),
    (
        "6 custom headers",
        "AZION-HEADERS-002",
        _setting("endpoint", _endpoint("standard", headers=SIX_HEADERS)),
    ),
    (
        "a non-string header value",
        "AZION-HEADERS-002",
        _setting("endpoint", _endpoint("standard", headers={"header-name-1": 1})),
    ),
    (
        "headers on a kafka endpoint",
        "AZION-HEADERS-003",
        _setting("endpoint", _endpoint("kafka", headers={"header-name-1": "value"})),
    ),
    (
        "headers on a datadog endpoint",
        "AZION-HEADERS-003",
        _setting("endpoint", _endpoint("datadog", headers={"header-name-1": "value"})),
    ),
    ("data_source ftp", "AZION-DATASOURCE-001", _setting("data_source", "ftp")),
    # `active` has no requirement of its own: only the body schema says it is a boolean.
    ("active as a string", SCHEMA, _setting("active", "yes")),
)
# (what, requirement, PATCH body)
PATCH_REFUSALS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("domain_ids as a string", "AZION-CREATE-004", {"domain_ids": "1616535973"}),
    ("a numeric template_model", "AZION-TEMPLATE-004", {"template_model": 5}),
    (
        "6 custom headers",
        "AZION-HEADERS-002",
        {"endpoint": _endpoint("standard", headers=SIX_HEADERS)},
    ),
    (
        "headers on a kafka endpoint",
        "AZION-HEADERS-003",
        {"endpoint": _endpoint("kafka", headers={"header-name-1": "value"})},
    ),
    ("data_source ftp", "AZION-DATASOURCE-001", {"data_source": "ftp"}),
    ("active as a string", SCHEMA, {"active": "yes"}),
)


def validation(ctx: ScenarioContext) -> None:
    """Each rule of the create/PUT/PATCH bodies broken once: 400; the data sources accepted."""
    found = account(ctx)
    created = Created(ctx)
    _, base = created.create_required(found.streaming_body(ctx.name("base")))
    path = streaming_path(base["id"])
    for what, requirement_id, mutate in FULL_BODY_REFUSALS:
        for method, target in (("POST", STREAMINGS), ("PUT", path)):
            body = found.streaming_body(ctx.name("invalid"))
            mutate(body)
            created.expect_refused(
                f"{method} with {what}", method, target, body, requirement_id, SCHEMA
            )
    model_only = found.streaming_body(ctx.name("invalid"))
    del model_only["template_id"]
    model_only["template_model"] = 5
    created.expect_refused(
        "create with a numeric template_model",
        "POST",
        STREAMINGS,
        model_only,
        "AZION-TEMPLATE-004",
        SCHEMA,
    )
    both = {"template_id": found.template_id, "template_model": '{"time": "$time"}'}
    created.expect_refused(
        "PATCH with both templates", "PATCH", path, both, "AZION-TEMPLATE-003", SCHEMA
    )
    for what, requirement_id, patch in PATCH_REFUSALS:
        created.expect_refused(f"PATCH with {what}", "PATCH", path, patch, requirement_id, SCHEMA)
    _data_sources_accepted(ctx, created, found, path)


def _data_sources_accepted(
    ctx: ScenarioContext, created: Created, found: AzionAccount, path: str
) -> None:
    body = found.streaming_body(ctx.name("cells"), data_source="cells_console")
    exchange, shown = created.create(body)
    ctx.expect(
        "AZION-DATASOURCE-001",
        ok(exchange) and (shown or {}).get("data_source") == "cells_console",
        f"create with data_source cells_console: {status_text(exchange)}, data_source "
        f"{(shown or {}).get('data_source', '(missing)')!r}",
        exchange,
    )
    for source in (*DATA_SOURCES[1:], DATA_SOURCES[0]):
        exchange = send(ctx, "PATCH", path, json={"data_source": source})
        shown = results_object(exchange)
        ctx.expect(
            "AZION-DATASOURCE-001",
            ok(exchange) and (shown or {}).get("data_source") == source,
            f"PATCH data_source {source}: {status_text(exchange)}, data_source "
            f"{(shown or {}).get('data_source', '(missing)')!r}",
            exchange,
        )


# ---------------------------------------------------------------------- templates

TEMPLATE_CITES = (
    "AZION-TEMPLATE-001",
    "AZION-TEMPLATE-002",
    "AZION-TEMPLATE-006",
    "AZION-TEMPLATE-007",
    "AZION-TEMPLATE-008",
)


def template_rules(ctx: ScenarioContext) -> None:
    """A custom template_model: accepted, echoed, never listed; back to a template_id."""
    found = account(ctx)
    created = Created(ctx)
    before = results_list(send(ctx, "GET", TEMPLATES)) or []
    model = json.dumps(
        {"custom_template_field": "$custom_value", "status": "$status", "run": ctx.name("custom")}
    )
    body = found.streaming_body(ctx.name("custom"), endpoint_type="datadog")
    del body["template_id"]
    body["template_model"] = model
    exchange, shown = created.create(body)
    ctx.expect(
        "AZION-TEMPLATE-002",
        exchange.response.status == 201 and (shown or {}).get("template_model") == model,
        f"create with a template_model: {status_text(exchange)}, template_model "
        f"{'echoed' if (shown or {}).get('template_model') == model else 'not echoed'}",
        exchange,
    )
    _custom_not_listed(ctx, before, model)
    if shown is not None:
        _back_to_template_id(ctx, found, shown)
    _each_listed_template_readable(ctx, before)
    known = [t["id"] for t in before if isinstance(t.get("id"), int)]
    unknown = max(known, default=0) + UNKNOWN_TEMPLATE_OFFSET
    got = send(ctx, "GET", template_path(unknown))
    ctx.expect(
        "AZION-TEMPLATE-008",
        got.response.status == 404,
        f"template {unknown} (not listed): expected 404, {status_text(got)}",
        got,
    )


def _each_listed_template_readable(ctx: ScenarioContext, listed: list[dict[str, Any]]) -> None:
    """GET of each listed template answers that template, as listed."""
    for template in listed:
        if template.get("id") is None:
            continue
        got = send(ctx, "GET", template_path(template["id"]))
        drift = content_differences(template, results_object(got))
        ctx.expect(
            "AZION-TEMPLATE-007",
            got.response.status == 200 and not drift,
            f"template {template['id']} as listed: {status_text(got)}; {brief(drift)}",
            got,
        )


def _custom_not_listed(ctx: ScenarioContext, before: list[dict[str, Any]], model: str) -> None:
    listing = send(ctx, "GET", TEMPLATES)
    after = results_list(listing)
    old_ids = {t.get("id") for t in before}
    new = [t for t in after or [] if t.get("id") not in old_ids or t.get("template_model") == model]
    ctx.expect(
        "AZION-TEMPLATE-006",
        after is not None and not new,
        f"templates after a custom one: {status_text(listing)}; newly listed ids "
        f"{[t.get('id') for t in new]}",
        listing,
    )


def _back_to_template_id(ctx: ScenarioContext, found: AzionAccount, shown: dict[str, Any]) -> None:
    patch = {"template_id": found.template_id}
    exchange = send(ctx, "PATCH", streaming_path(shown["id"]), json=patch)
    after = results_object(exchange)
    ctx.expect(
        "AZION-TEMPLATE-001",
        ok(exchange) and (after or {}).get("template_id") == found.template_id,
        f"PATCH template_id {found.template_id}: {status_text(exchange)}, template_id "
        f"{(after or {}).get('template_id', '(missing)')!r}",
        exchange,
    )


# ---------------------------------------------------------------------- registry

ENDPOINT_TYPES = Scenario(
    "endpoint-types",
    "azion",
    endpoint_types,
    ENDPOINT_CITES,
    description="Each endpoint type created, listed and read; each of its variables required.",
)
VALIDATION = Scenario(
    "validation",
    "azion",
    validation,
    VALIDATION_CITES,
    description="Every body rule broken once on create, PUT and PATCH; the data sources.",
)
TEMPLATE_RULES = Scenario(
    "templates",
    "azion",
    template_rules,
    TEMPLATE_CITES,
    description="template_model instead of template_id; custom templates stay unlisted.",
)
