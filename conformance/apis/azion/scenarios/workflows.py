"""Scripted Azion workflows: a streaming's life, its access rules, its bodies, the rate limit.

The scenarios live in `access` (auth-and-accept), here (streaming-lifecycle, rate-limit)
and `bodies` (endpoint-types, validation, templates); shared steps in `support`.
"""

from __future__ import annotations

import copy
import time
from typing import Any

from conformance.apis.azion.access import EMBEDDED_AZION_RATE
from conformance.apis.azion.scenarios.access import AUTH_AND_ACCEPT
from conformance.apis.azion.scenarios.account import ENDPOINT_SAMPLES, AzionAccount
from conformance.apis.azion.scenarios.bodies import ENDPOINT_TYPES, TEMPLATE_RULES, VALIDATION
from conformance.apis.azion.scenarios.support import (
    STREAMINGS,
    TEMPLATES,
    Created,
    account,
    brief,
    content_differences,
    echo_differences,
    find_by_id,
    listed_before,
    ok,
    operation_twin,
    path_id,
    results_list,
    results_object,
    send,
    status_text,
    streaming_path,
    template_path,
)
from conformance.core.exchange import Exchange
from conformance.scenarios.base import Scenario, ScenarioContext

FIVE_HEADERS = {f"header-name-{n}": f"header-api-value-{n}" for n in range(1, 6)}
NOT_AN_ID = "not-a-number"
BURST_LIMIT = 200  # requests, against a target whose limit is unknown
EMBEDDED_BURST_SECONDS = 20.0

LIFECYCLE_CITES = (
    "AZION-ACCEPT-004",
    "AZION-CREATE-001",
    "AZION-EDIT-001",
    "AZION-EDIT-003",
    "AZION-CREATE-002",
    "AZION-CREATE-006",
    "AZION-DATASOURCE-002",
    "AZION-TEMPLATE-001",
    "AZION-HEADERS-001",
    "AZION-HEADERS-004",
    "AZION-LIST-002",
    "AZION-LIST-003",
    "AZION-EDIT-002",
    "AZION-EDIT-004",
    "AZION-EDIT-005",
    "AZION-EDIT-006",
    "AZION-EDIT-007",
    "AZION-GET-001",
    "AZION-GET-002",
    "AZION-GET-003",
    "AZION-GET-004",
    "AZION-DELETE-002",
    "AZION-DELETE-003",
    "AZION-DELETE-004",
)


# Judged on the create's answer: only when it shows the streaming that was sent.
DEFAULTED_ON_CREATE = (
    "AZION-CREATE-006",
    "AZION-DATASOURCE-002",
    "AZION-TEMPLATE-001",
    "AZION-HEADERS-001",
    "AZION-HEADERS-004",
)


def standard_with_headers() -> dict[str, Any]:
    """The seed's section 2.b endpoint: standard, `$dataset`, a newline and 5 headers."""
    return {**copy.deepcopy(ENDPOINT_SAMPLES["standard"]), "headers": dict(FIVE_HEADERS)}


# ---------------------------------------------------------------------- streaming-lifecycle


def streaming_lifecycle(ctx: ScenarioContext) -> None:
    """Create, list, read, PATCH, PUT, delete; then the deleted id is gone everywhere."""
    found = account(ctx)
    created = Created(ctx)
    shown = _create_defaults(ctx, created, found)
    sid = shown["id"]
    path = streaming_path(sid)
    _listed_as_created(ctx, shown)
    patched = _patch_name_and_active(ctx, path, shown)
    replaced = _put_replaces(ctx, created, found, path)
    _refuse_partial_edits(ctx, created, path, replaced or patched)
    _non_integer_ids(ctx, created, found)
    deleted = send(ctx, "DELETE", path)
    ctx.require(ok(deleted), f"could not delete the streaming: {status_text(deleted)}")
    created.forget(sid)
    _gone_after_delete(ctx, created, found, sid)


def _create_defaults(ctx: ScenarioContext, created: Created, found: AzionAccount) -> dict[str, Any]:
    """A create without data_source and active: echoed, defaulted, headers kept."""
    body = found.streaming_body(ctx.name("lifecycle"), endpoint=standard_with_headers())
    del body["data_source"]
    exchange, shown = created.create(body)
    ctx.expect(
        "AZION-ACCEPT-004",
        ok(exchange),
        f"create sent as application/json: {status_text(exchange)}",
        exchange,
    )
    ctx.require(shown is not None, f"could not create a streaming: {status_text(exchange)}")
    assert shown is not None
    echo = echo_differences(body, shown)
    ctx.expect(
        "AZION-CREATE-002", not echo, f"create does not echo the body: {brief(echo)}", exchange
    )
    if shown.get("name") != body["name"]:  # not the streaming sent: its defaults show nothing
        for requirement_id in DEFAULTED_ON_CREATE:
            ctx.collector.blocked(
                requirement_id,
                f"the create answered streaming {shown.get('name', '(missing)')!r}, not the "
                f"{body['name']!r} sent, so its defaults show nothing",
            )
        return shown
    ctx.expect(
        "AZION-CREATE-006",
        shown.get("active") is True,
        f"created without active: active is {shown.get('active', '(missing)')!r}",
        exchange,
    )
    ctx.expect(
        "AZION-DATASOURCE-002",
        shown.get("data_source") == "http",
        f"created without data_source: it is {shown.get('data_source', '(missing)')!r}",
        exchange,
    )
    ctx.expect(
        "AZION-TEMPLATE-001",
        shown.get("template_id") == body["template_id"],
        f"template_id {body['template_id']} answered as {shown.get('template_id', '(missing)')!r}",
        exchange,
    )
    _headers_echoed(ctx, body["endpoint"], shown, exchange)
    if ctx.minimal:
        # The read after the PATCH shows the same streaming, headers and all (GET-001, GET-004).
        return shown
    got = send(ctx, "GET", streaming_path(shown["id"]))
    _read_back(ctx, shown, got)
    _headers_echoed(ctx, body["endpoint"], results_object(got), got)
    return shown


def _read_back(ctx: ScenarioContext, written: dict[str, Any] | None, got: Exchange) -> None:
    """GET answers the streaming asked for (the id in its path), as the last write answered
    it."""
    if written is None:
        return  # the write failed: its own step reported that
    shown = results_object(got)
    wanted = path_id(got)
    ctx.expect(
        "AZION-GET-001",
        got.response.status == 200 and (shown or {}).get("id") == wanted,
        f"GET of streaming {wanted}: {status_text(got)}, id "
        f"{(shown or {}).get('id', '(missing)')!r}",
        got,
    )
    drift = content_differences(written, shown)
    ctx.expect(
        "AZION-GET-004",
        not drift,
        f"GET after a write differs from the write's answer: {brief(drift)}",
        got,
    )


def _headers_echoed(
    ctx: ScenarioContext, sent: dict[str, Any], shown: dict[str, Any] | None, exchange: Any
) -> None:
    endpoint = (shown or {}).get("endpoint")
    endpoint = endpoint if isinstance(endpoint, dict) else {}
    ctx.expect(
        "AZION-HEADERS-001",
        endpoint.get("headers") == sent["headers"],
        f"5 custom headers answered as {endpoint.get('headers', '(missing)')!r}",
        exchange,
    )
    kept = all(endpoint.get(k) == sent[k] for k in ("payload_format", "log_line_separator"))
    ctx.expect(
        "AZION-HEADERS-004",
        kept,
        f"payload_format/log_line_separator sent as {sent['payload_format']!r}/"
        f"{sent['log_line_separator']!r}, answered as "
        f"{endpoint.get('payload_format')!r}/{endpoint.get('log_line_separator')!r}",
        exchange,
    )


def _listed_as_created(ctx: ScenarioContext, shown: dict[str, Any]) -> None:
    if ctx.minimal:  # endpoint-types observes LIST-003: its list holds what it just created
        return
    listing = send(ctx, "GET", STREAMINGS)
    drift = content_differences(shown, find_by_id(results_list(listing), shown["id"]))
    ctx.expect(
        "AZION-LIST-003",
        not drift,
        f"the new streaming {shown['id']} in the list: {brief(drift)}",
        listing,
    )


def _patch_name_and_active(
    ctx: ScenarioContext, path: str, before: dict[str, Any]
) -> dict[str, Any] | None:
    """The seed's PATCH (name and active): only those change, and the change persists."""
    patch = {"name": f"{before['name']}-renamed", "active": False}
    exchange = send(ctx, "PATCH", path, json=patch)
    ctx.expect(
        "AZION-ACCEPT-004",
        ok(exchange),
        f"PATCH sent as application/json: {status_text(exchange)}",
        exchange,
    )
    after = results_object(exchange)
    _edit_answers_the_streaming(ctx, "AZION-EDIT-001", exchange, patch)
    kept = {k: v for k, v in before.items() if k not in patch}
    problems = echo_differences(patch, after) + content_differences(kept, after)
    ctx.expect(
        "AZION-EDIT-002",
        ok(exchange) and not problems,
        f"PATCH of name and active: {status_text(exchange)}; {brief(problems)}",
        exchange,
    )
    listing = send(ctx, "GET", STREAMINGS)
    item = find_by_id(results_list(listing), before["id"])
    ctx.expect(
        "AZION-LIST-002",
        item is not None and item.get("active") is False,
        f"streaming {before['id']} set active false: "
        f"{'not listed' if item is None else 'listed with active ' + repr(item.get('active'))}",
        listing,
    )
    _persisted(ctx, path, patch, after)
    return after


def _edit_answers_the_streaming(
    ctx: ScenarioContext, requirement_id: str, exchange: Exchange, body: dict[str, Any]
) -> None:
    """A PATCH or PUT answers 200 with the streaming of its path, showing what was sent."""
    shown = results_object(exchange)
    problems = echo_differences(body, shown)
    if shown is not None and shown.get("id") != path_id(exchange):
        problems.insert(0, f"id {shown.get('id')!r}, not the path's {path_id(exchange)}")
    ctx.expect(
        requirement_id,
        exchange.response.status == 200 and not problems,
        f"{exchange.request.method} of streaming {path_id(exchange)}: {status_text(exchange)}; "
        f"{brief(problems)}",
        exchange,
    )


def _persisted(
    ctx: ScenarioContext, path: str, body: dict[str, Any], answer: dict[str, Any] | None
) -> None:
    got = send(ctx, "GET", path)
    _read_back(ctx, answer, got)
    shown = results_object(got)
    problems = echo_differences(body, shown)
    if answer is not None:
        problems += content_differences(answer, shown)
    ctx.expect(
        "AZION-EDIT-005",
        got.response.status == 200 and not problems,
        f"GET after the edit: {status_text(got)}; {brief(problems)}",
        got,
    )


def _put_replaces(
    ctx: ScenarioContext, created: Created, found: AzionAccount, path: str
) -> dict[str, Any] | None:
    """A full PUT (another endpoint type, data source and template) replaces everything."""
    body = found.streaming_body(
        ctx.name("lifecycle-replaced"),
        endpoint_type="kafka",
        data_source="waf",
        active=True,
        template_id=found.other_template_id(),
    )
    exchange = created.write("PUT", path, body)
    ctx.expect(
        "AZION-ACCEPT-004",
        ok(exchange),
        f"PUT sent as application/json: {status_text(exchange)}",
        exchange,
    )
    replaced = results_object(exchange)
    _edit_answers_the_streaming(ctx, "AZION-EDIT-003", exchange, body)
    problems = echo_differences(body, replaced)
    endpoint = (replaced or {}).get("endpoint")
    leftovers = sorted(set(endpoint) - set(body["endpoint"])) if isinstance(endpoint, dict) else []
    if leftovers:
        problems.append(f"the old endpoint's {', '.join(leftovers)} survived the PUT")
    ctx.expect(
        "AZION-EDIT-004",
        ok(exchange) and not problems,
        f"full PUT: {status_text(exchange)}; {brief(problems)}",
        exchange,
    )
    # Minimal: the read after the PATCH observes EDIT-005 (a partial update's merge is the
    # write likelier to be answered but not saved).
    if not ctx.minimal:
        _persisted(ctx, path, body, replaced)
    return replaced


def _refuse_partial_edits(
    ctx: ScenarioContext, created: Created, path: str, current: dict[str, Any] | None
) -> None:
    name = str((current or {}).get("name") or ctx.name("lifecycle"))
    created.expect_refused("PUT with only a name", "PUT", path, {"name": name}, "AZION-EDIT-004")
    created.expect_refused("PATCH with {}", "PATCH", path, {}, "AZION-EDIT-007")


def _non_integer_ids(ctx: ScenarioContext, created: Created, found: AzionAccount) -> None:
    """A path id that is not an integer gets a 4xx on every operation with an id."""
    path = streaming_path(NOT_AN_ID)
    body = found.streaming_body(ctx.name("not-an-id"))
    attempts: tuple[tuple[str, str, Any], ...] = (
        ("GET", path, None),
        ("PUT", path, body),
        ("PATCH", path, {"name": body["name"]}),
        ("DELETE", path, None),
        ("GET", template_path(NOT_AN_ID), None),
    )
    if ctx.minimal:
        # The template read: the one id route outside /streamings, the likeliest to lack the
        # integer converter the streaming routes share.
        attempts = attempts[4:]
    for method, target, payload in attempts:
        exchange = created.write(method, target, payload)
        ctx.expect_refused(
            "AZION-GET-003",
            exchange,
            f"non-integer id: expected 4xx, {status_text(exchange)}",
            operation_twin(exchange),
            expected=range(400, 500),
        )


def _gone_after_delete(
    ctx: ScenarioContext, created: Created, found: AzionAccount, sid: object
) -> None:
    """Read, list, delete, PUT and PATCH of the deleted id."""
    path = streaming_path(sid)
    got = send(ctx, "GET", path)
    for requirement_id in ("AZION-GET-002", "AZION-DELETE-002"):
        ctx.expect(
            requirement_id,
            got.response.status == 404,
            f"GET of the deleted streaming: expected 404, {status_text(got)}",
            got,
        )
    listing = send(ctx, "GET", STREAMINGS)
    listed = find_by_id(results_list(listing), sid) is not None
    if listed or listed_before(ctx, sid, listing):
        ctx.expect(
            "AZION-DELETE-003",
            listing.response.status == 200 and not listed,
            f"list after the delete: {status_text(listing)}"
            f"{', the deleted streaming is still listed' if listed else ''}",
            listing,
        )
    else:  # absent after the delete, but never seen listed: its absence shows nothing
        ctx.collector.blocked(
            "AZION-DELETE-003",
            f"streaming {sid} was never listed before its delete, so its absence from the "
            f"list afterwards shows nothing",
        )
    again = send(ctx, "DELETE", path)
    ctx.expect(
        "AZION-DELETE-004",
        again.response.status == 404,
        f"DELETE of the deleted streaming: expected 404, {status_text(again)}",
        again,
    )
    body = found.streaming_body(ctx.name("lifecycle-ghost"))
    edits: tuple[tuple[str, Any], ...] = (("PUT", body), ("PATCH", {"name": body["name"]}))
    # Minimal: PUT, the method implementations turn into an upsert.
    for method, payload in edits[:1] if ctx.minimal else edits:
        exchange = created.write(method, path, payload)
        ctx.expect(
            "AZION-EDIT-006",
            exchange.response.status == 404,
            f"{method} of the deleted streaming: expected 404, {status_text(exchange)}",
            exchange,
        )


# ---------------------------------------------------------------------- rate-limit


def rate_limit(ctx: ScenarioContext) -> None:
    """Read templates back to back, ignoring the budget, until the target answers 429.

    Any target: give up after BURST_LIMIT requests and observe nothing (its limit may be
    higher). The embedded reference allows EMBEDDED_AZION_RATE: keep going until the burst has
    provably overrun that budget (sent > limit + elapsed * rate), then its silence is a finding;
    a machine too slow to overrun it within EMBEDDED_BURST_SECONDS observes nothing.
    """
    if ctx.minimal:
        # A 429 the run's own requests already met (the step that met it waited and resent)
        # is the observation; only a run that never overran the budget needs the burst.
        met = next((s.exchange for s in ctx.history if s.status == 429), None)
        if met is not None:
            ctx.expect("AZION-ERROR-004", True, "throttled", met)
            return
    embedded = ctx.embedded
    limit, window = EMBEDDED_AZION_RATE
    began: float | None = None
    sent = 0
    while True:
        exchange = _unpaced_read(ctx)
        sent += 1
        # The clock starts at the first answer, not before the first request: a replay's
        # virtual clock stands at recorded answers, so only that origin is the same in both.
        began = time.monotonic() if began is None else began
        if exchange.response.status == 429:
            ctx.expect("AZION-ERROR-004", True, "throttled", exchange)
            return
        elapsed = time.monotonic() - began
        if not embedded:
            if sent >= BURST_LIMIT:
                return
            continue
        allowed = limit + elapsed * limit / window
        if sent > allowed + 1:
            ctx.expect(
                "AZION-ERROR-004",
                False,
                f"{sent} requests in {elapsed:.2f} s got no 429, though the embedded reference "
                f"allows {limit} per {window:g} s (at most {allowed:.0f} by then)",
                exchange,
            )
            return
        if elapsed > EMBEDDED_BURST_SECONDS:
            return


def _unpaced_read(ctx: ScenarioContext) -> Exchange:
    """GET the templates without waiting for any advertised budget."""
    prepared = ctx.client.prepare("GET", TEMPLATES)
    return ctx.client.send_prepared(
        prepared, phase="scenarios", labels=(ctx.scenario.name,), polite=False
    )


# ---------------------------------------------------------------------- registry

STREAMING_LIFECYCLE = Scenario(
    "streaming-lifecycle",
    "azion",
    streaming_lifecycle,
    LIFECYCLE_CITES,
    description="Create, list, read, PATCH, PUT and delete one streaming; the id is then gone.",
)
RATE_LIMIT = Scenario(
    "rate-limit",
    "azion",
    rate_limit,
    ("AZION-ERROR-004",),
    needs_writes=False,
    description=f"A burst of up to {BURST_LIMIT} reads until the target answers 429.",
)

SCENARIOS: tuple[Scenario, ...] = (
    AUTH_AND_ACCEPT,
    STREAMING_LIFECYCLE,
    ENDPOINT_TYPES,
    VALIDATION,
    TEMPLATE_RULES,
    RATE_LIMIT,
)


# What each scenario sends outside its cleanup, alone on the reference server (lookups shared
# through `ScenarioContext.once` included: a scenario may be the first to need them; Akamai's
# property scenarios delete as a step, to free a property). The client refuses anything else
# under a filter (a target that sends a scenario down another path stops it, out of scope);
# tests/test_filters.py proves the table true on the reference servers.
EVERY_OPERATION = frozenset(
    {
        "listStreamings",
        "createStreaming",
        "getStreaming",
        "replaceStreaming",
        "updateStreaming",
        "deleteStreaming",
        "listTemplates",
        "getTemplate",
    }
)
SCENARIO_OPERATIONS: dict[str, frozenset[str]] = {
    "auth-and-accept": EVERY_OPERATION,
    "streaming-lifecycle": EVERY_OPERATION,
    "endpoint-types": frozenset(
        {
            "listStreamings",
            "createStreaming",
            "getStreaming",
            "replaceStreaming",
            "updateStreaming",
            "listTemplates",
        }
    ),
    "validation": frozenset(
        {"createStreaming", "replaceStreaming", "updateStreaming", "listTemplates"}
    ),
    "templates": frozenset({"createStreaming", "updateStreaming", "listTemplates", "getTemplate"}),
    "rate-limit": frozenset({"listTemplates"}),
}
