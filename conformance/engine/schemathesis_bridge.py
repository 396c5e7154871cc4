"""Between schemathesis cases and our client: every generated request goes through the run's
TargetClient (auth, budget, checks), and its answer goes back to schemathesis' own checks."""

from __future__ import annotations

import os
import threading
from typing import Any

import requests
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.core.hooks import HOOKS_MODULE_ENV_VAR

from conformance.core.exchange import Exchange
from conformance.engine.context import PhaseContext

# Ours, not the case's: the client signs every request and names itself.
REPLACED_HEADERS = ("user-agent", "authorization")
_ENVIRON_LOCK = threading.Lock()


def load_openapi(raw: dict[str, Any], base_url: str) -> Any:
    """schemathesis' view of our spec, under a configuration built here and nowhere else.

    Without `config=`, schemathesis reads the first `schemathesis.toml` of the working directory
    or its parents (its `[headers]` went into our requests; an invalid one ended the run in a
    traceback), and its configuration loads the Python module `$SCHEMATHESIS_HOOKS` names (its
    hooks rewrote our requests too). Settings of ours come from our own flags and config file.
    """
    with _ENVIRON_LOCK:
        hooks_module = os.environ.pop(HOOKS_MODULE_ENV_VAR, None)
        try:
            config = SchemathesisConfig()
        finally:
            if hooks_module is not None:
                os.environ[HOOKS_MODULE_ENV_VAR] = hooks_module
    schema = schemathesis.openapi.from_dict(raw, config=config)
    schema.config.update(base_url=base_url)
    return schema


def send_case(
    ctx: PhaseContext, case: Any, *, phase: str
) -> tuple[Exchange, requests.PreparedRequest]:
    """Send a schemathesis case through the run's client; the target's default headers (the
    Accept version of `ApiDefinition.request_headers`) win over the generated ones."""
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
