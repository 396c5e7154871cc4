"""Connector and endpoint secrets sent in requests never come back in responses."""

from __future__ import annotations

import json
from typing import Any

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange
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


def _json(text: str) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


def _written_forms(secret: str) -> set[str]:
    """The secret as a body may carry it: as is, or inside a JSON string (escaped quotes,
    backslashes, control and non-ASCII characters)."""
    return {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}


def no_secret_echoed(exchange: Exchange, env: CheckEnv) -> Outcome:
    """No response echoes a secret endpoint variable the run sent: the answer to the request
    that sent it (success or error) nowhere in its body, any later answer not as the value of a
    secret member.

    A later answer is judged by its secret members only because the account is not ours alone:
    another client (another run with the same seed) may send our secret's text as a name, and
    a list shows its resources too."""
    if not env.known_secrets or not exchange.response.body:
        return None
    sent = _json(exchange.request.body)
    # A value this very request also sends in (or inside) a plain field may come back (generated
    # data reuses strings across fields): echoing a name is no leak of the secret it also was.
    clear = plain_values(sent)
    body = exchange.response.body
    echoed = {
        s
        for s in secret_values(sent)
        if not any(s in value for value in clear) and any(f in body for f in _written_forms(s))
    }
    shown = secret_values(_json(body)) & env.known_secrets
    leaked = sorted(echoed | shown)
    if not leaked:
        return PASS
    return Violation(
        f"response echoes {len(leaked)} secret value(s) the run sent "
        f"(e.g. one of {len(leaked[0])} characters)",
        kind="secret-echoed",
    )
