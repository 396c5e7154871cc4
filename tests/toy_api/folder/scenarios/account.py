"""What the toy API's state machine builds notes from: nothing but a run-prefixed name."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conformance.engine.context import PhaseContext


def stateful_bodies(ctx: PhaseContext) -> Callable[[], dict[str, Any]]:
    """A fresh valid create body each call, named with the run prefix."""
    counter = itertools.count(1)

    def body() -> dict[str, Any]:
        return {"name": f"{ctx.run_prefix}-stateful-{next(counter)}", "text": "state"}

    return body


# What the stateful phase cannot do without.
STATEFUL_OPERATIONS = frozenset({"createNote"})
