"""The stream lifecycle as the collection shows it: listStreams (whole and by group) and the
stream's version history."""

from __future__ import annotations

from typing import Any

from conformance.apis.akamai.scenarios.lifecycle_state import Lifecycle
from conformance.apis.akamai.scenarios.steps import body_of, canonical
from conformance.core.exchange import Exchange

HISTORY_MEMBERS = ("properties", "datasets", "connectors", "config", "activationStatus")


def lists(life: Lifecycle) -> None:
    """listStreams shows the new stream at its latest version; ?groupId= lists that group's
    streams only."""
    full = life.steps.get("/streams")
    items = [i for i in body_of(full) or [] if isinstance(i, dict)]
    mine = [i for i in items if i.get("streamId") == life.sid]
    if life.new_id or not mine:
        life.expect(
            "AKAMAI-STREAM-LIST-005",
            bool(mine),
            f"listStreams doesn't list stream {life.sid}, just created",
            full,
        )
    else:  # the id was listed before the create: finding it listed shows nothing
        life.ctx.collector.blocked(
            "AKAMAI-STREAM-LIST-005",
            f"createStream answered streamId {life.sid}, which the run had seen before",
        )
    if mine:
        latest = max(life.versions)
        shown = mine[0].get("streamVersionId")
        life.expect(
            "AKAMAI-STREAM-LIST-003",
            shown == latest,
            f"listStreams shows stream {life.sid} at version {shown}; getStream's latest "
            f"is {latest}",
            full,
        )
    group = _other_group(life, items)
    filtered = life.steps.get("/streams", params={"groupId": group})
    got = [i for i in body_of(filtered) or [] if isinstance(i, dict)]
    wanted = {i.get("streamId") for i in items if i.get("groupId") == group}
    outsiders = sorted(str(i.get("streamId")) for i in got if i.get("groupId") != group)
    # The account is not ours alone: a stream deleted or moved between the two lists (by
    # another run or a user) is not left out; only one getStream still shows in the group.
    left_out = wanted - {i.get("streamId") for i in got}
    missing = sorted(str(s) for s in left_out if _still_in_group(life, s, group))
    life.expect(
        "AKAMAI-STREAM-LIST-006",
        filtered.response.status == 200 and not outsiders and not missing,
        f"listStreams ?groupId={group} answered {filtered.response.status}; streams of "
        f"other groups: {outsiders}; streams of the group left out: {missing}",
        filtered,
    )


def _still_in_group(life: Lifecycle, sid: Any, group: int) -> bool:
    shown = life.steps.get(f"/streams/{sid}")
    body = body_of(shown)
    return (
        shown.response.status == 200 and isinstance(body, dict) and (body.get("groupId") == group)
    )


def _other_group(life: Lifecycle, items: list[dict[str, Any]]) -> int:
    """A listed group other than the stream's (ours must then be filtered out)."""
    others = [g for g in life.account.group_ids if g != life.account.group_id]
    with_streams = [g for g in others if any(i.get("groupId") == g for i in items)]
    return (with_streams or others or [life.account.group_id])[0]


def history(life: Lifecycle) -> None:
    """getStreamHistory lists every version, each as getStream ?version= shows it."""
    exchange = life.steps.get(f"/streams/{life.sid}/history")
    entries = [e for e in body_of(exchange) or [] if isinstance(e, dict)]
    shown = [e.get("streamVersionId") for e in entries]
    life.expect(
        "AKAMAI-HISTORY-003",
        exchange.response.status == 200
        and sorted(map(str, shown)) == sorted(map(str, life.versions)),
        f"getStreamHistory lists versions {shown}; the stream has {sorted(life.versions)}",
        exchange,
    )
    for entry in entries:
        version = entry.get("streamVersionId")
        if version not in life.versions:
            continue
        read = _current_read(life, int(version))
        if read is None:
            continue
        detail = body_of(read)
        wrong = [
            m
            for m in HISTORY_MEMBERS
            if canonical(entry.get(m)) != canonical((detail or {}).get(m))
        ]
        life.expect(
            "AKAMAI-HISTORY-004",
            not wrong,
            f"getStreamHistory's version {version} differs from getStream ?version="
            f"{version} in {wrong}",
            exchange,
        )


def _current_read(life: Lifecycle, version: int) -> Exchange | None:
    """A getStream of `version` whose activation status is still current."""
    if version in (life.versions[0], max(life.versions)) and version in life.reads:
        return life.reads[version]  # version 1 never changed; the latest was just polled
    if life.ctx.minimal:  # the first and the latest version stand for the ones between
        return None
    read = life.steps.stream(life.sid, version)
    return read if read.response.status == 200 else None
