"""The stream lifecycle's activations: activate, deactivate and reactivate the stream, edit it
while active, and read its activation history."""

from __future__ import annotations

from typing import Any

from conformance.apis.akamai.scenarios.lifecycle_state import Lifecycle
from conformance.apis.akamai.scenarios.lifecycle_versions import edit
from conformance.apis.akamai.scenarios.steps import (
    ACTIVE,
    INACTIVE,
    accepted,
    body_of,
    status_of,
    version_key,
)
from conformance.core.exchange import Exchange


def activate(life: Lifecycle, requirement: str | None = None) -> None:
    """activateStream of the latest version; ACTIVATING or ACTIVATED right after; settle."""
    before = _last_status(life)
    exchange = life.steps.send("PUT", f"/streams/{life.sid}/activate")
    if requirement:
        life.expect(
            requirement,
            exchange.response.status == 202,
            f"activateStream after a completed deactivation answered "
            f"{exchange.response.status}, not 202",
            exchange,
        )
    life.ctx.require(accepted(exchange), f"activateStream answered {exchange.response.status}")
    _acted_on_latest(life, "AKAMAI-ACTIVATE-003", "activateStream", exchange)
    life.ctx.pause_before_reading()
    first = life.steps.stream(life.sid)
    _changed(
        life,
        "AKAMAI-ACTIVATE-004",
        before,
        first,
        ACTIVE,
        f"after activateStream answered 202, getStream says {status_of(first)}",
    )
    settle(life, first, "ACTIVATED")


def deactivate(life: Lifecycle) -> None:
    """deactivateStream of the latest version; DEACTIVATING or DEACTIVATED right after; settle."""
    before = _last_status(life)
    exchange = life.steps.send("PUT", f"/streams/{life.sid}/deactivate")
    life.ctx.require(accepted(exchange), f"deactivateStream answered {exchange.response.status}")
    _acted_on_latest(life, "AKAMAI-DEACTIVATE-003", "deactivateStream", exchange)
    life.ctx.pause_before_reading()
    first = life.steps.stream(life.sid)
    _changed(
        life,
        "AKAMAI-DEACTIVATE-004",
        before,
        first,
        INACTIVE,
        f"after deactivateStream answered 202, getStream says {status_of(first)}",
    )
    settle(life, first, "DEACTIVATED")


def _last_status(life: Lifecycle) -> Any:
    """The latest version's activationStatus as the run last read it."""
    read = life.reads.get(max(life.versions))
    return status_of(read) if read is not None else None


def _changed(
    life: Lifecycle, rid: str, before: Any, after: Exchange, wanted: frozenset[str], message: str
) -> None:
    """An activation or deactivation shows as a change: the stream read `wanted` after it,
    and was read in the other state before it (a target showing one fixed status, as a
    static mock does, shows no change and passes nothing)."""
    if status_of(after) not in wanted:
        life.expect(rid, False, message, after)
    elif before in wanted or before is None:
        life.ctx.collector.blocked(
            rid,
            f"the stream already read {before} before the change, so reading "
            f"{status_of(after)} after it shows nothing",
        )
    else:
        life.expect(rid, True, message, after)


def settle(life: Lifecycle, first: Exchange, wanted: str) -> Exchange:
    """Poll until `wanted` (only while the stream is on its way there)."""
    on_the_way = ACTIVE if wanted == "ACTIVATED" else INACTIVE
    life.ctx.require(
        status_of(first) in on_the_way, f"the stream is {status_of(first)}, not {wanted}"
    )
    last, done = life.steps.wait_for(life.sid, {wanted}, first)
    life.ctx.require(done, f"the stream wasn't {wanted} within {life.ctx.settle_timeout:g} s")
    life.reads[max(life.versions)] = last
    return last


def _acted_on_latest(life: Lifecycle, requirement: str, operation: str, exchange: Exchange) -> None:
    shown, latest = version_key(exchange)[1], max(life.versions)
    life.expect(
        requirement,
        shown == latest,
        f"{operation} answered version {shown}; the latest version is {latest}",
        exchange,
    )


def activation_history(life: Lifecycle) -> tuple[Exchange, list[dict[str, Any]]]:
    """getActivationHistory of the stream, answered 200, and its entries."""
    exchange = life.steps.get(f"/streams/{life.sid}/activationHistory")
    life.ctx.require(
        exchange.response.status == 200,
        f"getActivationHistory answered {exchange.response.status}",
    )
    return exchange, [e for e in body_of(exchange) or [] if isinstance(e, dict)]


def has_entry(entries: list[dict[str, Any]], version: int, active: bool) -> bool:
    """Whether an entry records `version` going active (or inactive)."""
    return any(e.get("streamVersionId") == version and e.get("isActive") is active for e in entries)


def edit_active(life: Lifecycle) -> None:
    """An edit of the active stream makes an active version; settle it."""
    read, _ = edit(life, "life-v4", datasetFieldIds=life.fields[max(life.versions)])
    life.expect(
        "AKAMAI-VERSION-003",
        status_of(read) in ACTIVE,
        f"editing an active stream gave a {status_of(read)} version",
        read,
    )
    settle(life, read, "ACTIVATED")


def activation_entries(
    life: Lifecycle, after: str, *, deactivated: bool = False
) -> tuple[Exchange, list[dict[str, Any]]]:
    """Read the activation history; the latest version's activation (and, after a
    deactivation, its deactivation) must be recorded."""
    exchange, entries = activation_history(life)
    latest = max(life.versions)
    life.expect(
        "AKAMAI-ACTHIST-003",
        has_entry(entries, latest, True),
        f"no isActive true entry for version {latest} after its {after}",
        exchange,
    )
    if deactivated:
        life.expect(
            "AKAMAI-ACTHIST-004",
            has_entry(entries, latest, False),
            f"no isActive false entry for version {latest} after its deactivation",
            exchange,
        )
    return exchange, entries
