"""`dsconform serve --api akamai`: the EdgeGrid credentials the server verifies (light: the
parser of `dsconform --help` takes these flags)."""

from __future__ import annotations

import argparse
from typing import Any

from conformance.apis.akamai.reference.credentials import EdgeGridCredentials


def add_serve_options(group: Any) -> None:
    """The server's credential flags."""
    group.add_argument(
        "--edgegrid",
        nargs=3,
        metavar=("CLIENT_TOKEN", "CLIENT_SECRET", "ACCESS_TOKEN"),
        help="Akamai: verify EdgeGrid signatures made with these credentials "
        "(default: check only the Authorization header's form)",
    )


def server_credentials(args: argparse.Namespace) -> EdgeGridCredentials | None:
    """What the server verifies signatures against (None: the header's form only)."""
    return EdgeGridCredentials(*args.edgegrid) if args.edgegrid else None
