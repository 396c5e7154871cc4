"""`dsconform sweep`: remove what crashed runs left behind, found by their name prefix."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from conformance.apis import APIS
from conformance.argument_types import base_url, positive_float
from conformance.exit_codes import ExitCode

# The engine (requests and the rest) is imported where a sweep runs: `dsconform --help` builds
# this command's parser and must stay light.
MIN_PREFIX = 4


def add_sweep_parser(commands: Any) -> None:
    """Register the `sweep` subcommand on the CLI's subparsers."""
    sweep = commands.add_parser(
        "sweep",
        help="delete leftovers of crashed runs by name prefix",
        description="Delete the resources (deactivated first where the API requires it) "
        "whose name starts with --prefix, each only after its own answer shows the prefix. "
        "Exit 1 when a deletion failed.",
    )
    sweep.add_argument("--api", choices=sorted(APIS), required=True, help="the API of the target")
    sweep.add_argument(
        "--prefix",
        default="dsconform-",
        help="delete resources whose name starts with this, at least "
        f"{MIN_PREFIX} characters (default: dsconform-)",
    )
    sweep.add_argument(
        "--base-url",
        type=base_url,
        required=False,
        metavar="URL",
        help="the target (required unless the credentials name one)",
    )
    sweep.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="seconds per request (default 30)",
    )
    sweep.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read the target, credentials and transport settings from this TOML file "
        "(/dev/null: none) instead of the dsconform.toml or pyproject.toml [tool.dsconform] "
        "found from the current directory",
    )
    sweep.add_argument("--dry-run", action="store_true", help="list what would go, delete nothing")
    from conformance.run_options import (
        OPTIONS_BY_NAME,
        SIGNING_OPTIONS,
        TRANSPORT_OPTIONS,
        add_run_options,
    )

    taken = (*SIGNING_OPTIONS, *TRANSPORT_OPTIONS)
    add_run_options(sweep, [OPTIONS_BY_NAME[name] for name in taken])
    sweep.set_defaults(handler=run_sweep)


def run_sweep(args: argparse.Namespace) -> int:
    """`dsconform sweep`: find, confirm and delete; print what happened."""
    from conformance.config_file import ConfigFileError, config_of_command
    from conformance.core.send_rules import SendRules
    from conformance.core.target_client import TargetError
    from conformance.engine.ownership import Ownership
    from conformance.engine.prefix_sweep import sweep_resources
    from conformance.engine.target import TargetConfigError, open_target, target_access
    from conformance.run_options import OPTIONS_BY_NAME, SIGNING_OPTIONS, TRANSPORT_OPTIONS
    from conformance.settings_builder import SettingsError, build_settings, foreign_option

    if len(args.prefix) < MIN_PREFIX:
        print(
            f"dsconform: error: --prefix must have at least {MIN_PREFIX} characters, "
            "so a sweep never matches everything",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    refusal = foreign_option(args.api, vars(args))  # another API's credentials: a mistake
    if refusal is not None:
        print(f"dsconform: error: {refusal}", file=sys.stderr)
        return ExitCode.USAGE
    # The run's own precedence (flag, then environment, then default) for what both share.
    taken = (*SIGNING_OPTIONS, *TRANSPORT_OPTIONS)
    shared = ("base_url", "timeout", *(OPTIONS_BY_NAME[name].dest for name in taken))
    try:
        config = config_of_command(args.config)
        options = {key: getattr(args, key) for key in shared}
        settings = build_settings(args.api, options, config=config)
    except (ConfigFileError, SettingsError) as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    access = target_access(args.api)
    if not settings.base_url and not access.names_target(settings):
        print(
            f"dsconform: error: sweep needs a target: --base-url{access.target_hint}",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        with open_target(settings) as target:
            client = target.client(args.timeout, SendRules(write_guard=Ownership(args.api)))
            try:
                result = sweep_resources(client, args.api, args.prefix, dry_run=args.dry_run)
            finally:
                client.close()
    except (TargetConfigError, TargetError) as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    verb = "would delete" if args.dry_run else "deleted"
    for label in result.found:
        print(f"{verb if label in result.deleted or args.dry_run else 'FAILED to delete'} {label}")
    print(
        f"sweep: {len(result.found)} found, {len(result.deleted)} deleted, "
        f"{len(result.failed)} failed"
    )
    return ExitCode.FINDINGS if result.failed else ExitCode.OK
