"""The stream lifecycle's versions: the stream created and read back, edited while inactive
(with and without activateNow), and its first version read after the edits."""

from __future__ import annotations

import copy
from typing import Any

from conformance.apis.akamai.scenarios.account import AkamaiAccount
from conformance.apis.akamai.scenarios.lifecycle_state import Lifecycle
from conformance.apis.akamai.scenarios.steps import (
    ACTIVE,
    EXAMPLE_PATHS,
    accepted,
    body_of,
    dataset_orders,
    detail_of,
    operation_twin,
    property_ids,
    status_of,
    stream_ids_seen_before,
    version_key,
)
from conformance.core.exchange import Exchange

# What getStream must show as created (AKAMAI-STREAM-CREATE-004), besides the properties.
CREATED_MEMBERS = (
    "streamName",
    "productId",
    "groupId",
    "contractId",
    "streamType",
    "templateName",
    "emailIds",
)


def differences(expected: dict[str, Any], actual: Any, members: tuple[str, ...]) -> list[str]:
    """`member: sent X, got Y` for each member of `members` that differs."""
    shown = actual if isinstance(actual, dict) else {}
    return [
        f"{m}: sent {expected.get(m)!r}, got {shown.get(m)!r}"
        for m in members
        if shown.get(m) != expected.get(m)
    ]


def dataset_findings(detail: Any, saved: list[int]) -> tuple[str, str]:
    """(GET-006 problem, GET-007 problem) of a getStream body against the saved field IDs."""
    body = detail if isinstance(detail, dict) else {}
    shown: list[Any] = [
        f.get("datasetFieldId")
        for g in body.get("datasets") or []
        if isinstance(g, dict)
        for f in g.get("datasetFields") or []
        if isinstance(f, dict)
    ]
    ids_problem = (
        ""
        if sorted(map(str, shown)) == sorted(map(str, saved))
        else f"datasets show field IDs {shown}, the version was saved with {saved}"
    )
    orders = dataset_orders(body)
    wanted = {fid: n for n, fid in enumerate(saved)}
    wrong = {fid: orders.get(fid) for fid in wanted if orders.get(fid) != wanted[fid]}
    order_problem = (
        ""
        if not wrong
        else f"order of fields {sorted(wrong)} is {wrong}; their positions in {saved} are "
        f"{ {fid: wanted[fid] for fid in wrong} }"
    )
    return order_problem, ids_problem


# ---------------------------------------------------------------- create and read


def create(life: Lifecycle) -> None:
    """createStream of a stream with data set fields in neither sorted nor template order;
    its key names version 1."""
    properties = life.steps.take(2)
    ids = life.account.dataset_field_ids
    life.ctx.require(len(ids) >= 3, "the target lists fewer than 3 data set fields")
    # Neither sorted nor in the template's order, so order must follow the request.
    v1_fields = [ids[min(3, len(ids) - 1)], ids[0], ids[2], ids[1]][: len(ids)]
    body = life.account.stream_body(life.ctx.name("life"), properties)
    body["datasetFieldIds"] = list(dict.fromkeys(v1_fields))
    body["config"] = {
        "uploadFilePrefix": "dsconform",
        "uploadFileSuffix": "dsc",
        "delimiter": "SPACE",
        "frequency": {"timeInSec": 60},
    }
    plain = copy.deepcopy(body)
    body["connectors"][0]["path"] = EXAMPLE_PATHS[2]
    exchange, life.created = life.steps.create_valid(body, example="AKAMAI-CONFIG-011", plain=plain)
    sid, version = version_key(exchange)
    life.sid = int(sid or 0)
    life.new_id = life.sid not in stream_ids_seen_before(life.ctx, exchange)
    life.ctx.require(version is not None, "createStream answered no streamVersionId")
    life.expect(
        "AKAMAI-VERSION-002",
        version == 1,
        f"createStream answered streamVersionId {version}, not 1",
        exchange,
    )
    _saved(life, int(version or 0), life.created)


def _saved(life: Lifecycle, version: int, body: dict[str, Any]) -> None:
    life.versions.append(version)
    life.names[version] = body["streamName"]
    life.fields[version] = list(body["datasetFieldIds"])


def read_created(life: Lifecycle) -> None:
    """getStream of the created key shows the stream as created, inactive, with its config and
    data sets."""
    v1 = life.versions[0]
    read = life.steps.stream(life.sid, v1)
    detail = detail_of(read)
    key = (detail.get("streamId"), detail.get("streamVersionId"))
    life.expect(
        "AKAMAI-STREAM-CREATE-003",
        read.response.status == 200 and key == (life.sid, v1),
        f"getStream of createStream's key {(life.sid, v1)} answered "
        f"{read.response.status} showing {key}",
        read,
    )
    life.ctx.require(read.response.status == 200, f"getStream answered {read.response.status}")
    wrong = differences(life.created, detail, CREATED_MEMBERS)
    shown = property_ids(detail)
    if sorted(map(str, shown)) != sorted(map(str, life.created["propertyIds"])):
        wrong.append(f"properties: sent {life.created['propertyIds']}, got {shown}")
    life.expect(
        "AKAMAI-STREAM-CREATE-004",
        not wrong,
        "getStream doesn't show the stream as created: " + "; ".join(wrong),
        read,
    )
    life.expect(
        "AKAMAI-STREAM-CREATE-006",
        status_of(read) not in ACTIVE,
        f"created with activateNow false, the stream is {status_of(read)}",
        read,
    )
    config = detail.get("config") if isinstance(detail, dict) else None
    sent = life.created["config"]
    got = config if isinstance(config, dict) else {}
    mismatch = [
        f"{k}: sent {sent.get(k)!r}, got {got.get(k)!r}"
        for k in ("delimiter", "uploadFilePrefix", "uploadFileSuffix")
        if got.get(k) != sent.get(k)
    ]
    sent_freq = sent["frequency"]["timeInSec"]
    got_freq = (got.get("frequency") or {}).get("timeInSec") if got else None
    if got_freq != sent_freq:
        mismatch.append(f"frequency.timeInSec: sent {sent_freq}, got {got_freq!r}")
    life.expect(
        "AKAMAI-CONFIG-019",
        not mismatch,
        "getStream's config differs from the saved one: " + "; ".join(mismatch),
        read,
    )
    _datasets(life, read, v1)
    life.reads[v1] = read


def _datasets(life: Lifecycle, read: Exchange, version: int) -> None:
    order_problem, ids_problem = dataset_findings(body_of(read), life.fields[version])
    life.expect("AKAMAI-STREAM-GET-006", not order_problem, order_problem, read)
    life.expect("AKAMAI-STREAM-GET-007", not ids_problem, ids_problem, read)


# ---------------------------------------------------------------- edits


def edit(life: Lifecycle, label: str, **changes: Any) -> tuple[Exchange, int]:
    """editStream of the latest version, then getStream without version: the key names
    the new version, getStream shows it (numbered one higher) with the edited members."""
    previous = max(life.versions)
    body = AkamaiAccount.edit_body(life.created, streamName=life.ctx.name(label), **changes)
    exchange = life.steps.send("PUT", f"/streams/{life.sid}", json=body)
    life.ctx.require(accepted(exchange), f"editStream answered {exchange.response.status}")
    key = version_key(exchange)[1]
    life.ctx.require(key is not None, "editStream answered no streamVersionId")
    life.expect(
        "AKAMAI-STREAM-EDIT-002",
        int(key or 0) > previous,
        f"the edit of version {previous} answered streamVersionId {key}, not a new version",
        exchange,
    )
    read = life.steps.stream(life.sid)
    life.ctx.require(read.response.status == 200, f"getStream answered {read.response.status}")
    shown = detail_of(read).get("streamVersionId")
    number = shown if isinstance(shown, int) and shown > previous else int(key or 0)
    made = int(key or 0) > previous  # the edit's answer names a new version (EDIT-002)
    if made:
        life.expect(
            "AKAMAI-STREAM-GET-003",
            isinstance(shown, int) and shown >= int(key or 0),
            f"getStream without version shows version {shown}; the edit created {key}",
            read,
        )
    else:  # which version is the last one, the run does not know
        life.ctx.collector.blocked(
            "AKAMAI-STREAM-GET-003",
            f"the edit of version {previous} answered version {key}, no new version",
        )
    life.expect(
        "AKAMAI-VERSION-001",
        made and isinstance(shown, int) and shown > previous,
        f"after an edit of version {previous} the edit answered version {key} and the "
        f"latest version is {shown}",
        read,
    )
    # The edit's own answer must say previous + 1 (the SHOULD is about what edits answer),
    # and getStream must agree: an edit answered wrongly (EDIT-002) never passes it.
    life.expect(
        "AKAMAI-VERSION-002",
        key == previous + 1 and shown == previous + 1,
        f"the edit of version {previous} answered version {key} and getStream shows "
        f"{shown}, not {previous + 1}",
        read if key == previous + 1 else exchange,
    )
    _saved(life, number, {**life.created, **body})
    _edited(life, read, number, label)
    return read, number


def _edited(life: Lifecycle, read: Exchange, version: int, label: str) -> None:
    detail = detail_of(read)
    _, ids_problem = dataset_findings(detail, life.fields[version])
    problems = [ids_problem] if ids_problem else []
    if detail.get("streamName") != life.names[version]:
        problems.append(
            f"streamName is {detail.get('streamName')!r}, the {label} set {life.names[version]!r}"
        )
    life.expect(
        "AKAMAI-STREAM-EDIT-003",
        not problems,
        "after the edit getStream doesn't show it: " + "; ".join(problems),
        read,
    )
    life.reads[version] = read


def edit_inactive(life: Lifecycle) -> None:
    """An edit of the inactive stream makes an inactive version with the new data sets."""
    ids = life.account.dataset_field_ids
    v2_fields = list(dict.fromkeys([ids[-1], ids[1], ids[min(4, len(ids) - 1)]]))
    read, v2 = edit(life, "life-v2", datasetFieldIds=v2_fields)
    life.expect(
        "AKAMAI-VERSION-004",
        status_of(read) not in ACTIVE,
        f"editing an inactive stream (no activateNow in the body) gave a {status_of(read)} version",
        read,
    )
    _datasets(life, read, v2)


def edit_inactive_asking_activation(life: Lifecycle) -> None:
    """The contested case of ERRATUM-AKAMAI-124 (AKAMAI-VERSION-010, inferred): an edit of
    the inactive stream with activateNow true. A target taking the workflow's reading
    activates it; it is then deactivated again (unjudged), so that the steps after this one
    judge what they mean."""
    _back_to_inactive(life, life.reads[max(life.versions)])
    fields = life.fields[max(life.versions)]
    read, _ = edit(life, "life-v3", datasetFieldIds=fields, activateNow=True)
    life.expect(
        "AKAMAI-VERSION-010",
        status_of(read) not in ACTIVE,
        f"editing an inactive stream with activateNow true in the body gave a "
        f"{status_of(read)} version",
        read,
    )
    _back_to_inactive(life, read)


def _back_to_inactive(life: Lifecycle, read: Exchange) -> None:
    """Unjudged: a stream an edit activated (against our reading) is deactivated again."""
    if status_of(read) not in ACTIVE:
        return
    _, done = life.steps.wait_for(life.sid, {"ACTIVATED"}, read)
    life.ctx.require(done, f"the stream wasn't ACTIVATED within {life.ctx.settle_timeout:g} s")
    back = life.steps.send("PUT", f"/streams/{life.sid}/deactivate")
    life.ctx.require(accepted(back), f"deactivateStream answered {back.response.status}")
    life.ctx.pause_before_reading()
    _, done = life.steps.wait_for(life.sid, {"DEACTIVATED"})
    life.ctx.require(done, f"the stream wasn't DEACTIVATED within {life.ctx.settle_timeout:g} s")


def read_first_version(life: Lifecycle) -> None:
    """getStream ?version=1 still shows version 1; a version that is not an integer, or not
    there, is refused."""
    v1, latest = life.versions[0], max(life.versions)
    read = life.steps.stream(life.sid, v1)
    detail = detail_of(read)
    life.expect(
        "AKAMAI-VERSION-005",
        read.response.status == 200 and detail.get("streamVersionId") == v1,
        f"getStream ?version={v1} after an edit answered {read.response.status} showing "
        f"version {detail.get('streamVersionId')!r}",
        read,
    )
    _, ids_problem = dataset_findings(detail, life.fields[v1])
    shown = (detail.get("streamVersionId"), detail.get("streamName"))
    life.expect(
        "AKAMAI-STREAM-GET-004",
        read.response.status == 200 and shown == (v1, life.names[v1]) and not ids_problem,
        f"getStream ?version={v1} answered {read.response.status} with version/name "
        f"{shown}, not {(v1, life.names[v1])} {ids_problem}".strip(),
        read,
    )
    if read.response.status == 200:
        life.reads[v1] = read
    typed = life.steps.get(f"/streams/{life.sid}", params={"version": "latest"})
    life.ctx.expect_refused(
        "AKAMAI-STATUS-003",
        typed,
        f"getStream ?version=latest (not an integer) answered {typed.response.status}, not 400",
        operation_twin(typed),
    )
    missing = life.steps.stream(life.sid, latest + 1000)
    life.expect(
        "AKAMAI-STREAM-GET-005",
        missing.response.status == 404,
        f"getStream ?version={latest + 1000} (the stream has {latest}) answered "
        f"{missing.response.status}, not 404",
        missing,
    )
