"""Timestamps as the vendors write them, read by the checks and the client alike."""

from __future__ import annotations

import re
from datetime import UTC, datetime

# ISO 8601 date and time joined by `T` (a space is RFC 3339's allowance, not ISO 8601's).
_DATE_T_TIME = re.compile(r"^\d{4}-?\d{2}-?\d{2}[Tt]\d{2}")


def parse_iso8601(text: str) -> datetime | None:
    """An ISO 8601 date-time (`T` between date and time), None if `text` is not one.

    ISO 8601 allows local time without a zone designator; such a value is read as UTC so the
    result is always aware (a client waiting for it errs by the target's offset at most)."""
    candidate = text.strip()
    if not _DATE_T_TIME.match(candidate):
        return None
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
