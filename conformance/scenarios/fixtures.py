"""Valid request bodies built from what the target offers, for phases that need to create."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from conformance.engine.context import PhaseContext
from conformance.scenarios.akamai_account import discover_account
from conformance.scenarios.azion_account import discover_azion_account


def valid_create_body_factory(ctx: PhaseContext) -> Callable[[], dict[str, Any]]:
    """A function returning a fresh valid create body each call (named with the run prefix)."""
    counter = itertools.count(1)
    if ctx.api.name == "akamai":
        account = discover_account(ctx.client, phase="stateful")
        # Only properties no stream monitors: other runs' and the customer's streams keep theirs.
        properties = account.take_properties(max(1, min(len(account.free_properties), 12)))

        def akamai_body() -> dict[str, Any]:
            n = next(counter)
            chosen = properties[n % len(properties)]
            return account.stream_body(f"{ctx.run_prefix}-stateful-{n}", [chosen])

        return akamai_body
    azion = discover_azion_account(ctx.client, phase="stateful", domain_ids=ctx.settings.domain_ids)

    def azion_body() -> dict[str, Any]:
        return azion.streaming_body(f"{ctx.run_prefix}-stateful-{next(counter)}")

    return azion_body
