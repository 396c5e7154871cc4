"""The Akamai stream lifecycle: one stream created, read, edited, activated, edited while
active, deactivated, reactivated, compared with its history, and deleted."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from conformance.apis.akamai.scenarios.account import AkamaiAccount
from conformance.apis.akamai.scenarios.steps import (
    ACTIVE,
    AUTH_001,
    EXAMPLE_PATHS,
    INACTIVE,
    AkamaiSteps,
    accepted,
    body_of,
    canonical,
    dataset_orders,
    detail_of,
    operation_twin,
    property_ids,
    status_of,
    stream_ids_seen_before,
    version_key,
)
from conformance.core.exchange import Exchange
from conformance.engine.ownership import ABSENT_ID
from conformance.scenarios.base import Scenario, ScenarioContext

LIFECYCLE_CITES = (
    AUTH_001,
    "AKAMAI-STREAM-CREATE-003",
    "AKAMAI-STREAM-CREATE-004",
    "AKAMAI-STREAM-CREATE-006",
    "AKAMAI-STREAM-GET-003",
    "AKAMAI-STREAM-GET-004",
    "AKAMAI-STREAM-GET-005",
    "AKAMAI-STREAM-GET-006",
    "AKAMAI-STREAM-GET-007",
    "AKAMAI-STREAM-EDIT-002",
    "AKAMAI-STREAM-EDIT-003",
    "AKAMAI-STREAM-LIST-003",
    "AKAMAI-STREAM-LIST-005",
    "AKAMAI-STREAM-LIST-006",
    "AKAMAI-STREAM-DELETE-002",
    "AKAMAI-STREAM-DELETE-003",
    "AKAMAI-ACTIVATE-003",
    "AKAMAI-ACTIVATE-004",
    "AKAMAI-ACTIVATE-005",
    "AKAMAI-DEACTIVATE-003",
    "AKAMAI-DEACTIVATE-004",
    "AKAMAI-ACTHIST-003",
    "AKAMAI-ACTHIST-004",
    "AKAMAI-ACTHIST-005",
    "AKAMAI-HISTORY-003",
    "AKAMAI-HISTORY-004",
    "AKAMAI-VERSION-001",
    "AKAMAI-VERSION-002",
    "AKAMAI-VERSION-003",
    "AKAMAI-VERSION-004",
    "AKAMAI-VERSION-005",
    "AKAMAI-VERSION-010",
    "AKAMAI-CONFIG-011",
    "AKAMAI-CONFIG-019",
    "AKAMAI-STATUS-003",
    "AKAMAI-STATUS-009",
    "AKAMAI-STATUS-010",
)
# A streamId far beyond any a target hands out; writes to it need a fresh GET 404 (ownership.py).
NEVER_A_STREAM = ABSENT_ID
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
HISTORY_MEMBERS = ("properties", "datasets", "connectors", "config", "activationStatus")


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


@dataclass
class Lifecycle:
    """The state one run of the lifecycle builds up."""

    ctx: ScenarioContext
    steps: AkamaiSteps
    account: AkamaiAccount
    created: dict[str, Any] = field(default_factory=dict)
    sid: int = 0
    versions: list[int] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)
    fields: dict[int, list[int]] = field(default_factory=dict)
    reads: dict[int, Exchange] = field(default_factory=dict)
    new_id: bool = True  # createStream answered a streamId the run had not seen before

    def expect(self, rid: str, holds: bool, message: str, exchange: Exchange | None) -> bool:
        return self.ctx.expect(rid, holds, message, exchange)

    # ---------------------------------------------------------------- create and read
    def create(self) -> None:
        properties = self.steps.take(2)
        ids = self.account.dataset_field_ids
        self.ctx.require(len(ids) >= 3, "the target lists fewer than 3 data set fields")
        # Neither sorted nor in the template's order, so order must follow the request.
        v1_fields = [ids[min(3, len(ids) - 1)], ids[0], ids[2], ids[1]][: len(ids)]
        body = self.account.stream_body(self.ctx.name("life"), properties)
        body["datasetFieldIds"] = list(dict.fromkeys(v1_fields))
        body["config"] = {
            "uploadFilePrefix": "dsconform",
            "uploadFileSuffix": "dsc",
            "delimiter": "SPACE",
            "frequency": {"timeInSec": 60},
        }
        plain = copy.deepcopy(body)
        body["connectors"][0]["path"] = EXAMPLE_PATHS[2]
        exchange, self.created = self.steps.create_valid(
            body, example="AKAMAI-CONFIG-011", plain=plain
        )
        sid, version = version_key(exchange)
        self.sid = int(sid or 0)
        self.new_id = self.sid not in stream_ids_seen_before(self.ctx, exchange)
        self.ctx.require(version is not None, "createStream answered no streamVersionId")
        self.expect(
            "AKAMAI-VERSION-002",
            version == 1,
            f"createStream answered streamVersionId {version}, not 1",
            exchange,
        )
        self._saved(int(version or 0), self.created)

    def _saved(self, version: int, body: dict[str, Any]) -> None:
        self.versions.append(version)
        self.names[version] = body["streamName"]
        self.fields[version] = list(body["datasetFieldIds"])

    def read_created(self) -> None:
        v1 = self.versions[0]
        read = self.steps.stream(self.sid, v1)
        detail = detail_of(read)
        key = (detail.get("streamId"), detail.get("streamVersionId"))
        self.expect(
            "AKAMAI-STREAM-CREATE-003",
            read.response.status == 200 and key == (self.sid, v1),
            f"getStream of createStream's key {(self.sid, v1)} answered "
            f"{read.response.status} showing {key}",
            read,
        )
        self.ctx.require(read.response.status == 200, f"getStream answered {read.response.status}")
        wrong = differences(self.created, detail, CREATED_MEMBERS)
        shown = property_ids(detail)
        if sorted(map(str, shown)) != sorted(map(str, self.created["propertyIds"])):
            wrong.append(f"properties: sent {self.created['propertyIds']}, got {shown}")
        self.expect(
            "AKAMAI-STREAM-CREATE-004",
            not wrong,
            "getStream doesn't show the stream as created: " + "; ".join(wrong),
            read,
        )
        self.expect(
            "AKAMAI-STREAM-CREATE-006",
            status_of(read) not in ACTIVE,
            f"created with activateNow false, the stream is {status_of(read)}",
            read,
        )
        config = detail.get("config") if isinstance(detail, dict) else None
        sent = self.created["config"]
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
        self.expect(
            "AKAMAI-CONFIG-019",
            not mismatch,
            "getStream's config differs from the saved one: " + "; ".join(mismatch),
            read,
        )
        self._datasets(read, v1)
        self.reads[v1] = read

    def _datasets(self, read: Exchange, version: int) -> None:
        order_problem, ids_problem = dataset_findings(body_of(read), self.fields[version])
        self.expect("AKAMAI-STREAM-GET-006", not order_problem, order_problem, read)
        self.expect("AKAMAI-STREAM-GET-007", not ids_problem, ids_problem, read)

    # ---------------------------------------------------------------- edits
    def edit(self, label: str, **changes: Any) -> tuple[Exchange, int]:
        """editStream of the latest version, then getStream without version: the key names
        the new version, getStream shows it (numbered one higher) with the edited members."""
        previous = max(self.versions)
        body = AkamaiAccount.edit_body(self.created, streamName=self.ctx.name(label), **changes)
        exchange = self.steps.send("PUT", f"/streams/{self.sid}", json=body)
        self.ctx.require(accepted(exchange), f"editStream answered {exchange.response.status}")
        key = version_key(exchange)[1]
        self.ctx.require(key is not None, "editStream answered no streamVersionId")
        self.expect(
            "AKAMAI-STREAM-EDIT-002",
            int(key or 0) > previous,
            f"the edit of version {previous} answered streamVersionId {key}, not a new version",
            exchange,
        )
        read = self.steps.stream(self.sid)
        self.ctx.require(read.response.status == 200, f"getStream answered {read.response.status}")
        shown = detail_of(read).get("streamVersionId")
        number = shown if isinstance(shown, int) and shown > previous else int(key or 0)
        made = int(key or 0) > previous  # the edit's answer names a new version (EDIT-002)
        if made:
            self.expect(
                "AKAMAI-STREAM-GET-003",
                isinstance(shown, int) and shown >= int(key or 0),
                f"getStream without version shows version {shown}; the edit created {key}",
                read,
            )
        else:  # which version is the last one, the run does not know
            self.ctx.collector.blocked(
                "AKAMAI-STREAM-GET-003",
                f"the edit of version {previous} answered version {key}, no new version",
            )
        self.expect(
            "AKAMAI-VERSION-001",
            made and isinstance(shown, int) and shown > previous,
            f"after an edit of version {previous} the edit answered version {key} and the "
            f"latest version is {shown}",
            read,
        )
        # The edit's own answer must say previous + 1 (the SHOULD is about what edits answer),
        # and getStream must agree: an edit answered wrongly (EDIT-002) never passes it.
        self.expect(
            "AKAMAI-VERSION-002",
            key == previous + 1 and shown == previous + 1,
            f"the edit of version {previous} answered version {key} and getStream shows "
            f"{shown}, not {previous + 1}",
            read if key == previous + 1 else exchange,
        )
        self._saved(number, {**self.created, **body})
        self._edited(read, number, label)
        return read, number

    def _edited(self, read: Exchange, version: int, label: str) -> None:
        detail = detail_of(read)
        _, ids_problem = dataset_findings(detail, self.fields[version])
        problems = [ids_problem] if ids_problem else []
        if detail.get("streamName") != self.names[version]:
            problems.append(
                f"streamName is {detail.get('streamName')!r}, the {label} set "
                f"{self.names[version]!r}"
            )
        self.expect(
            "AKAMAI-STREAM-EDIT-003",
            not problems,
            "after the edit getStream doesn't show it: " + "; ".join(problems),
            read,
        )
        self.reads[version] = read

    def edit_inactive(self) -> None:
        ids = self.account.dataset_field_ids
        v2_fields = list(dict.fromkeys([ids[-1], ids[1], ids[min(4, len(ids) - 1)]]))
        read, v2 = self.edit("life-v2", datasetFieldIds=v2_fields)
        self.expect(
            "AKAMAI-VERSION-004",
            status_of(read) not in ACTIVE,
            f"editing an inactive stream (no activateNow in the body) gave a "
            f"{status_of(read)} version",
            read,
        )
        self._datasets(read, v2)

    def edit_inactive_asking_activation(self) -> None:
        """The contested case of ERRATUM-AKAMAI-124 (AKAMAI-VERSION-010, inferred): an edit of
        the inactive stream with activateNow true. A target taking the workflow's reading
        activates it; it is then deactivated again (unjudged), so that the steps after this one
        judge what they mean."""
        self._back_to_inactive(self.reads[max(self.versions)])
        fields = self.fields[max(self.versions)]
        read, _ = self.edit("life-v3", datasetFieldIds=fields, activateNow=True)
        self.expect(
            "AKAMAI-VERSION-010",
            status_of(read) not in ACTIVE,
            f"editing an inactive stream with activateNow true in the body gave a "
            f"{status_of(read)} version",
            read,
        )
        self._back_to_inactive(read)

    def _back_to_inactive(self, read: Exchange) -> None:
        """Unjudged: a stream an edit activated (against our reading) is deactivated again."""
        if status_of(read) not in ACTIVE:
            return
        _, done = self.steps.wait_for(self.sid, {"ACTIVATED"}, read)
        self.ctx.require(done, f"the stream wasn't ACTIVATED within {self.ctx.settle_timeout:g} s")
        back = self.steps.send("PUT", f"/streams/{self.sid}/deactivate")
        self.ctx.require(accepted(back), f"deactivateStream answered {back.response.status}")
        self.ctx.pause_before_reading()
        _, done = self.steps.wait_for(self.sid, {"DEACTIVATED"})
        self.ctx.require(
            done, f"the stream wasn't DEACTIVATED within {self.ctx.settle_timeout:g} s"
        )

    def read_first_version(self) -> None:
        v1, latest = self.versions[0], max(self.versions)
        read = self.steps.stream(self.sid, v1)
        detail = detail_of(read)
        self.expect(
            "AKAMAI-VERSION-005",
            read.response.status == 200 and detail.get("streamVersionId") == v1,
            f"getStream ?version={v1} after an edit answered {read.response.status} showing "
            f"version {detail.get('streamVersionId')!r}",
            read,
        )
        _, ids_problem = dataset_findings(detail, self.fields[v1])
        shown = (detail.get("streamVersionId"), detail.get("streamName"))
        self.expect(
            "AKAMAI-STREAM-GET-004",
            read.response.status == 200 and shown == (v1, self.names[v1]) and not ids_problem,
            f"getStream ?version={v1} answered {read.response.status} with version/name "
            f"{shown}, not {(v1, self.names[v1])} {ids_problem}".strip(),
            read,
        )
        if read.response.status == 200:
            self.reads[v1] = read
        typed = self.steps.get(f"/streams/{self.sid}", params={"version": "latest"})
        self.ctx.expect_refused(
            "AKAMAI-STATUS-003",
            typed,
            f"getStream ?version=latest (not an integer) answered {typed.response.status}, not 400",
            operation_twin(typed),
        )
        missing = self.steps.stream(self.sid, latest + 1000)
        self.expect(
            "AKAMAI-STREAM-GET-005",
            missing.response.status == 404,
            f"getStream ?version={latest + 1000} (the stream has {latest}) answered "
            f"{missing.response.status}, not 404",
            missing,
        )

    # ---------------------------------------------------------------- lists
    def lists(self) -> None:
        full = self.steps.get("/streams")
        items = [i for i in body_of(full) or [] if isinstance(i, dict)]
        mine = [i for i in items if i.get("streamId") == self.sid]
        if self.new_id or not mine:
            self.expect(
                "AKAMAI-STREAM-LIST-005",
                bool(mine),
                f"listStreams doesn't list stream {self.sid}, just created",
                full,
            )
        else:  # the id was listed before the create: finding it listed shows nothing
            self.ctx.collector.blocked(
                "AKAMAI-STREAM-LIST-005",
                f"createStream answered streamId {self.sid}, which the run had seen before",
            )
        if mine:
            latest = max(self.versions)
            shown = mine[0].get("streamVersionId")
            self.expect(
                "AKAMAI-STREAM-LIST-003",
                shown == latest,
                f"listStreams shows stream {self.sid} at version {shown}; getStream's latest "
                f"is {latest}",
                full,
            )
        group = self._other_group(items)
        filtered = self.steps.get("/streams", params={"groupId": group})
        got = [i for i in body_of(filtered) or [] if isinstance(i, dict)]
        wanted = {i.get("streamId") for i in items if i.get("groupId") == group}
        outsiders = sorted(str(i.get("streamId")) for i in got if i.get("groupId") != group)
        # The account is not ours alone: a stream deleted or moved between the two lists (by
        # another run or a user) is not left out; only one getStream still shows in the group.
        left_out = wanted - {i.get("streamId") for i in got}
        missing = sorted(str(s) for s in left_out if self._still_in_group(s, group))
        self.expect(
            "AKAMAI-STREAM-LIST-006",
            filtered.response.status == 200 and not outsiders and not missing,
            f"listStreams ?groupId={group} answered {filtered.response.status}; streams of "
            f"other groups: {outsiders}; streams of the group left out: {missing}",
            filtered,
        )

    def _still_in_group(self, sid: Any, group: int) -> bool:
        shown = self.steps.get(f"/streams/{sid}")
        body = body_of(shown)
        return (
            shown.response.status == 200
            and isinstance(body, dict)
            and (body.get("groupId") == group)
        )

    def _other_group(self, items: list[dict[str, Any]]) -> int:
        """A listed group other than the stream's (ours must then be filtered out)."""
        others = [g for g in self.account.group_ids if g != self.account.group_id]
        with_streams = [g for g in others if any(i.get("groupId") == g for i in items)]
        return (with_streams or others or [self.account.group_id])[0]

    # ---------------------------------------------------------------- activation
    def activate(self, requirement: str | None = None) -> None:
        """activateStream of the latest version; ACTIVATING or ACTIVATED right after; settle."""
        before = self._last_status()
        exchange = self.steps.send("PUT", f"/streams/{self.sid}/activate")
        if requirement:
            self.expect(
                requirement,
                exchange.response.status == 202,
                f"activateStream after a completed deactivation answered "
                f"{exchange.response.status}, not 202",
                exchange,
            )
        self.ctx.require(accepted(exchange), f"activateStream answered {exchange.response.status}")
        self._acted_on_latest("AKAMAI-ACTIVATE-003", "activateStream", exchange)
        self.ctx.pause_before_reading()
        first = self.steps.stream(self.sid)
        self._changed(
            "AKAMAI-ACTIVATE-004",
            before,
            first,
            ACTIVE,
            f"after activateStream answered 202, getStream says {status_of(first)}",
        )
        self.settle(first, "ACTIVATED")

    def deactivate(self) -> None:
        before = self._last_status()
        exchange = self.steps.send("PUT", f"/streams/{self.sid}/deactivate")
        self.ctx.require(
            accepted(exchange), f"deactivateStream answered {exchange.response.status}"
        )
        self._acted_on_latest("AKAMAI-DEACTIVATE-003", "deactivateStream", exchange)
        self.ctx.pause_before_reading()
        first = self.steps.stream(self.sid)
        self._changed(
            "AKAMAI-DEACTIVATE-004",
            before,
            first,
            INACTIVE,
            f"after deactivateStream answered 202, getStream says {status_of(first)}",
        )
        self.settle(first, "DEACTIVATED")

    def _last_status(self) -> Any:
        """The latest version's activationStatus as the run last read it."""
        read = self.reads.get(max(self.versions))
        return status_of(read) if read is not None else None

    def _changed(
        self, rid: str, before: Any, after: Exchange, wanted: frozenset[str], message: str
    ) -> None:
        """An activation or deactivation shows as a change: the stream read `wanted` after it,
        and was read in the other state before it (a target showing one fixed status, as a
        static mock does, shows no change and passes nothing)."""
        if status_of(after) not in wanted:
            self.expect(rid, False, message, after)
        elif before in wanted or before is None:
            self.ctx.collector.blocked(
                rid,
                f"the stream already read {before} before the change, so reading "
                f"{status_of(after)} after it shows nothing",
            )
        else:
            self.expect(rid, True, message, after)

    def settle(self, first: Exchange, wanted: str) -> Exchange:
        """Poll until `wanted` (only while the stream is on its way there)."""
        on_the_way = ACTIVE if wanted == "ACTIVATED" else INACTIVE
        self.ctx.require(
            status_of(first) in on_the_way, f"the stream is {status_of(first)}, not {wanted}"
        )
        last, done = self.steps.wait_for(self.sid, {wanted}, first)
        self.ctx.require(done, f"the stream wasn't {wanted} within {self.ctx.settle_timeout:g} s")
        self.reads[max(self.versions)] = last
        return last

    def _acted_on_latest(self, requirement: str, operation: str, exchange: Exchange) -> None:
        shown, latest = version_key(exchange)[1], max(self.versions)
        self.expect(
            requirement,
            shown == latest,
            f"{operation} answered version {shown}; the latest version is {latest}",
            exchange,
        )

    def activation_history(self) -> tuple[Exchange, list[dict[str, Any]]]:
        exchange = self.steps.get(f"/streams/{self.sid}/activationHistory")
        self.ctx.require(
            exchange.response.status == 200,
            f"getActivationHistory answered {exchange.response.status}",
        )
        return exchange, [e for e in body_of(exchange) or [] if isinstance(e, dict)]

    def has_entry(self, entries: list[dict[str, Any]], version: int, active: bool) -> bool:
        return any(
            e.get("streamVersionId") == version and e.get("isActive") is active for e in entries
        )

    def edit_active(self) -> None:
        read, _ = self.edit("life-v4", datasetFieldIds=self.fields[max(self.versions)])
        self.expect(
            "AKAMAI-VERSION-003",
            status_of(read) in ACTIVE,
            f"editing an active stream gave a {status_of(read)} version",
            read,
        )
        self.settle(read, "ACTIVATED")

    # ---------------------------------------------------------------- history
    def history(self) -> None:
        exchange = self.steps.get(f"/streams/{self.sid}/history")
        entries = [e for e in body_of(exchange) or [] if isinstance(e, dict)]
        shown = [e.get("streamVersionId") for e in entries]
        self.expect(
            "AKAMAI-HISTORY-003",
            exchange.response.status == 200
            and sorted(map(str, shown)) == sorted(map(str, self.versions)),
            f"getStreamHistory lists versions {shown}; the stream has {sorted(self.versions)}",
            exchange,
        )
        for entry in entries:
            version = entry.get("streamVersionId")
            if version not in self.versions:
                continue
            read = self._current_read(int(version))
            if read is None:
                continue
            detail = body_of(read)
            wrong = [
                m
                for m in HISTORY_MEMBERS
                if canonical(entry.get(m)) != canonical((detail or {}).get(m))
            ]
            self.expect(
                "AKAMAI-HISTORY-004",
                not wrong,
                f"getStreamHistory's version {version} differs from getStream ?version="
                f"{version} in {wrong}",
                exchange,
            )

    def _current_read(self, version: int) -> Exchange | None:
        """A getStream of `version` whose activation status is still current."""
        if version in (self.versions[0], max(self.versions)) and version in self.reads:
            return self.reads[version]  # version 1 never changed; the latest was just polled
        if self.ctx.minimal:  # the first and the latest version stand for the ones between
            return None
        read = self.steps.stream(self.sid, version)
        return read if read.response.status == 200 else None

    # ---------------------------------------------------------------- the end
    def finish(self) -> None:
        if not self.ctx.minimal:  # auth-and-methods shows STATUS-010 already
            wrong = self.steps.send("POST", f"/streams/{self.sid}/activate")
            self.expect(
                "AKAMAI-STATUS-010",
                wrong.response.status == 405,
                f"POST .../activate (v1 uses PUT) answered {wrong.response.status}, not 405",
                wrong,
            )
        self.steps.send("PUT", f"/streams/{self.sid}/deactivate")
        deleted = self.steps.send("DELETE", f"/streams/{self.sid}")
        if not accepted(deleted):  # the target wants the deactivation to finish first
            self.steps.wait_for(self.sid, {"DEACTIVATED"})
            deleted = self.steps.send("DELETE", f"/streams/{self.sid}")
        self.ctx.require(accepted(deleted), f"deleteStream answered {deleted.response.status}")
        self.steps.mark_removed(self.sid)
        self.expect(
            "AKAMAI-STREAM-DELETE-002",
            body_of(deleted) == {"message": "Success"},
            f'deleteStream answered {deleted.response.body[:100]!r}, not {{"message": "Success"}}',
            deleted,
        )
        again = self.steps.send("PUT", f"/streams/{self.sid}/activate")
        self.ctx.expect_refused(
            "AKAMAI-STREAM-DELETE-003",
            again,
            f"activateStream of a deleted stream answered {again.response.status}, not a 4xx",
            operation_twin(again),
            expected=range(400, 500),
        )
        self.gone()

    def gone(self) -> None:
        """Every /streams/{streamId} operation on the deleted stream, and activation of an ID
        that never existed, is answered 404."""
        edit = AkamaiAccount.edit_body(self.created)
        operations: list[tuple[str, str, Any]] = [
            ("GET", "", None),
            ("PUT", "", edit),
            ("DELETE", "", None),
            ("GET", "/history", None),
            ("GET", "/activationHistory", None),
            ("PUT", "/deactivate", None),
        ]
        for method, path, body in operations[:1] if self.ctx.minimal else operations:
            exchange = self.steps.send(method, f"/streams/{self.sid}{path}", json=body)
            self.expect(
                "AKAMAI-STATUS-009",
                exchange.response.status == 404,
                f"{method} /streams/{{id}}{path} of deleted stream {self.sid} answered "
                f"{exchange.response.status}, not 404",
                exchange,
            )
        # The write guard lets this one write to an id the run did not create through only
        # right after a GET has shown that no stream holds it.
        absent = self.steps.get(f"/streams/{NEVER_A_STREAM}")
        if absent.response.status != 404:
            self.expect(
                "AKAMAI-STATUS-009",
                False,
                f"getStream of stream {NEVER_A_STREAM}, which no listing names, answered "
                f"{absent.response.status}, not 404",
                absent,
            )
            return
        never = self.steps.send("PUT", f"/streams/{NEVER_A_STREAM}/activate")
        self.expect(
            "AKAMAI-STATUS-009",
            never.response.status == 404,
            f"activateStream of stream {NEVER_A_STREAM}, which no listing names, answered "
            f"{never.response.status}, not 404",
            never,
        )


def stream_lifecycle(ctx: ScenarioContext) -> None:
    """Create, read, edit, read versions and lists, activate, edit while active, deactivate,
    reactivate, compare history, delete."""
    steps = AkamaiSteps(ctx)
    life = Lifecycle(ctx, steps, steps.account())
    life.create()
    life.read_created()
    life.edit_inactive()
    life.edit_inactive_asking_activation()
    life.read_first_version()
    life.lists()
    life.activate()
    before_edit = activation_entries(life, "activation")
    life.edit_active()
    life.deactivate()
    life.activate("AKAMAI-ACTIVATE-005")
    after = activation_entries(life, "reactivation", deactivated=True)
    kept = [canonical(e) for e in after[1]]
    lost = [e for e in before_edit[1] if canonical(e) not in kept]
    life.expect(
        "AKAMAI-ACTHIST-005",
        not lost,
        f"entries of earlier versions disappeared after an edit: {lost}",
        after[0],
    )
    life.history()
    life.finish()


def activation_entries(
    life: Lifecycle, after: str, *, deactivated: bool = False
) -> tuple[Exchange, list[dict[str, Any]]]:
    """Read the activation history; the latest version's activation (and, after a
    deactivation, its deactivation) must be recorded."""
    exchange, entries = life.activation_history()
    latest = max(life.versions)
    life.expect(
        "AKAMAI-ACTHIST-003",
        life.has_entry(entries, latest, True),
        f"no isActive true entry for version {latest} after its {after}",
        exchange,
    )
    if deactivated:
        life.expect(
            "AKAMAI-ACTHIST-004",
            life.has_entry(entries, latest, False),
            f"no isActive false entry for version {latest} after its deactivation",
            exchange,
        )
    return exchange, entries


STREAM_LIFECYCLE = Scenario(
    "stream-lifecycle",
    "akamai",
    stream_lifecycle,
    LIFECYCLE_CITES,
    description="One stream through versions, activations, history and deletion.",
)
