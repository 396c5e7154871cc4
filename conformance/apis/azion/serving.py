"""`dsconform serve --api azion`: the tokens the server accepts (light: the parser of
`dsconform --help` takes these flags)."""

from __future__ import annotations

import argparse
from typing import Any

from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN, DEFAULT_VIEW_TOKEN, Tokens


def add_serve_options(group: Any) -> None:
    """The server's credential flags."""
    group.add_argument(
        "--token",
        default=DEFAULT_TOKEN,
        help="the Azion token the server accepts for edits (default: a fixed test token)",
    )
    group.add_argument(
        "--view-token",
        default=DEFAULT_VIEW_TOKEN,
        help="the Azion view-only token the server accepts (default: a fixed test token)",
    )


def server_credentials(args: argparse.Namespace) -> Tokens:
    """The tokens the server accepts."""
    return Tokens(args.token, args.view_token)
