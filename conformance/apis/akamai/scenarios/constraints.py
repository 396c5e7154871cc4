"""Akamai requests that must be refused: property rules, and one crafted request per
configuration and connector constraint (a valid body with one member broken)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.apis.akamai.scenarios.account import AkamaiAccount
from conformance.apis.akamai.scenarios.steps import (
    AUTH_001,
    CREATE_TWIN,
    EDIT_TWIN,
    EXAMPLE_PREFIXES,
    NEW_STREAM,
    AkamaiSteps,
    accepted,
    connector_twin,
    names_any,
    version_key,
)
from conformance.scenarios.base import Scenario, ScenarioContext, Twin

PROPERTY_CITES = (
    AUTH_001,
    NEW_STREAM,
    "AKAMAI-STREAM-CREATE-009",
    "AKAMAI-STREAM-CREATE-010",
    "AKAMAI-STREAM-CREATE-011",
    "AKAMAI-CONFIG-010",
)

Body = dict[str, Any]


def _with_prefix(body: Body, pair: tuple[str, str]) -> Body:
    changed = copy.deepcopy(body)
    changed["config"].update(uploadFilePrefix=pair[0], uploadFileSuffix=pair[1])
    return changed


def _refused(
    steps: AkamaiSteps, requirement: str, body: Body, what: str, twin: Twin = CREATE_TWIN
) -> None:
    """createStream of `body` must be answered 400 (counted only when the run saw `twin`, the
    valid body, accepted); a stream it makes anyway is deleted now."""
    exchange = steps.create(body)
    steps.ctx.expect_refused(
        requirement,
        exchange,
        f"createStream {what} answered {exchange.response.status}, not 400",
        twin,
    )
    steps.discard(exchange, body)


def property_rules(ctx: ScenarioContext) -> None:
    """At most three properties; a property in one undeleted stream only; listed ones only."""
    steps = AkamaiSteps(ctx)
    account = steps.account()
    p1, p2, p3, p4 = steps.take(4)
    base = account.stream_body(ctx.name("prop-a"), [p1])
    _refused(
        steps,
        "AKAMAI-STREAM-CREATE-009",
        {**base, "propertyIds": [p1, p2, p3, p4]},
        "with four properties",
    )
    if ctx.minimal:
        _minimal_property_rules(steps, base)
        return
    first, first_body = steps.create_valid(
        _with_prefix(base, EXAMPLE_PREFIXES[1]), example="AKAMAI-CONFIG-010", plain=base
    )
    first_id = int(version_key(first)[0] or 0)
    # The properties the creates used (another run may have taken the ones first chosen).
    (mine,) = first_body["propertyIds"]
    _refused(
        steps,
        "AKAMAI-STREAM-CREATE-010",
        account.stream_body(ctx.name("prop-dup"), [mine]),
        f"with property {mine}, which stream {first_id} monitors,",
    )
    second_plain = account.stream_body(ctx.name("prop-b"), [p2])
    second, second_body = steps.create_valid(
        _with_prefix(second_plain, EXAMPLE_PREFIXES[2]),
        example="AKAMAI-CONFIG-010",
        plain=second_plain,
    )
    second_id = int(version_key(second)[0] or 0)
    edit = AkamaiAccount.edit_body(second_body, propertyIds=[*second_body["propertyIds"], mine])
    edited = steps.send("PUT", f"/streams/{second_id}", json=edit)
    ctx.expect_refused(
        "AKAMAI-STREAM-CREATE-010",
        edited,
        f"editStream adding property {mine}, which stream {first_id} monitors, answered "
        f"{edited.response.status}, not 400",
        EDIT_TWIN,
    )
    _refused(
        steps,
        "AKAMAI-STREAM-CREATE-011",
        account.stream_body(ctx.name("prop-unlisted"), [account.unlisted_property_id()]),
        "with a property listProperties doesn't list",
    )
    deleted = steps.send("DELETE", f"/streams/{first_id}")
    ctx.require(accepted(deleted), f"deleteStream answered {deleted.response.status}")
    steps.mark_removed(first_id)
    _freed_property_accepted(steps, mine, first_id)


def _freed_property_accepted(steps: AkamaiSteps, freed: int, deleted_id: int) -> None:
    """A create naming the property of a deleted stream is accepted (CREATE-010's "undeleted"),
    unless another client's stream took the freed property in the meantime: the account is
    not ours alone, and a refusal is then no finding."""
    ctx, account = steps.ctx, steps.account()
    third_plain = account.stream_body(ctx.name("prop-c"), [freed])
    third = steps.create(_with_prefix(third_plain, EXAMPLE_PREFIXES[3]))
    if accepted(third):
        ctx.expect("AKAMAI-STREAM-CREATE-010", True, "", third)
        ctx.expect("AKAMAI-CONFIG-010", True, "", third)
        return
    # The prefix example or the freed property? Ask without the first.
    retry = steps.create(third_plain)
    if not accepted(retry) and steps.taken_properties([freed]):
        return
    ctx.expect(
        "AKAMAI-STREAM-CREATE-010",
        accepted(retry),
        f"createStream with property {freed} of deleted stream {deleted_id} answered "
        f"{retry.response.status}",
        retry,
    )
    if accepted(retry) and not names_any(third, [freed]):
        ctx.expect(
            "AKAMAI-CONFIG-010",
            False,
            f"createStream refused the seed's example prefix {EXAMPLE_PREFIXES[3]} "
            f"({third.response.status}) but accepted the same body without it",
            third,
        )


def _minimal_property_rules(steps: AkamaiSteps, base: Body) -> None:
    """A property a stream of ours monitors (made now: a listed stream of someone else's may
    be deleted meanwhile, freeing its property), and one no list names: both refused."""
    account = steps.account()
    first, used = steps.create_valid(base)
    made, monitored = int(version_key(first)[0] or 0), used["propertyIds"][0]
    _refused(
        steps,
        "AKAMAI-STREAM-CREATE-010",
        account.stream_body(steps.ctx.name("prop-dup"), [monitored]),
        f"with property {monitored}, which stream {made} monitors,",
    )
    _refused(
        steps,
        "AKAMAI-STREAM-CREATE-011",
        account.stream_body(steps.ctx.name("prop-unlisted"), [account.unlisted_property_id()]),
        "with a property listProperties doesn't list",
    )
    steps.remove(made)


# ---------------------------------------------------------------- configuration constraints
Mutation = Callable[[Body], None]


@dataclass(frozen=True, slots=True)
class Case:
    """One crafted createStream: `mutate` breaks one member of a valid body; `representative`
    marks the case the minimal profile sends for its requirement (else the first)."""

    requirement: str
    what: str
    mutate: Mutation
    connector: str = "S3"
    representative: bool = False


def _drop(member: str) -> Mutation:
    return lambda body: body.pop(member)


def _config(member: str, value: Any) -> Mutation:
    return lambda body: body["config"].__setitem__(member, value)


def _connector(member: str, value: Any = None) -> Mutation:
    def mutate(body: Body) -> None:
        if value is None:
            body["connectors"][0].pop(member)
        else:
            body["connectors"][0][member] = value

    return mutate


def _set(member: str, value: Any) -> Mutation:
    return lambda body: body.__setitem__(member, value)


def _frequency(body: Body) -> None:
    body["config"]["frequency"]["timeInSec"] = 45


REQUIRED_MEMBERS = (
    "streamName",
    "streamType",
    "templateName",
    "groupId",
    "contractId",
    "propertyIds",
    "datasetFieldIds",
    "config",
    "connectors",
)
CONNECTOR_REQUIRED = {
    "S3": (
        "AKAMAI-CONNECTOR-002",
        ("connectorName", "path", "bucket", "region", "accessKey", "secretAccessKey"),
    ),
    "AZURE": (
        "AKAMAI-CONNECTOR-003",
        ("connectorName", "accountName", "accessKey", "containerName", "path"),
    ),
    "DATADOG": ("AKAMAI-CONNECTOR-004", ("connectorName", "url", "authToken")),
    "SPLUNK": ("AKAMAI-CONNECTOR-005", ("connectorName", "url", "eventCollectorToken")),
}


CONNECTOR_SECRETS = {
    "S3": "secretAccessKey",
    "AZURE": "accessKey",
    "DATADOG": "authToken",
    "SPLUNK": "eventCollectorToken",
}


def constraint_cases(unlisted_field: int) -> list[Case]:
    """Every crafted request of the config-constraints scenario."""
    return [
        *_required_member_cases(),
        *_config_cases(unlisted_field),
        *_connector_cases(),
    ]


def _required_member_cases() -> list[Case]:
    """A body without one required member, for each."""
    return [
        Case("AKAMAI-STREAM-CREATE-007", f"without {m}", _drop(m), representative=m == "contractId")
        for m in REQUIRED_MEMBERS
    ]


def _config_cases(unlisted_field: int) -> list[Case]:
    """A body with one member of the wrong type, or one configuration value out of bounds."""
    cases = [
        Case("AKAMAI-STATUS-004", "with streamName a number", _set("streamName", 12345)),
        Case("AKAMAI-STATUS-004", "with propertyIds not an array", _set("propertyIds", "1,2")),
        Case("AKAMAI-CONFIG-001", "with frequency.timeInSec 45", _frequency),
        Case("AKAMAI-CONFIG-002", "with delimiter COMMA", _config("delimiter", "COMMA")),
        Case(
            "AKAMAI-CONFIG-003",
            "with a 201-character prefix",
            _config("uploadFilePrefix", "p" * 201),
        ),
        Case(
            "AKAMAI-CONFIG-004", "with a prefix holding '.'", _config("uploadFilePrefix", "logs.v1")
        ),
        Case(
            "AKAMAI-CONFIG-006",
            "with an 11-character suffix",
            _config("uploadFileSuffix", "s" * 11),
        ),
    ]
    cases += [
        Case(
            "AKAMAI-CONFIG-007",
            f"with a suffix holding {c!r}",
            _config("uploadFileSuffix", f"a{c}b"),
        )
        for c in "./%?"
    ]
    cases += [
        Case(
            "AKAMAI-CONFIG-012",
            "with a 256-character connector path",
            _connector("path", "logs/" + "p" * 251),
        ),
        Case(
            "AKAMAI-CONFIG-016",
            "with streamType DSCONFORM_LOGS",
            _set("streamType", "DSCONFORM_LOGS"),
        ),
        Case(
            "AKAMAI-CONFIG-017",
            "with templateName DSCONFORM_LOGS",
            _set("templateName", "DSCONFORM_LOGS"),
        ),
        Case(
            "AKAMAI-CONFIG-018",
            f"with data set field {unlisted_field}, which isn't listed",
            lambda body: body["datasetFieldIds"].append(unlisted_field),
        ),
    ]
    return cases


def _connector_cases() -> list[Case]:
    """A connector of an unknown type, without one of its required members, or a Splunk URL
    of the wrong endpoint."""
    cases = [
        Case("AKAMAI-CONNECTOR-001", "with connectorType FOO", _connector("connectorType", "FOO"))
    ]
    for ctype, (requirement, members) in CONNECTOR_REQUIRED.items():
        cases += [
            Case(
                requirement,
                f"with a {ctype} connector without {m}",
                _connector(m),
                ctype,
                representative=m == CONNECTOR_SECRETS[ctype],  # the costliest to forget
            )
            for m in members
        ]
    cases.append(
        Case(
            "AKAMAI-CONNECTOR-006",
            "with a Splunk url ending collector/event",
            _connector(
                "url", "https://http-inputs-customer.splunkcloud.com/services/collector/event"
            ),
            "SPLUNK",
        )
    )
    return cases


def minimal_cases(cases: list[Case]) -> list[Case]:
    """One case per requirement: the representative one, else the first."""
    chosen: dict[str, Case] = {}
    for case in cases:
        if case.requirement not in chosen or case.representative:
            chosen[case.requirement] = case
    return list(chosen.values())


CONSTRAINT_CITES = (
    AUTH_001,
    "AKAMAI-STATUS-002",
    "AKAMAI-STATUS-011",
    *sorted({c.requirement for c in constraint_cases(0)}),
)


def _valid_base(steps: AkamaiSteps, prop: int, connector: str) -> Body:
    """A body of this connector type that the target accepts: proven earlier in the run, or
    by creating (and deleting) one now, so a 400 below can only come from the broken member."""
    account = steps.account()
    body = account.stream_body(steps.ctx.name("bad"), [prop], connector=connector)
    if connector not in account.accepted_connectors:
        control = copy.deepcopy(body)
        control["streamName"] = steps.ctx.name(f"control-{connector.lower()}")
        created, used = steps.create_valid(control)
        steps.remove(int(version_key(created)[0] or 0))
        body["propertyIds"] = list(used["propertyIds"])  # the one proven free just now
    return body


def config_constraints(ctx: ScenarioContext) -> None:
    """Each configuration and connector constraint refused with 400 (a problem), a body that
    isn't JSON refused with 400 and one that isn't application/json with 415."""
    steps = AkamaiSteps(ctx)
    account = steps.account()
    (prop,) = steps.take(1)
    unlisted = max([9999, *account.dataset_field_ids]) + 1
    bases: dict[str, Body] = {}
    cases = constraint_cases(unlisted)
    for case in minimal_cases(cases) if ctx.minimal else cases:
        if case.connector not in bases:
            bases[case.connector] = _valid_base(steps, prop, case.connector)
            (prop,) = bases[case.connector]["propertyIds"]
        body = copy.deepcopy(bases[case.connector])
        case.mutate(body)
        _refused(steps, case.requirement, body, case.what, connector_twin(case.connector))
    _malformed(steps, bases["S3"])


def _malformed(steps: AkamaiSteps, valid: Body) -> None:
    ctx = steps.ctx
    broken = steps.send(
        "POST",
        "/streams",
        data=json.dumps(valid)[:-1],
        headers={"Content-Type": "application/json"},
    )
    ctx.expect_refused(
        "AKAMAI-STATUS-002",
        broken,
        f"createStream with a body that isn't JSON answered {broken.response.status}, not 400",
        CREATE_TWIN,
    )
    steps.discard(broken, valid)
    plain = steps.send(
        "POST", "/streams", data=json.dumps(valid), headers={"Content-Type": "text/plain"}
    )
    ctx.expect_refused(
        "AKAMAI-STATUS-011",
        plain,
        f"createStream with Content-Type text/plain answered {plain.response.status}, not 415",
        CREATE_TWIN,
        expected=(415,),
    )
    steps.discard(plain, valid)


PROPERTY_RULES = Scenario(
    "property-rules",
    "akamai",
    property_rules,
    PROPERTY_CITES,
    description="A fourth property, a property of another stream, an unlisted property.",
)
CONFIG_CONSTRAINTS = Scenario(
    "config-constraints",
    "akamai",
    config_constraints,
    CONSTRAINT_CITES,
    description="One crafted createStream per configuration and connector constraint.",
)
