"""`dsconform serve`: run a reference server in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from types import FrameType
from typing import Any

from conformance.apis import APIS, get_api
from conformance.argument_types import non_negative_float, port_number, positive_float, rate
from conformance.exit_codes import ExitCode
from conformance.reference.config import ReferenceConfig

# uvicorn and the apps load in run_serve: `dsconform --help` builds this parser and stays light.
DEFAULT_WINDOW = 60.0


def _rate_or_count(text: str) -> tuple[int, float | None]:
    """`--rate-limit N/PERIOD` as `run` takes it; a bare `N` (its window from the deprecated
    `--rate-window`) still parses, with no period."""
    if "/" in text:
        return rate(text)
    count, _ = rate(f"{text}/{DEFAULT_WINDOW:g}")
    return count, None


def add_serve_parser(commands: Any) -> None:
    """Register the `serve` subcommand on the CLI's subparsers."""
    serve = commands.add_parser(
        "serve",
        help="run a reference server of one API",
        description="Run the reference server of one API in the foreground until Ctrl-C or "
        "SIGTERM; prints LISTENING http://HOST:PORT when it is ready.",
    )
    serve.add_argument("--api", choices=sorted(APIS), required=True, help="the API to serve")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="the IPv4 address to listen on (default 127.0.0.1, loopback)",
    )
    serve.add_argument(
        "--port", type=port_number, default=0, help="the port; 0 picks a free one (default 0)"
    )
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault (repeatable; see --list-faults)",
    )
    serve.add_argument(
        "--list-faults",
        action="store_true",
        help="print the faults (name, requirement IDs, description) and exit",
    )
    serve.add_argument(
        "--activation-delay",
        type=non_negative_float,
        default=1.0,
        metavar="SECONDS",
        help="time spent ACTIVATING/DEACTIVATING (default 1)",
    )
    serve.add_argument(
        "--rate-limit",
        type=_rate_or_count,
        metavar="N/PERIOD",
        help="answer 429 beyond N requests per PERIOD, as run's --rate-limit (e.g. 20/60s, "
        "100/1m; default: the budget the API's spec documents (x-rate-limit), else none); a "
        "bare N is deprecated",
    )
    serve.add_argument(
        "--rate-window",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help=f"deprecated: the PERIOD of a bare --rate-limit N (default {DEFAULT_WINDOW:g})",
    )
    for api in APIS.values():  # the credentials each API's server accepts
        if api.has_part("serving"):
            group = serve.add_argument_group(f"--api {api.name}")
            api.part("serving", "add_serve_options")(group)
    serve.set_defaults(handler=run_serve)


def _budget(args: argparse.Namespace) -> tuple[int | None, float]:
    """The server's rate limit and window from `--rate-limit` (and the deprecated
    `--rate-window`); raises ValueError for a combination that says two things."""
    count, period = args.rate_limit or (None, None)
    window = args.rate_window
    if period is not None and window is not None:
        raise ValueError("--rate-window goes with a bare --rate-limit N only: write N/PERIOD")
    if window is not None or (count is not None and period is None):
        shown = f"{count if count is not None else 'N'}/{window or DEFAULT_WINDOW:g}s"
        print(
            f"dsconform: warning: --rate-limit N with --rate-window is deprecated; "
            f"write --rate-limit {shown}",
            file=sys.stderr,
        )
    return count, period or window or DEFAULT_WINDOW


def run_serve(args: argparse.Namespace) -> int:
    """`dsconform serve`: build the app, listen on loopback, serve until stopped."""
    import uvicorn

    from conformance.reference import build_app, known_faults, vacuity_faults
    from conformance.reference.faults import UnknownFaultError
    from conformance.reference.launcher import bind_loopback, uvicorn_config

    class _AnnouncingServer(uvicorn.Server):
        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets=sockets)
            if self.started and sockets:
                host, port = sockets[0].getsockname()[:2]
                print(f"LISTENING http://{host}:{port}", flush=True)

    if args.list_faults:
        for fault in (*known_faults(args.api), *vacuity_faults(args.api)):
            print(f"{fault.name}\t{','.join(fault.requirement_ids)}\t{fault.description}")
        return ExitCode.OK
    try:
        rate_limit, rate_window = _budget(args)
    except ValueError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    config = ReferenceConfig(
        faults=frozenset(args.fault),
        activation_delay=args.activation_delay,
        rate_limit=rate_limit,
        rate_window=rate_window,
        credentials=_server_credentials(args),
    )
    try:
        app = build_app(args.api, config)
    except UnknownFaultError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    try:
        sock = bind_loopback(args.host, args.port)
    except OSError as exc:
        print(
            f"dsconform: error: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return ExitCode.USAGE
    # uvicorn shuts down gracefully on SIGINT/SIGTERM, then re-raises the signal: end with 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    with contextlib.suppress(KeyboardInterrupt):
        _AnnouncingServer(uvicorn_config(app)).run(sockets=[sock])
    return ExitCode.OK


def _server_credentials(args: argparse.Namespace) -> object | None:
    """What the server of `--api` accepts, from its own flags (its folder's serving.py)."""
    api = get_api(args.api)
    if not api.has_part("serving"):
        return None
    credentials: object | None = api.part("serving", "server_credentials")(args)
    return credentials


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(ExitCode.OK)
