"""The end of the stream lifecycle: the stream deleted, and every operation on it (and on an
ID that never existed) answered 404."""

from __future__ import annotations

from typing import Any

from conformance.apis.akamai.scenarios.account import AkamaiAccount
from conformance.apis.akamai.scenarios.lifecycle_state import Lifecycle
from conformance.apis.akamai.scenarios.steps import accepted, body_of, operation_twin
from conformance.engine.ownership import ABSENT_ID

# A streamId far beyond any a target hands out; writes to it need a fresh GET 404 (ownership.py).
NEVER_A_STREAM = ABSENT_ID


def finish(life: Lifecycle) -> None:
    """A wrong method on activate, then deactivate and delete the stream; everything on it is
    then refused."""
    if not life.ctx.minimal:  # auth-and-methods shows STATUS-010 already
        wrong = life.steps.send("POST", f"/streams/{life.sid}/activate")
        life.expect(
            "AKAMAI-STATUS-010",
            wrong.response.status == 405,
            f"POST .../activate (v1 uses PUT) answered {wrong.response.status}, not 405",
            wrong,
        )
    life.steps.send("PUT", f"/streams/{life.sid}/deactivate")
    deleted = life.steps.send("DELETE", f"/streams/{life.sid}")
    if not accepted(deleted):  # the target wants the deactivation to finish first
        life.steps.wait_for(life.sid, {"DEACTIVATED"})
        deleted = life.steps.send("DELETE", f"/streams/{life.sid}")
    life.ctx.require(accepted(deleted), f"deleteStream answered {deleted.response.status}")
    life.steps.mark_removed(life.sid)
    life.expect(
        "AKAMAI-STREAM-DELETE-002",
        body_of(deleted) == {"message": "Success"},
        f'deleteStream answered {deleted.response.body[:100]!r}, not {{"message": "Success"}}',
        deleted,
    )
    again = life.steps.send("PUT", f"/streams/{life.sid}/activate")
    life.ctx.expect_refused(
        "AKAMAI-STREAM-DELETE-003",
        again,
        f"activateStream of a deleted stream answered {again.response.status}, not a 4xx",
        operation_twin(again),
        expected=range(400, 500),
    )
    gone(life)


def gone(life: Lifecycle) -> None:
    """Every /streams/{streamId} operation on the deleted stream, and activation of an ID
    that never existed, is answered 404."""
    edit = AkamaiAccount.edit_body(life.created)
    operations: list[tuple[str, str, Any]] = [
        ("GET", "", None),
        ("PUT", "", edit),
        ("DELETE", "", None),
        ("GET", "/history", None),
        ("GET", "/activationHistory", None),
        ("PUT", "/deactivate", None),
    ]
    for method, path, body in operations[:1] if life.ctx.minimal else operations:
        exchange = life.steps.send(method, f"/streams/{life.sid}{path}", json=body)
        life.expect(
            "AKAMAI-STATUS-009",
            exchange.response.status == 404,
            f"{method} /streams/{{id}}{path} of deleted stream {life.sid} answered "
            f"{exchange.response.status}, not 404",
            exchange,
        )
    # The write guard lets this one write to an id the run did not create through only
    # right after a GET has shown that no stream holds it.
    absent = life.steps.get(f"/streams/{NEVER_A_STREAM}")
    if absent.response.status != 404:
        life.expect(
            "AKAMAI-STATUS-009",
            False,
            f"getStream of stream {NEVER_A_STREAM}, which no listing names, answered "
            f"{absent.response.status}, not 404",
            absent,
        )
        return
    never = life.steps.send("PUT", f"/streams/{NEVER_A_STREAM}/activate")
    life.expect(
        "AKAMAI-STATUS-009",
        never.response.status == 404,
        f"activateStream of stream {NEVER_A_STREAM}, which no listing names, answered "
        f"{never.response.status}, not 404",
        never,
    )
