"""Connector and endpoint secrets sent in requests never come back in responses."""

from __future__ import annotations

import json
from typing import Any

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.engine.exchange import Exchange
from conformance.redaction import SECRET_FIELDS

# Short values ("", "x") would match by accident anywhere in a body.
MIN_SECRET_LENGTH = 6


def secret_values(value: Any) -> set[str]:
    """Every string held by a secret field of a JSON value, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS and isinstance(item, str) and len(item) >= MIN_SECRET_LENGTH:
                found.add(item)
            else:
                found |= secret_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= secret_values(item)
    return found


def plain_values(value: Any) -> set[str]:
    """Every string held by a field that is not a secret field, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS:
                continue
            found |= {item} if isinstance(item, str) else plain_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= {item} if isinstance(item, str) else plain_values(item)
    return found


def _sent_in_the_clear(exchange: Exchange) -> set[str]:
    try:
        return plain_values(json.loads(exchange.request.body)) if exchange.request.body else set()
    except ValueError:
        return set()


def _written_forms(secret: str) -> set[str]:
    """The secret as a body may carry it: as is, or inside a JSON string (escaped quotes,
    backslashes, control and non-ASCII characters)."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}


def no_secret_echoed(exchange: Exchange, env: CheckEnv) -> Outcome:
    """No response, success or error, carries a secret value any request of the run has sent."""
    if not env.known_secrets or not exchange.response.body:
        return None
    # A value this very request sends in (or inside) a plain field may come back (generated data
    # reuses strings across fields): echoing a name or a URL is no leak of the secret it also was.
    clear = _sent_in_the_clear(exchange)
    body = exchange.response.body
    leaked = [
        s
        for s in env.known_secrets
        if not any(s in value for value in clear) and any(f in body for f in _written_forms(s))
    ]
    if not leaked:
        return PASS
    return Violation(
        f"response echoes {len(leaked)} secret value(s) sent earlier "
        f"(e.g. one of {len(leaked[0])} characters)",
        kind="secret-echoed",
    )
