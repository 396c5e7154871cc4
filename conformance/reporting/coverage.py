"""Operation x status-code coverage: which documented codes the run actually saw.

A `CoverageCollector` is an exchange listener: append it to the target client's listeners and
pass `collector.as_model()` to `build_report(coverage=...)`. The result is `report.json`'s
top-level `coverage`:

    {"<operationId>": {"documented": ["200", "401", ...], "seen": {"200": 12, "401": 1}}}

`documented` keeps the spec's own keys (`"200"`, `"4XX"`, `"default"`); `seen` counts the real
statuses. Requests that match no operation of the contract are counted under `UNMATCHED`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Protocol

from conformance.reporting.model import OperationCoverage

UNMATCHED = "(unmatched)"


class _Response(Protocol):
    @property
    def status(self) -> int: ...


class _Exchange(Protocol):
    @property
    def operation_id(self) -> str | None: ...

    @property
    def response(self) -> _Response: ...


def documented_codes(document: Any) -> dict[str, list[str]]:
    """operationId -> the response keys the contract documents, in the spec's order."""
    found: dict[str, list[str]] = {}
    for operation in document.operations:
        responses = document.resolve(operation.definition.get("responses") or {})
        found[operation.operation_id] = [str(code) for code in (responses or {})]
    return found


def code_is_documented(status: int | str, documented: list[str]) -> bool:
    """True when `status` is listed as such, or through a range key like `4XX`."""
    text = str(status)
    if text in documented:
        return True
    return bool(text[:1]) and f"{text[:1]}XX" in {d.upper() for d in documented}


class CoverageCollector:
    """Counts responses per operation and status code; thread-safe."""

    def __init__(self, document: Any) -> None:
        self._documented = documented_codes(document)
        self._seen: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()

    def __call__(self, exchange: _Exchange) -> None:
        operation = exchange.operation_id or UNMATCHED
        status = int(exchange.response.status)
        with self._lock:
            counts = self._seen.setdefault(operation, {})
            counts[status] = counts.get(status, 0) + 1

    def as_dict(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            seen = {op: dict(counts) for op, counts in self._seen.items()}
        result: dict[str, dict[str, Any]] = {}
        for operation, documented in self._documented.items():
            result[operation] = {
                "documented": list(documented),
                "seen": {str(code): n for code, n in sorted(seen.pop(operation, {}).items())},
            }
        for operation in sorted(seen):  # unknown operation ids, and UNMATCHED
            result[operation] = {
                "documented": [],
                "seen": {str(code): n for code, n in sorted(seen[operation].items())},
            }
        return result

    def as_model(self) -> Mapping[str, OperationCoverage]:
        """`as_dict()` as the report model holds it."""
        return {
            operation: OperationCoverage(
                documented=tuple(entry["documented"]), seen=dict(entry["seen"])
            )
            for operation, entry in self.as_dict().items()
        }
