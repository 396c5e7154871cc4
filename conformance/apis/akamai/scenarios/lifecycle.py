"""The Akamai stream lifecycle: one stream created, read, edited, activated, edited while
active, deactivated, reactivated, compared with its history, and deleted.

The steps live by family: versions (create, read, edits), listings (lists, history),
activation, deletion; `lifecycle_state.Lifecycle` is what they share."""

from __future__ import annotations

from conformance.apis.akamai.scenarios.lifecycle_activation import (
    activate,
    activation_entries,
    deactivate,
    edit_active,
)
from conformance.apis.akamai.scenarios.lifecycle_deletion import finish
from conformance.apis.akamai.scenarios.lifecycle_listings import history, lists
from conformance.apis.akamai.scenarios.lifecycle_state import Lifecycle
from conformance.apis.akamai.scenarios.lifecycle_versions import (
    create,
    edit_inactive,
    edit_inactive_asking_activation,
    read_created,
    read_first_version,
)
from conformance.apis.akamai.scenarios.steps import AUTH_001, AkamaiSteps, canonical
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


def stream_lifecycle(ctx: ScenarioContext) -> None:
    """Create, read, edit, read versions and lists, activate, edit while active, deactivate,
    reactivate, compare history, delete."""
    steps = AkamaiSteps(ctx)
    life = Lifecycle(ctx, steps, steps.account())
    create(life)
    read_created(life)
    edit_inactive(life)
    edit_inactive_asking_activation(life)
    read_first_version(life)
    lists(life)
    activate(life)
    before_edit = activation_entries(life, "activation")
    edit_active(life)
    deactivate(life)
    activate(life, "AKAMAI-ACTIVATE-005")
    after = activation_entries(life, "reactivation", deactivated=True)
    kept = [canonical(e) for e in after[1]]
    lost = [e for e in before_edit[1] if canonical(e) not in kept]
    life.expect(
        "AKAMAI-ACTHIST-005",
        not lost,
        f"entries of earlier versions disappeared after an edit: {lost}",
        after[0],
    )
    history(life)
    finish(life)


STREAM_LIFECYCLE = Scenario(
    "stream-lifecycle",
    "akamai",
    stream_lifecycle,
    LIFECYCLE_CITES,
    description="One stream through versions, activations, history and deletion.",
)
