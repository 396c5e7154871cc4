"""The toy API's one scripted scenario: a note's life, and a body the schema refuses."""

from __future__ import annotations

from typing import Any

from conformance.core.exchange import Exchange
from conformance.scenarios.base import Scenario, ScenarioContext, Twin

NOTES = "/toy/notes"
CREATE = Twin("POST", "createNote", "a valid create accepted")


def _json(exchange: Exchange) -> Any:
    try:
        return exchange.response.json()
    except ValueError:
        return None


def note_lifecycle(ctx: ScenarioContext) -> None:
    """Create a note, refuse a nameless one, delete the note; then it is gone (404)."""
    created = ctx.send("POST", NOTES, json={"name": ctx.name("note"), "text": "milk"})
    shown = _json(created)
    note_id = shown.get("id") if isinstance(shown, dict) else None
    ctx.expect(
        "TOY-CREATE-001",
        created.response.status == 201 and isinstance(note_id, int),
        f"a valid create was answered {created.response.status} with {created.response.body!r}",
        created,
    )
    ctx.require(isinstance(note_id, int), "the create showed no note id")
    path = f"{NOTES}/{note_id}"
    live = [path]

    def delete_what_is_left() -> None:
        for left in live:
            ctx.send("DELETE", left)

    ctx.on_cleanup(delete_what_is_left)
    nameless = ctx.send("POST", NOTES, json={"text": "no name"})
    ctx.expect_refused(
        "TOY-STATUS-001", nameless, "a note without a name was not answered 400", CREATE
    )
    deleted = ctx.send("DELETE", path)
    ctx.require(deleted.response.status == 204, f"a delete was answered {deleted.response.status}")
    live.clear()
    gone = ctx.send("GET", path)
    ctx.expect(
        "TOY-GET-001",
        gone.response.status == 404,
        f"a deleted note was answered {gone.response.status}, not 404",
        gone,
    )


NOTE_LIFECYCLE = Scenario(
    "note-lifecycle",
    "toy",
    note_lifecycle,
    ("TOY-CREATE-001", "TOY-STATUS-001", "TOY-GET-001"),
    description="create, refuse a nameless note, delete, then 404",
)

SCENARIOS: tuple[Scenario, ...] = (NOTE_LIFECYCLE,)
# What each scenario sends outside its cleanup (the client refuses anything else under a filter).
SCENARIO_OPERATIONS: dict[str, frozenset[str]] = {
    "note-lifecycle": frozenset({"createNote", "deleteNote", "getNote"}),
}
