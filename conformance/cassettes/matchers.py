"""How a replayed request finds its recording: method, path, query and the redacted body.

Never the headers: request signatures, nonces, timestamps and tokens differ on every run.
Both sides reach the matchers already redacted (vcrpy runs `before_record_request` on the
live request before matching), so secrets generated afresh still match their placeholders.
"""

from __future__ import annotations

import json
from typing import Any

from vcr.matchers import method, path, query

MATCH_ON = ("method", "path", "query", "dsconform_body")


def normalized_body(body: Any) -> str:
    """A body as comparable text: JSON re-serialised with sorted keys, else the text itself."""
    if body is None:
        return ""
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", "replace")
    text = str(body)
    if not text.strip():
        return ""
    try:
        return json.dumps(json.loads(text), sort_keys=True, ensure_ascii=False)
    except ValueError:
        return text


def dsconform_body(r1: Any, r2: Any) -> None:
    if normalized_body(r1.body) != normalized_body(r2.body):
        raise AssertionError("request bodies differ (after redaction)")


MATCHERS = {"method": method, "path": path, "query": query, "dsconform_body": dsconform_body}


def describe(request: Any) -> str:
    """`POST /path?query (body 123 chars)` for messages."""
    parsed = request.parsed_uri
    target = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    body = normalized_body(request.body)
    return f"{request.method} {target}" + (f" (body {len(body)} chars)" if body else "")
