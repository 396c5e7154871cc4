"""`dsconform diff OLD NEW`: new failures, fixed ones and those still failing."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.exit_codes import ExitCode

# The findings (and the catalogue behind them) load when a diff runs, not when `--help` builds
# the parser.
if TYPE_CHECKING:
    from conformance.gating.findings import FailingFinding


@dataclass(slots=True)
class ReportDiff:
    new: list[FailingFinding] = field(default_factory=list)
    fixed: list[FailingFinding] = field(default_factory=list)
    still_failing: list[FailingFinding] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.FINDINGS if self.new else ExitCode.OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "new": [f.as_dict() for f in self.new],
            "fixed": [f.as_dict() for f in self.fixed],
            "still_failing": [f.as_dict() for f in self.still_failing],
        }


def diff_reports(old: dict[str, Any], new: dict[str, Any]) -> ReportDiff:
    from conformance.gating.findings import failing_findings

    before, after = failing_findings(old), failing_findings(new)

    def ordered(keys: set[str], source: dict[str, FailingFinding]) -> list[FailingFinding]:
        return sorted((source[k] for k in keys), key=lambda f: (f.requirement, f.label()))

    return ReportDiff(
        new=ordered(set(after) - set(before), after),
        fixed=ordered(set(before) - set(after), before),
        still_failing=ordered(set(after) & set(before), after),
    )


def render(result: ReportDiff) -> str:
    lines = []
    for title, items in (
        ("new failures", result.new),
        ("fixed", result.fixed),
        ("still failing", result.still_failing),
    ):
        lines.append(f"{title}: {len(items)}")
        for item in items:
            message = f"  {item.message[:120]}" if item.message and title == "new failures" else ""
            lines.append(f"  {item.fingerprint}  {item.label()}{message}")
    return "\n".join(lines)


def add_diff_parser(commands: Any) -> None:
    parser = commands.add_parser(
        "diff",
        help="compare two report.json files: new failures, fixed, still failing",
        description="List the findings NEW has and OLD had not, those fixed since and those "
        "still failing, matched by finding fingerprint. Exit 1 when NEW fails anything OLD did "
        "not, 2 when a file cannot be read.",
    )
    parser.add_argument(
        "old", type=Path, metavar="OLD", help="the earlier report.json (or its directory)"
    )
    parser.add_argument(
        "new", type=Path, metavar="NEW", help="the later report.json (or its directory)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print the diff as JSON (default: text)"
    )
    parser.set_defaults(handler=_diff_command)


def _diff_command(args: argparse.Namespace) -> int:
    from conformance.gating.findings import GatingInputError, load_report

    try:
        result = diff_reports(load_report(args.old), load_report(args.new))
    except GatingInputError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return int(ExitCode.USAGE)
    print(json.dumps(result.as_dict(), indent=2) if args.json else render(result))
    return int(result.exit_code)
