"""`dsconform recheck DIR`: its parser (light imports only, as every command's: the CLI builds
it for `--help`) and the command, which prints one verdict line per API (runner/recheck.py
does the judging)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import Any

from conformance.apis import APIS
from conformance.exit_codes import ExitCode


def add_recheck_parser(commands: Any) -> None:
    """Register the `recheck` subcommand on the CLI's subparsers."""
    parser = commands.add_parser(
        "recheck",
        help="re-validate recorded cassettes against the current spec and catalogue",
        description=(
            "Run today's exchange checks over every recorded interaction of DIR/<api>/, "
            "without sending anything: shows which recorded behaviour the current contract "
            "now calls wrong. Exit 1 when a requirement fails, 2 when a cassette is unusable."
        ),
    )
    parser.add_argument(
        "dir", type=Path, metavar="DIR", help="a cassette directory (holding <api>/ folders)"
    )
    parser.add_argument(
        "--api",
        choices=[*sorted(APIS), "all"],
        default="all",
        help="the API whose cassettes to recheck (default: all)",
    )
    parser.add_argument(
        "--report-dir",
        type=Path,
        metavar="DIR",
        help="where the reports go (default: reports/recheck-<api>-<UTC timestamp>/)",
    )
    parser.set_defaults(handler=_recheck_command)


def _recheck_command(args: argparse.Namespace) -> int:
    return recheck_command(args.dir, args.api, args.report_dir)


def recheck_command(root: Path, api: str, report_dir: Path | None) -> int:
    """Recheck `root`'s cassettes of `api` (or of every API found there, for "all"), print
    each verdict and its failed requirements; the worst exit code (an unusable directory
    first)."""
    from conformance.cassettes.store import CassetteError
    from conformance.runner.recheck import recheck

    names = sorted(APIS) if api == "all" else [api]
    if api == "all":
        names = [n for n in names if (root / n).is_dir()] or names
    codes = []
    for name in names:
        target_dir = report_dir / name if report_dir is not None and len(names) > 1 else report_dir
        try:
            outcome = recheck(root, name, target_dir)
        except CassetteError as exc:
            print(f"dsconform: error: {exc}", file=sys.stderr)
            codes.append(ExitCode.USAGE)
            continue
        report = outcome.report
        counted = dataclasses.asdict(report.counts).items()
        counts = ", ".join(f"{n} {status}" for status, n in counted)
        print(
            f"{name}: recheck {report.verdict.upper()} ({counts}; "
            f"{outcome.interactions} recorded interactions) from {root / name}"
        )
        for requirement in report.requirements:
            if requirement.status == "failed":
                first = requirement.findings[0] if requirement.findings else None
                where = (first.operation if first else None) or "-"
                message = first.message if first else ""
                print(f"  FAILED {requirement.id} [{where}]: {message[:150]}")
        print(f"report: {outcome.report_dir / 'report.json'}")
        codes.append(outcome.exit_code)
    return int(max(codes, key=lambda c: (c == ExitCode.USAGE, c)))
