"""The failing findings of a report.json, keyed by their stable fingerprint."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.core.results import finding_fingerprint

SUITE_ERROR_KINDS = frozenset({"check-crashed", "scenario-crashed"})


class GatingInputError(Exception):
    """A report or baseline file that cannot be used."""


fingerprint = finding_fingerprint


@dataclass(frozen=True, slots=True)
class FailingFinding:
    fingerprint: str
    requirement: str
    operation: str | None
    kind: str
    message: str

    def label(self) -> str:
        return f"{self.requirement} {self.operation or '-'} {self.kind}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "requirement": self.requirement,
            "operation": self.operation,
            "kind": self.kind,
            "message": self.message,
        }


def failing_findings(report: dict[str, Any]) -> dict[str, FailingFinding]:
    """fingerprint -> finding, for every failed requirement of the report."""
    found: dict[str, FailingFinding] = {}
    for requirement in report.get("requirements") or []:
        if requirement.get("status") != "failed":
            continue
        rid = str(requirement.get("id"))
        findings = [
            f for f in requirement.get("findings") or [] if f.get("kind") not in SUITE_ERROR_KINDS
        ]
        if not findings:  # failed, but no finding kept: key on the requirement alone
            key = fingerprint(rid, None, "failed")
            found[key] = FailingFinding(key, rid, None, "failed", "")
        for item in findings:
            operation, kind = item.get("operation"), str(item.get("kind") or "violation")
            key = str(item.get("fingerprint") or fingerprint(rid, operation, kind))
            found.setdefault(
                key, FailingFinding(key, rid, operation, kind, str(item.get("message") or ""))
            )
    return found


def load_report(path: Path) -> dict[str, Any]:
    """A report.json, given as the file or the directory holding it."""
    if path.is_dir():
        path = path / "report.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise GatingInputError(f"{path}: report not found") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise GatingInputError(f"{path}: not a readable report.json ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("requirements"), list):
        raise GatingInputError(f"{path}: not a dsconform report (no `requirements` list)")
    return data
