"""`run --baseline FILE`: known failures, each with a reason and an optional expiry date.

    # baseline.yaml
    known_failures:
      - requirement: API-RATE-003        # alone: any failure of the requirement
        operation: createStream          # optional: narrows to one operation
        kind: missing-header             # optional: narrows to one kind of finding
        reason: the vendor docs contradict themselves (ERRATUM-API-015)
        expires: 2026-06-30              # optional: afterwards the entry accepts nothing
      - fingerprint: 3f2a9c0d1b7e4a55    # or the finding's fingerprint from report.json
        reason: ...

The run exits 0 when every failure is accepted by a live entry, 1 when anything else fails.
Stale entries are flagged either way: one whose failure now passes, one past its expiry.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from conformance.exit_codes import ExitCode
from conformance.gating.findings import FailingFinding, GatingInputError, failing_findings

RESULT_FILE = "baseline.json"


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    reason: str
    requirement: str | None = None
    operation: str | None = None
    kind: str | None = None
    fingerprint: str | None = None
    expires: dt.date | None = None
    api: str | None = None
    line: int = 0  # position in the file, for messages

    def matches(self, finding: FailingFinding) -> bool:
        if self.fingerprint and self.fingerprint != finding.fingerprint:
            return False
        if self.requirement and self.requirement != finding.requirement:
            return False
        if self.operation and self.operation != finding.operation:
            return False
        return not (self.kind and self.kind != finding.kind)

    def applies_to(self, report: dict[str, Any]) -> bool:
        api = str(report.get("api") or "")
        if self.api and self.api != api:
            return False
        if self.requirement:
            return self.requirement in {r.get("id") for r in report.get("requirements") or []}
        return True

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    def label(self) -> str:
        if self.fingerprint and not self.requirement:
            return f"fingerprint {self.fingerprint}"
        parts = [self.requirement or "*", self.operation or "*", self.kind or "*"]
        return " ".join(parts) + (f" ({self.fingerprint})" if self.fingerprint else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "entry": self.line,
            "label": self.label(),
            "reason": self.reason,
            "expires": self.expires.isoformat() if self.expires else None,
        }


@dataclass(frozen=True, slots=True)
class Baseline:
    path: Path
    entries: tuple[BaselineEntry, ...]


@dataclass(slots=True)
class BaselineResult:
    accepted: list[tuple[FailingFinding, BaselineEntry]] = field(default_factory=list)
    new: list[FailingFinding] = field(default_factory=list)
    stale: list[tuple[BaselineEntry, str]] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FINDINGS if self.new else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "exit_code": int(self.exit_code),
            "accepted": [
                {**f.as_dict(), "reason": e.reason, "entry": e.line} for f, e in self.accepted
            ],
            "new": [f.as_dict() for f in self.new],
            "stale": [{**e.as_dict(), "why": why} for e, why in self.stale],
        }

    def render(self) -> str:
        lines = [
            f"baseline: {len(self.accepted)} known failure(s) accepted, {len(self.new)} new, "
            f"{len(self.stale)} stale entr{'y' if len(self.stale) == 1 else 'ies'}"
        ]
        lines += [f"  NEW {f.fingerprint} {f.label()}" for f in self.new]
        lines += [f"  STALE entry {e.line} ({e.label()}): {why}" for e, why in self.stale]
        return "\n".join(lines)


def _date(value: Any, where: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise GatingInputError(
            f"{where}: `expires` must be a date (YYYY-MM-DD), got {value!r}"
        ) from None


class _Loader(yaml.SafeLoader):
    """YAML without implicit timestamps: `expires: 2026-13-45` stays text, for `_date` to
    refuse with the entry's number (PyYAML's own date constructor raises a bare ValueError)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_TEXT_KEYS = ("requirement", "operation", "kind", "fingerprint", "reason", "api")


def load_baseline(path: Path) -> Baseline:
    """Parse and validate a baseline file (YAML or JSON); GatingInputError when unusable."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except FileNotFoundError:
        raise GatingInputError(f"{path}: baseline file not found") from None
    except IsADirectoryError:
        raise GatingInputError(f"{path}: a directory, not a baseline file") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError, ValueError, RecursionError) as exc:
        raise GatingInputError(f"{path}: not a readable baseline ({type(exc).__name__})") from None
    items = data.get("known_failures") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise GatingInputError(f"{path}: a baseline needs a `known_failures` list")
    entries = []
    allowed = {"requirement", "operation", "kind", "fingerprint", "reason", "expires", "api"}
    for number, item in enumerate(items, 1):
        where = f"{path}: entry {number}"
        if not isinstance(item, dict):
            raise GatingInputError(f"{where}: not a mapping")
        unknown = sorted(str(key) for key in set(item) - allowed)
        if unknown:
            raise GatingInputError(f"{where}: unknown key(s) {', '.join(unknown)}")
        for key in _TEXT_KEYS:
            if item.get(key) is not None and not isinstance(item[key], str):
                raise GatingInputError(f'{where}: `{key}` must be text (quote it: {key}: "...")')
        if not str(item.get("reason") or "").strip():
            raise GatingInputError(f"{where}: every known failure needs a `reason`")
        if not item.get("requirement") and not item.get("fingerprint"):
            raise GatingInputError(f"{where}: give a `requirement` or a `fingerprint`")
        entries.append(
            BaselineEntry(
                reason=str(item["reason"]).strip(),
                requirement=_text(item.get("requirement")),
                operation=_text(item.get("operation")),
                kind=_text(item.get("kind")),
                fingerprint=_text(item.get("fingerprint")),
                expires=_date(item.get("expires"), where),
                api=_text(item.get("api")),
                line=number,
            )
        )
    return Baseline(path, tuple(entries))


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def evaluate_baseline(
    baseline: Baseline, report: dict[str, Any], today: dt.date | None = None
) -> BaselineResult:
    today = today or dt.date.today()
    result = BaselineResult()
    entries = [e for e in baseline.entries if e.applies_to(report)]
    used: set[int] = set()
    for finding in failing_findings(report).values():
        matching = [e for e in entries if e.matches(finding)]
        live = [e for e in matching if not e.expired(today)]
        used.update(e.line for e in matching)
        if live:
            result.accepted.append((finding, live[0]))
        else:
            result.new.append(finding)
    statuses = {r.get("id"): r.get("status") for r in report.get("requirements") or []}
    for entry in entries:
        if entry.expired(today):
            assert entry.expires is not None
            result.stale.append((entry, f"expired on {entry.expires.isoformat()}"))
        elif entry.line not in used:
            status = statuses.get(entry.requirement) if entry.requirement else None
            why = (
                f"its failure was not observed: {entry.requirement} is {status} in this run"
                if status in ("untested", "error")
                else "the failure it lists no longer occurs (now passes)"
            )
            result.stale.append((entry, why))
    return result


def write_baseline_result(result: BaselineResult, report_dir: Path) -> Path:
    path = report_dir / RESULT_FILE
    path.write_text(json.dumps(result.as_dict(), indent=2) + "\n", encoding="utf-8")
    return path
