"""`dsconform serve`: run a reference server in the foreground."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from types import FrameType
from typing import Any

import uvicorn

from conformance.argument_types import (
    non_negative_float,
    port_number,
    positive_float,
    positive_int,
)
from conformance.exit_codes import ExitCode
from conformance.reference import build_app, known_faults, vacuity_faults
from conformance.reference.config import (
    DEFAULT_AZION_TOKEN,
    DEFAULT_AZION_VIEW_TOKEN,
    EdgeGridCredentials,
    ReferenceConfig,
)
from conformance.reference.faults import UnknownFaultError
from conformance.reference.launcher import bind_loopback, uvicorn_config


def add_serve_parser(commands: Any) -> None:
    serve = commands.add_parser("serve", help="run a reference server of one API")
    serve.add_argument("--api", choices=["akamai", "azion"], required=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=port_number, default=0, help="0 picks a free port (default)")
    serve.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="switch on a fault (repeatable; see --list-faults)",
    )
    serve.add_argument("--list-faults", action="store_true", help="print the faults and exit")
    serve.add_argument(
        "--activation-delay",
        type=non_negative_float,
        default=1.0,
        metavar="SECONDS",
        help="time spent ACTIVATING/DEACTIVATING (default 1)",
    )
    serve.add_argument(
        "--rate-limit",
        type=positive_int,
        metavar="N",
        help="requests per window (Akamai default: 20)",
    )
    serve.add_argument("--rate-window", type=positive_float, default=60.0, metavar="SECONDS")
    serve.add_argument("--token", default=DEFAULT_AZION_TOKEN, help="Azion edit token")
    serve.add_argument(
        "--view-token", default=DEFAULT_AZION_VIEW_TOKEN, help="Azion view-only token"
    )
    serve.add_argument(
        "--edgegrid",
        nargs=3,
        metavar=("CLIENT_TOKEN", "CLIENT_SECRET", "ACCESS_TOKEN"),
        help="Akamai: verify EdgeGrid signatures made with these credentials",
    )
    serve.set_defaults(handler=run_serve)


class _AnnouncingServer(uvicorn.Server):
    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and sockets:
            host, port = sockets[0].getsockname()[:2]
            print(f"LISTENING http://{host}:{port}", flush=True)


def run_serve(args: argparse.Namespace) -> int:
    if args.list_faults:
        for fault in (*known_faults(args.api), *vacuity_faults(args.api)):
            print(f"{fault.name}\t{','.join(fault.requirement_ids)}\t{fault.description}")
        return ExitCode.OK
    config = ReferenceConfig(
        faults=frozenset(args.fault),
        activation_delay=args.activation_delay,
        rate_limit=args.rate_limit,
        rate_window=args.rate_window,
        token=args.token,
        view_token=args.view_token,
        edgegrid=EdgeGridCredentials(*args.edgegrid) if args.edgegrid else None,
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


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(ExitCode.OK)
