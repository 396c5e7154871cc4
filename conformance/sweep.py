"""`dsconform sweep`: remove what crashed runs left behind, found by their name prefix."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.argument_types import base_url, non_empty, positive_float
from conformance.exit_codes import ExitCode
from conformance.settings import ENVIRONMENT

# The engine (requests and the rest) is imported where a sweep runs: `dsconform --help` builds
# this command's parser and must stay light.
if TYPE_CHECKING:
    from conformance.engine.target_client import TargetClient

AKAMAI_STREAMS = "/datastream-config-api/v1/log/streams"
AZION_STREAMINGS = "/data_streaming/streamings"
MIN_PREFIX = 4


@dataclass(slots=True)
class SweepResult:
    """What a sweep found and removed."""

    found: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _json(exchange: Any) -> Any:
    try:
        return exchange.response.json()
    except ValueError:
        return None


def _confirmed(client: TargetClient, api: str, path: str, prefix: str) -> bool:
    """Whether the resource itself (not just a list entry) still carries the prefix: read it
    and, only then, let the write guard pass deletes to it."""
    from conformance.engine.ownership import Ownership

    body = _json(client.send("GET", path, phase="sweep"))
    if api == "azion":
        body = body.get("results") if isinstance(body, dict) else None
    name = body.get("streamName" if api == "akamai" else "name") if isinstance(body, dict) else None
    if not isinstance(name, str) or not name.startswith(prefix):
        return False
    guard = client.write_guard
    if isinstance(guard, Ownership):
        guard.register(path.rsplit("/", 1)[1])
    return True


def _guarded(client: TargetClient, api: str) -> None:
    """Deletes pass only for resources whose own answer carries the prefix (`_confirmed`)."""
    from conformance.engine.ownership import Ownership

    if client.write_guard is None:
        client.write_guard = Ownership(api)


def sweep_akamai(
    client: TargetClient, prefix: str, *, dry_run: bool, settle_timeout: float = 120.0
) -> SweepResult:
    """Deactivate (if needed) and delete every stream whose name starts with `prefix`."""
    from conformance.engine.leftovers import ACTIVE, remove_resource

    _guarded(client, "akamai")
    result = SweepResult()
    streams = _json(client.send("GET", AKAMAI_STREAMS, phase="sweep")) or []
    for stream in streams if isinstance(streams, list) else []:
        name = str(stream.get("streamName", "")) if isinstance(stream, dict) else ""
        if not name.startswith(prefix):
            continue
        label = f"stream {stream.get('streamId')} ({name})"
        result.found.append(label)
        if dry_run:
            continue
        path = f"{AKAMAI_STREAMS}/{stream.get('streamId')}"
        if not _confirmed(client, "akamai", path, prefix):
            result.failed.append(f"{label}: its own answer does not carry the prefix, kept")
            continue
        removed = remove_resource(
            client,
            "akamai",
            path,
            phase="sweep",
            settle_timeout=settle_timeout,
            known_active=stream.get("activationStatus") in ACTIVE,
        )
        (result.deleted if removed else result.failed).append(label)
    return result


def sweep_azion(client: TargetClient, prefix: str, *, dry_run: bool) -> SweepResult:
    """Delete every streaming whose name starts with `prefix`."""
    from conformance.engine.leftovers import remove_resource

    _guarded(client, "azion")
    result = SweepResult()
    body = _json(client.send("GET", AZION_STREAMINGS, phase="sweep")) or {}
    items = body.get("results") if isinstance(body, dict) else None
    for item in items if isinstance(items, list) else []:
        name = str(item.get("name", "")) if isinstance(item, dict) else ""
        if not name.startswith(prefix):
            continue
        label = f"streaming {item.get('id')} ({name})"
        result.found.append(label)
        if dry_run:
            continue
        path = f"{AZION_STREAMINGS}/{item.get('id')}"
        if not _confirmed(client, "azion", path, prefix):
            result.failed.append(f"{label}: its own answer does not carry the prefix, kept")
            continue
        removed = remove_resource(client, "azion", path, phase="sweep")
        (result.deleted if removed else result.failed).append(label)
    return result


def add_sweep_parser(commands: Any) -> None:
    """Register the `sweep` subcommand on the CLI's subparsers."""
    sweep = commands.add_parser(
        "sweep",
        help="delete leftovers of crashed runs by name prefix",
        description="Delete the streams (Akamai, deactivated first) or streamings (Azion) "
        "whose name starts with --prefix, each only after its own answer shows the prefix. "
        "Exit 1 when a deletion failed.",
    )
    sweep.add_argument(
        "--api", choices=["akamai", "azion"], required=True, help="the API of the target"
    )
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
        help="the target; without it, the host of the .edgerc section (one of them is required)",
    )
    sweep.add_argument(
        "--token",
        type=non_empty,
        help=f"Azion token (or ${ENVIRONMENT['token']}; default: none)",
    )
    sweep.add_argument(
        "--edgerc",
        type=Path,
        metavar="FILE",
        help=f"Akamai .edgerc file (EdgeGrid credentials); ${ENVIRONMENT['edgerc']} is read "
        "only with --base-url (default: none)",
    )
    sweep.add_argument(
        "--section",
        type=non_empty,
        default=None,
        metavar="NAME",
        help=f"section of the .edgerc (or ${ENVIRONMENT['section']}; default: default)",
    )
    sweep.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        metavar="SECONDS",
        help="seconds per request (default 30)",
    )
    sweep.add_argument("--dry-run", action="store_true", help="list what would go, delete nothing")
    from conformance.run_options import OPTIONS_BY_NAME, TRANSPORT_OPTIONS, add_run_options

    add_run_options(sweep, [OPTIONS_BY_NAME[name] for name in TRANSPORT_OPTIONS])
    sweep.set_defaults(handler=run_sweep)


def run_sweep(args: argparse.Namespace) -> int:
    """`dsconform sweep`: find, confirm and delete; print what happened."""
    from conformance.engine.target import TargetConfigError, open_target
    from conformance.engine.target_client import TargetClient, TargetError
    from conformance.run_options import OPTIONS_BY_NAME, TRANSPORT_OPTIONS
    from conformance.settings_builder import SettingsError, build_settings

    if len(args.prefix) < MIN_PREFIX:
        print(
            f"dsconform: error: --prefix must have at least {MIN_PREFIX} characters, "
            "so a sweep never matches everything",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    # The run's own precedence (flag, then environment, then default) for what both share.
    transport = [OPTIONS_BY_NAME[name].dest for name in TRANSPORT_OPTIONS]
    shared = ("base_url", "token", "edgerc", "section", "timeout", *transport)
    try:
        settings = build_settings(args.api, {key: getattr(args, key) for key in shared})
    except SettingsError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    if not settings.base_url and not settings.edgerc:
        print(
            "dsconform: error: sweep needs a target: --base-url (or --edgerc with a host)",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    try:
        with open_target(settings) as target:
            client = TargetClient(
                target.base_url,
                auth=target.auth,
                default_headers=target.default_headers,
                timeout=args.timeout,
                transport=target.transport,
            )
            try:
                if args.api == "akamai":
                    result = sweep_akamai(client, args.prefix, dry_run=args.dry_run)
                else:
                    result = sweep_azion(client, args.prefix, dry_run=args.dry_run)
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
