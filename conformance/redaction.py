"""Secrets never reach disk: one scrubbing pipeline for reports, cassettes and logs."""

from __future__ import annotations

import json
import re
from typing import Any

PLACEHOLDER = "<redacted>"

SECRET_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)
# Connector secrets of both APIs, and anything that looks like one.
SECRET_FIELDS = frozenset(
    {
        # Akamai connectors
        "accessKey",
        "secretAccessKey",
        "authToken",
        "eventCollectorToken",
        # Azion endpoints
        "secret_key",
        "access_key",
        "api_key",
        "service_account_key",
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
    return {k: (PLACEHOLDER if k.lower() in SECRET_HEADERS else v) for k, v in headers.items()}


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
        return text
    return json.dumps(redact_json(parsed), ensure_ascii=False)


def redact_url(url: str) -> str:
    """Hide credential-like query values (`?token=...`)."""
    return _QUERY_SECRET.sub(lambda m: f"{m.group(1)}={PLACEHOLDER}", url)
