"""Azion scenarios about request bodies: endpoint types, validation rules and templates."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from conformance.apis.azion.scenarios.account import (
    ENDPOINT_REQUIREMENTS,
    ENDPOINT_SAMPLES,
    AzionAccount,
    required_variables,
)
from conformance.apis.azion.scenarios.support import (
    STREAMINGS,
    TEMPLATES,
    Created,
    account,
    brief,
    content_differences,
    echo_differences,
    endpoint_differences,
    endpoint_twin,
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

# The minimal profile leaves out one variable per endpoint type: the one an implementation is
# likeliest to let go.
MINIMAL_DROPPED_VARIABLE: dict[str, str] = {
    "standard": "payload_format",  # the seed's `$dataset` reads like a default
    "kafka": "bootstrap_servers",  # Kafka clients fall back to localhost:9092 without it
    "s3": "secret_key",  # write-only (never read back), and IAM roles make keys look optional
    "big_query": "service_account_key",  # write-only; default credentials seem to stand in
    "elasticsearch": "api_key",  # write-only; an unsecured cluster needs none
    # The type's own member: its credentials and region are s3's, which a validator shared
    # with s3 already checks.
    "aws_kinesis_firehose": "stream_name",
    "datadog": "api_key",  # write-only; the url alone names the intake
    "qradar": "url",  # its only variable
}
# The one streaming the minimal profile reads back: two secrets to hide and six variables to
# show, and not the first one made (a read that ignores the id answers the first).
MINIMAL_READ_TYPE = "s3"


def minimal_variable_drops() -> list[tuple[str, str]]:
    """(endpoint type, variable) the minimal profile leaves out: one per endpoint type."""
    return [(t, MINIMAL_DROPPED_VARIABLE[t]) for t in ENDPOINT_REQUIREMENTS]


ENDPOINT_CITES = (
    "AZION-CREATE-001",
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
        if ctx.minimal and endpoint_type != MINIMAL_READ_TYPE:
            continue
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
    drops = [(t, v) for t in ENDPOINT_REQUIREMENTS for v in required_variables(t)]
    for endpoint_type, variable in minimal_variable_drops() if ctx.minimal else drops:
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
            ENDPOINT_REQUIREMENTS[endpoint_type],
            twin=endpoint_twin("POST", endpoint_type),
        )


def _unknown_endpoint_types(
    ctx: ScenarioContext,
    created: Created,
    found: AzionAccount,
    made: dict[str, tuple[dict[str, Any], dict[str, Any]]],
) -> None:
    """An endpoint_type nobody documents, or none at all: 400 on create, PUT and PATCH.

    `splunk` is no longer the example: Azion's own OpenAPI and console send it (ERRATUM-AZION-019).
    """
    splunk = {**copy.deepcopy(ENDPOINT_SAMPLES["elasticsearch"]), "endpoint_type": "syslog"}
    untyped = {k: v for k, v in ENDPOINT_SAMPLES["datadog"].items() if k != "endpoint_type"}
    targets = [("POST", STREAMINGS)]
    if made:
        first = streaming_path(next(iter(made.values()))[1]["id"])
        targets += [("PUT", first), ("PATCH", first)]
    variants = (("endpoint_type syslog", splunk), ("no endpoint_type", untyped))
    attempts = [(target, variant) for target in targets for variant in variants]
    if ctx.minimal:
        # An unknown type in a PATCH, whose endpoint is the likeliest to be checked member by
        # member without the type's table (a create when there is nothing to patch).
        attempts = [a for a in attempts if a[1][1] is splunk][-1:]
    for (method, path), (label, endpoint) in attempts:
        body: dict[str, Any] = found.streaming_body(ctx.name("bad-type"), endpoint=endpoint)
        if method == "PATCH":
            body = {"endpoint": endpoint}
        created.expect_refused(f"{method} with {label}", method, path, body, "AZION-ENDPOINT-010")
    if made and not ctx.minimal:  # the drops above observe ENDPOINT-001
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


# The minimal profile's one refusal per requirement, (method, what) out of the tables above:
# a member left out or doubled on PUT (a PUT sharing PATCH's all-optional schema lets it pass),
# a member of the wrong type on PATCH (a PATCH body applied member by member lets it reach the
# store). Every one also observes ERROR-006.
MINIMAL_REFUSALS: tuple[tuple[str, str], ...] = (
    ("PUT", "no name"),
    ("PUT", "no domain_ids"),
    ("PUT", "no endpoint"),
    # Both rather than neither: "exactly one" is the half a schema without oneOf misses.
    ("PUT", "both template_id and template_model"),
    ("PATCH", "a numeric template_model"),
    # The count, not the value type: only the seed's prose says five.
    ("PUT", "6 custom headers"),
    # datadog is an HTTP intake like standard, the likelier to be let carry headers.
    ("PUT", "headers on a datadog endpoint"),
    ("PUT", "data_source ftp"),
    ("PATCH", "active as a string"),
)
BodyFor = Callable[[dict[str, Any]], dict[str, Any]]


def minimal_refusals() -> list[tuple[str, str, str, BodyFor]]:
    """The MINIMAL_REFUSALS, looked up in the tables: (method, what, requirement, the request
    body made from a valid full body)."""
    full = {what: (requirement, mutate) for what, requirement, mutate in FULL_BODY_REFUSALS}
    patches = {what: (requirement, patch) for what, requirement, patch in PATCH_REFUSALS}
    chosen: list[tuple[str, str, str, BodyFor]] = []
    for method, what in MINIMAL_REFUSALS:
        if method == "PATCH":
            requirement_id, patch = patches[what]
            chosen.append((method, what, requirement_id, _patch_body(patch)))
        else:
            requirement_id, mutate = full[what]
            chosen.append((method, what, requirement_id, _mutated(mutate)))
    return chosen


def _patch_body(patch: dict[str, Any]) -> BodyFor:
    return lambda _valid: copy.deepcopy(patch)


def _mutated(mutate: Mutation) -> BodyFor:
    def body_for(valid: dict[str, Any]) -> dict[str, Any]:
        body = copy.deepcopy(valid)
        mutate(body)
        return body

    return body_for


def validation(ctx: ScenarioContext) -> None:
    """Each rule of the create/PUT/PATCH bodies broken once: 400; the data sources accepted."""
    found = account(ctx)
    created = Created(ctx)
    _, base = created.create_required(found.streaming_body(ctx.name("base")))
    path = streaming_path(base["id"])
    if ctx.minimal:
        for method, what, requirement_id, body_for in minimal_refusals():
            body = body_for(found.streaming_body(ctx.name("invalid")))
            target = STREAMINGS if method == "POST" else path
            created.expect_refused(
                f"{method} with {what}", method, target, body, requirement_id, SCHEMA
            )
        _data_sources_accepted(ctx, created, found, path)
        return
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
    sources: tuple[str, ...] = (*DATA_SOURCES[1:], DATA_SOURCES[0])
    if ctx.minimal:
        # cells_console, the one value no other step sends (every create sends http,
        # streaming-lifecycle's PUT sends waf), patched onto the base streaming.
        sources = ("cells_console",)
    else:
        body = found.streaming_body(ctx.name("cells"), data_source="cells_console")
        exchange, shown = created.create(body)
        ctx.expect(
            "AZION-DATASOURCE-001",
            ok(exchange) and (shown or {}).get("data_source") == "cells_console",
            f"create with data_source cells_console: {status_text(exchange)}, data_source "
            f"{(shown or {}).get('data_source', '(missing)')!r}",
            exchange,
        )
    for source in sources:
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
    "AZION-CREATE-001",
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
    if ctx.minimal:  # the account's own lookup listed them (before any template_model)
        before = list(found.templates)
    else:
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
    if ok(exchange) and (shown or {}).get("template_model") == model:
        _custom_not_listed(ctx, before, model)
    else:  # nothing custom was made (or not shown made): an unchanged list shows nothing
        ctx.collector.blocked(
            "AZION-TEMPLATE-006",
            f"the create with a template_model was not accepted as sent ({status_text(exchange)})"
            f", so an unchanged template list shows nothing",
        )
    # Minimal: streaming-lifecycle's create observes TEMPLATE-001.
    if shown is not None and not ctx.minimal:
        _back_to_template_id(ctx, found, shown)
    _each_listed_template_readable(ctx, minimal_templates(before) if ctx.minimal else before)
    known = [t["id"] for t in before if isinstance(t.get("id"), int)]
    unknown = max(known, default=0) + UNKNOWN_TEMPLATE_OFFSET
    got = send(ctx, "GET", template_path(unknown))
    ctx.expect(
        "AZION-TEMPLATE-008",
        got.response.status == 404,
        f"template {unknown} (not listed): expected 404, {status_text(got)}",
        got,
    )


def minimal_templates(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first and the last listed template: a read that ignores the id (or answers a fixed
    template) answers at most one of two different ids right."""
    readable = [t for t in listed if t.get("id") is not None]
    return readable[:1] + readable[1:][-1:]


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
