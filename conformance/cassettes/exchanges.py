"""A cassette's interactions as the engine's exchanges, as recorded (redacted): what a recheck
judges with today's checks (runner/recheck.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from conformance.cassettes.filters import recorded_echoes_as_placeholder
from conformance.cassettes.layout import UNSCOPED
from conformance.cassettes.store import CassetteFile
from conformance.core.exchange import Exchange, RecordedRequest, RecordedResponse


def _body(value: Any) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return "" if value is None else str(value)


def _first(value: Any) -> str:
    """A header as vcrpy stores it (a list of values): its first value, as text."""
    if isinstance(value, (list, tuple)):
        value = value[0] if value else ""
    return _body(value)


def phase_of(group: str) -> str:
    """The phase a cassette group's exchanges count under (the report's `requests.by_phase`)."""
    if group.startswith("property-"):
        return "property"
    if group == "stateful":
        return "stateful"
    if group == UNSCOPED:
        return "unscoped"
    if group.startswith("sample-"):
        return "samples"
    return "scenarios"


def exchanges_of(cassette: CassetteFile) -> list[Exchange]:
    """The cassette's interactions as the engine's exchanges (redacted, as recorded)."""
    phase = phase_of(cassette.group)
    result = []
    for item in cassette.interactions:
        request, response = item.request, item.response
        url = str(request["uri"])
        split = urlsplit(url)
        path = split.path + (f"?{split.query}" if split.query else "")
        result.append(
            Exchange(
                request=RecordedRequest(
                    str(request["method"]).upper(),
                    url,
                    path,
                    {str(k): _first(v) for k, v in (request.get("headers") or {}).items()},
                    _body(request.get("body")),
                ),
                response=RecordedResponse(
                    int(response["status"]["code"]),
                    {str(k): _first(v) for k, v in (response.get("headers") or {}).items()},
                    recorded_echoes_as_placeholder(_body(response["body"].get("string"))),
                ),
                operation_id=None,
                phase=phase,
                labels=(cassette.group,),
            )
        )
    return result
