"""`dsconform report`: rebuild the readable reports from each directory's report.json."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.exit_codes import ExitCode


def add_report_parser(commands: Any) -> argparse.ArgumentParser:
    """Register the `report` subcommand on the CLI's subparsers."""
    parser: argparse.ArgumentParser = commands.add_parser(
        "report",
        help="rewrite report.html, summary.md and junit.xml from a run's report.json",
        description="Rewrite report.html, summary.md and junit.xml from each directory's "
        "report.json (after an upgrade, or to re-render an old run); prints the files written.",
    )
    parser.add_argument(
        "dirs",
        nargs="+",
        type=Path,
        metavar="DIR",
        help="a run's report directory (or an --api all directory holding one per API)",
    )
    parser.add_argument(
        "--html-only", action="store_true", help="rewrite report.html only (default: all three)"
    )
    parser.add_argument(
        "--combined",
        type=Path,
        metavar="FILE",
        help="also write one HTML page covering every given report to FILE",
    )
    parser.set_defaults(handler=run_report_command)
    return parser


def run_report_command(args: argparse.Namespace) -> int:
    from conformance.reporting.writers import (
        ReportLoadError,
        load_report,
        regenerate,
        run_dirs_below,
        write_combined_html,
    )

    written: list[Path] = []
    try:
        for directory in args.dirs:
            written += regenerate(directory, html_only=args.html_only)
        if args.combined:
            reports = []
            for directory in args.dirs:
                below = [] if (directory / "report.json").exists() else run_dirs_below(directory)
                reports += [load_report(d) for d in below] if below else [load_report(directory)]
            written.append(write_combined_html(reports, args.combined))
    except ReportLoadError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return int(ExitCode.USAGE)
    except OSError as exc:
        print(f"dsconform: error: cannot write the report: {exc}", file=sys.stderr)
        return int(ExitCode.USAGE)
    for path in written:
        print(path)
    return int(ExitCode.OK)
