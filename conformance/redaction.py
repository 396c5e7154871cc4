"""Secrets never reach disk: one scrubbing pipeline for reports, cassettes and logs."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

PLACEHOLDER = "<redacted>"

SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "x-api-key",
        "x-auth-token",
        # EdgeGrid and Akamai's other signed-auth headers
        "x-akamai-acs-auth-data",
        "x-akamai-acs-auth-sign",
        "x-akamai-g2o-auth-data",
        "x-akamai-g2o-auth-sign",
    }
)
# Any header whose value is an EdgeGrid signature, whatever its name.
EDGEGRID_SCHEME = "EG1-HMAC-"
# Connector secrets of both APIs, and anything that looks like one.
SECRET_FIELDS = frozenset(
    {
        # Akamai connectors
        "accessKey",
        "secretAccessKey",
        "authToken",
        "eventCollectorToken",
        "clientKey",  # Splunk/HTTPS mTLS key in Akamai's Go client (ERRATUM-AKAMAI-132)
        # Azion endpoints
        "secret_key",
        "access_key",
        "api_key",
        "service_account_key",
        "shared_key",  # azure_monitor, azure_blob_storage: Azion's console (ERRATUM-AZION-019)
        "blob_sas_token",
        # generic
        "password",
        "token",
        "client_secret",
        "access_token",
        "client_token",
    }
)
# Fields whose every value is secret (Azion custom header values may carry credentials).
SECRET_VALUE_MAPS = frozenset({"headers"})
_QUERY_SECRET = re.compile(r"(?i)\b(token|key|secret|signature|password)=([^&\s]+)")


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy of `headers` with credential-bearing values replaced."""
    return {k: redact_header_value(k, v) for k, v in headers.items()}


def redact_header_value(name: str, value: str) -> str:
    """One header value, redacted when its name or its content is a credential."""
    if name.lower() in SECRET_HEADERS or str(value).lstrip().startswith(EDGEGRID_SCHEME):
        return PLACEHOLDER
    return scrub_known_secrets(value)


def redact_json(value: Any) -> Any:
    """A copy of a JSON value with secret fields replaced, at any depth."""
    if isinstance(value, dict):
        result: dict[str, Any] = {}
        for key, item in value.items():
            if key in SECRET_FIELDS and item not in (None, ""):
                result[key] = PLACEHOLDER
            elif key in SECRET_VALUE_MAPS and isinstance(item, dict):
                result[key] = {name: PLACEHOLDER for name in item}
            else:
                result[key] = redact_json(item)
        return result
    if isinstance(value, list):
        return [redact_json(item) for item in value]
    return value


def redact_body_text(text: str) -> str:
    """Redact a body given as text: JSON is scrubbed field by field, other text left alone."""
    if not text:
        return text
    try:
        parsed = json.loads(text)
    except ValueError:
        return scrub_known_secrets(text)
    return scrub_known_secrets(json.dumps(redact_json(parsed), ensure_ascii=False))


def redact_url(url: str) -> str:
    """Hide credential-like query values (`?token=...`)."""
    return scrub_known_secrets(_QUERY_SECRET.sub(lambda m: f"{m.group(1)}={PLACEHOLDER}", url))


# ---------------------------------------------------------------------------------------------
# Secret values known to the run (cassettes, issue 5). Field names catch a secret where the
# contract puts it; a value the run has sent as a secret, or authenticated with, is also
# replaced wherever else it turns up (echoed in a message, a URL, an unknown field).

# Values replaced wherever they occur must look like secrets: long enough, and not a run of
# one or two characters ("000000" would eat timestamps), or redaction would corrupt bodies.
MIN_SECRET_LENGTH = 8
MIN_SECRET_DISTINCT = 5
# A secret field of a *response* that holds no value the run sent as a connector secret: kept
# apart from PLACEHOLDER so that, in a cassette, "the response echoes a secret we sent" stays
# recognisable (checks.secrets looks for exactly that).
RESPONSE_PLACEHOLDER = "<redacted-in-response>"
_secret_scopes: list[set[str]] = [set()]
_secret_lock = threading.Lock()


@contextmanager
def secret_scope() -> Iterator[set[str]]:
    """Values remembered inside the block are forgotten after it (one run, one scope)."""
    scope: set[str] = set()
    with _secret_lock:
        _secret_scopes.append(scope)
    try:
        yield scope
    finally:
        with _secret_lock:
            _secret_scopes.remove(scope)


def remember_secret(value: object) -> None:
    """Treat `value` as a secret for the rest of the scope (short values are ignored)."""
    if isinstance(value, str) and looks_like_secret(value):
        with _secret_lock:
            _secret_scopes[-1].add(value)


def looks_like_secret(value: object) -> bool:
    """Long and varied enough to be replaced wherever it occurs without collateral damage."""
    return (
        isinstance(value, str)
        and len(value) >= MIN_SECRET_LENGTH
        and len(set(value)) >= MIN_SECRET_DISTINCT
        and "<redacted" not in value
    )


def known_secrets() -> frozenset[str]:
    with _secret_lock:
        return frozenset().union(*_secret_scopes)


def secret_field_values(value: Any) -> set[str]:
    """Every string held by a secret field of a JSON value, at any depth."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            if key in SECRET_FIELDS and isinstance(item, str):
                found.add(item)
            elif key in SECRET_VALUE_MAPS and isinstance(item, dict):
                found.update(v for v in item.values() if isinstance(v, str))
            else:
                found |= secret_field_values(item)
    elif isinstance(value, list):
        for item in value:
            found |= secret_field_values(item)
    return found


def scrub_known_secrets(text: str, *, placeholder: str = PLACEHOLDER) -> str:
    """`text` with every known secret value replaced by `placeholder` (longest first)."""
    if not isinstance(text, str) or not text:
        return text
    for value in sorted(known_secrets(), key=len, reverse=True):
        if value in text:
            text = text.replace(value, placeholder)
    return text


def scrub_strings(value: Any) -> Any:
    """A copy of a JSON value with known secret values replaced in every string (a report's
    messages quote what scenarios sent, so field names alone cannot catch everything)."""
    if isinstance(value, str):
        return scrub_known_secrets(value)
    if isinstance(value, dict):
        return {k: scrub_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_strings(v) for v in value]
    return value


def remember_request_secrets(body: str) -> None:
    """Remember the secret-field values of a JSON request body (for `scrub_strings`)."""
    if not body:
        return
    try:
        parsed = json.loads(body)
    except ValueError:
        return
    for value in secret_field_values(parsed):
        remember_secret(value)
