"""Finding what a run's name prefix marks: `dsconform sweep`, and a run whose create got no
complete answer (the target may have made the resource; no listener saw its id)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from conformance.apis import ResourceShape, get_api
from conformance.core.exchange import Exchange
from conformance.core.target_client import TargetClient, TargetError, WriteRefused
from conformance.engine.leftovers import remove_resource
from conformance.engine.ownership import ownership_of


@dataclass(slots=True)
class SweepResult:
    """What a sweep found and removed."""

    found: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _json(exchange: Any) -> Any:
    try:
        return exchange.response.json()
    except ValueError:
        return None


def _confirmed(
    client: TargetClient, shape: ResourceShape, path: str, prefix: str, phase: str
) -> bool:
    """Whether the resource itself (not just a list entry) still carries the prefix: read it
    and, only then, let the write guard pass deletes to it."""
    item = shape.dig(_json(client.send("GET", path, phase=phase)), shape.read_item)
    name = item.get(shape.name_member) if isinstance(item, dict) else None
    if not isinstance(name, str) or not name.startswith(prefix):
        return False
    guard = ownership_of(client)
    if guard is not None:
        guard.register(path.rsplit("/", 1)[1])
    return True


def sweep_resources(
    client: TargetClient,
    api: str,
    prefix: str,
    *,
    dry_run: bool,
    settle_timeout: float = 120.0,
    phase: str = "sweep",
) -> SweepResult:
    """Delete every resource of the API whose name starts with `prefix` (deactivated first
    where the API will not delete an active one), each only after its own answer shows it."""
    shape = get_api(api).resource
    if ownership_of(client) is None:
        raise ValueError("a sweep deletes only through a client with an ownership guard")
    result = SweepResult()
    items = shape.dig(_json(client.send("GET", shape.collection, phase=phase)), shape.list_items)
    for item in items if isinstance(items, list) else []:
        name = str(item.get(shape.name_member, "")) if isinstance(item, dict) else ""
        if not name.startswith(prefix):
            continue
        label = f"{shape.noun} {item.get(shape.id_parameter)} ({name})"
        result.found.append(label)
        if dry_run:
            continue
        path = f"{shape.collection}/{item.get(shape.id_parameter)}"
        if not _confirmed(client, shape, path, prefix, phase):
            result.failed.append(f"{label}: its own answer does not carry the prefix, kept")
            continue
        deactivation = shape.deactivation
        active = deactivation is not None and item.get(deactivation.status_member) in (
            deactivation.active
        )
        removed = remove_resource(
            client, api, path, phase=phase, settle_timeout=settle_timeout, known_active=active
        )
        (result.deleted if removed else result.failed).append(label)
    return result


def unanswered_creates(api: str, unanswered: list[Exchange]) -> list[Exchange]:
    """The creates among writes that got no complete answer (`TargetClient.unanswered_writes`)."""
    create = get_api(api).resource.create_operation
    return [exchange for exchange in unanswered if exchange.operation_id == create]


def remove_unanswered_creates(
    client: TargetClient, api: str, run_prefix: str, *, settle_timeout: float
) -> list[str]:
    """After the phases: when a create of the run got no complete answer, find what the run's
    unique name prefix marks and delete it (as cleanup: within the grace period after a stop
    or the deadline). Returns notes for the report: what was removed, or what may be left."""
    lost = unanswered_creates(api, client.unanswered_writes)
    if not lost or not run_prefix:
        return []
    said = f"{len(lost)} create(s) got no complete answer"
    # Names are `<run prefix>-<what>`: the dash keeps dsconform-ab12 off dsconform-ab123.
    try:
        with client.cleanup_window():
            result = sweep_resources(
                client,
                api,
                f"{run_prefix}-",
                dry_run=False,
                settle_timeout=settle_timeout,
                phase="cleanup",
            )
    except (TargetError, WriteRefused) as exc:
        return [
            f"{said}; could not delete what they may have made ({exc}); "
            f"`dsconform sweep --prefix {run_prefix}-` removes it"
        ]
    if not result.found:
        return [f"{said}; the target holds nothing named with the run's prefix {run_prefix}-"]
    deleted = [f"{said}; found by the run's name prefix and deleted {x}" for x in result.deleted]
    return deleted + [f"{said}; could not delete {label}" for label in result.failed]
