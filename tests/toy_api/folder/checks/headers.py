"""Checks of the toy API's response headers."""

from __future__ import annotations

from conformance.checks.base import PASS, CheckEnv, Outcome, Violation
from conformance.core.exchange import Exchange


def version_header(exchange: Exchange, env: CheckEnv) -> Outcome:
    """TOY-HEADER-001: every response carries `X-Toy-Version: 1`."""
    value = exchange.response.header("x-toy-version")
    if value == "1":
        return PASS
    return Violation(f"X-Toy-Version is {value!r}, not '1'", "version-header")
