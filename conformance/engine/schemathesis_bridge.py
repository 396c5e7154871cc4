"""Between schemathesis cases and our client: every generated request goes through the run's
TargetClient (auth, budget, checks), and its answer goes back to schemathesis' own checks."""

from __future__ import annotations

from typing import Any

import requests
import schemathesis

from conformance.engine.context import PhaseContext
from conformance.engine.exchange import Exchange

# Ours, not the case's: the client signs every request and names itself.
REPLACED_HEADERS = ("user-agent", "authorization")


def send_case(
    ctx: PhaseContext, case: Any, *, phase: str
) -> tuple[Exchange, requests.PreparedRequest]:
    """Send a schemathesis case through the run's client; the target's default headers (the
    Azion Accept version) win over the generated ones."""
    kwargs = case.as_transport_kwargs(base_url=ctx.client.base_url)
    headers = {
        k: v for k, v in (kwargs.get("headers") or {}).items() if k.lower() not in REPLACED_HEADERS
    }
    headers.update(ctx.target.default_headers)
    prepared = ctx.client.prepare(
        kwargs["method"],
        kwargs["url"],
        headers=headers,
        params=kwargs.get("params"),
        json=kwargs.get("json"),
        data=kwargs.get("data"),
    )
    return ctx.client.send_prepared(prepared, phase=phase), prepared


def as_schemathesis_response(
    exchange: Exchange, prepared: requests.PreparedRequest, *, content: bytes | None = None
) -> schemathesis.Response:
    """The exchange's answer in the form schemathesis' checks read (`content` replaces the
    body: the state machine sees list answers narrowed to the run's own resources)."""
    return schemathesis.Response(
        status_code=exchange.response.status,
        headers={k.lower(): [v] for k, v in exchange.response.headers.items()},
        content=exchange.response.body.encode() if content is None else content,
        request=prepared,
        elapsed=exchange.elapsed,
        verify=True,
    )
