"""Command-line pieces of cassettes: the `recheck` subcommand (the `run` flags `--record`,
`--replay` and `--baseline` are rows of `run_options.RUN_OPTIONS`)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from conformance.apis import APIS


def add_recheck_parser(commands: Any) -> None:
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
    from conformance.cassettes.recheck import recheck_command

    return recheck_command(args.dir, args.api, args.report_dir)
