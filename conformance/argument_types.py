"""Argument types the commands share: each parses one flag's text or says why it cannot."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from conformance.settings import PHASES
from conformance.target_url import TargetUrlError, normalise_target_url

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
# Longer than any run should take (a real activation may take about 90 minutes), short
# enough for every timer and socket timeout we hand it to (sockets refuse about 9e9 s).
MAX_SECONDS = 7 * 24 * 3600.0
MAX_COUNT = 1_000_000
MAX_WORKERS = 64


def _number(text: str, kind: type[int] | type[float]) -> float:
    try:
        value = kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number, got {text!r}")
    return value


def _at_most(value: float, limit: float, text: str) -> None:
    if value > limit:
        raise argparse.ArgumentTypeError(f"must be at most {limit:g}, got {text}")


def positive_int(text: str) -> int:
    """A whole number from 1 to a million."""
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    _at_most(value, MAX_COUNT, text)
    return value


def identifier(text: str) -> int:
    """A positive whole number that fits 64 bits (an account's resource id)."""
    value = int(_number(text, int))
    if not 0 < value < 2**63:
        raise argparse.ArgumentTypeError(f"must be a positive id, got {text}")
    return value


def worker_count(text: str) -> int:
    """`--workers`: 1 to 64 processes."""
    value = positive_int(text)
    _at_most(value, MAX_WORKERS, text)
    return value


def port_number(text: str) -> int:
    """A TCP port, 0 (pick a free one) to 65535."""
    value = int(_number(text, int))
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port from 0 to 65535, got {text}")
    return value


def positive_float(text: str) -> float:
    """Seconds greater than 0, finite, at most a week."""
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    _at_most(value, MAX_SECONDS, text)
    return value


def non_negative_float(text: str) -> float:
    """Seconds from 0, finite, at most a week."""
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    _at_most(value, MAX_SECONDS, text)
    return value


def base_url(text: str) -> str:
    """`--base-url`: a target URL as `conformance.target_url` accepts it, normalised."""
    try:
        return normalise_target_url(text)
    except TargetUrlError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def non_empty(text: str) -> str:
    """A value that must not be empty or blank (tokens, section names, prefixes)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("must not be empty")
    if any(not c.isprintable() for c in text):
        raise argparse.ArgumentTypeError("must not contain control characters")
    return text


def phase_list(text: str) -> tuple[str, ...]:
    """Comma-separated phase names."""
    phases = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in phases if p not in PHASES]
    if unknown or not phases:
        raise argparse.ArgumentTypeError(
            f"unknown phase(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PHASES)}"
        )
    return phases


def rate(text: str) -> tuple[int, float]:
    """`N/PERIOD` with PERIOD in seconds (`60`, `60s`), minutes (`1m`), hours (`1h`) or days
    (`1d`); a bare unit is one of it (`100/m`, schemathesis' form)."""
    count_text, _, period_text = text.partition("/")
    unit = _UNITS.get(period_text[-1:], 1.0) if period_text else 0.0
    number = (period_text[:-1] or "1") if period_text[-1:] in _UNITS else period_text
    try:
        count, period = int(count_text), float(number) * unit
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected N/PERIOD such as 20/60s, got {text!r}"
        ) from None
    if not math.isfinite(period) or count < 1 or period <= 0:
        raise argparse.ArgumentTypeError(f"N and PERIOD must be positive, got {text!r}")
    if count > MAX_COUNT or period > MAX_SECONDS:
        raise argparse.ArgumentTypeError(
            f"N at most {MAX_COUNT}, PERIOD at most {MAX_SECONDS:g}s, got {text!r}"
        )
    return count, period


def generator_output_dir(argv: Sequence[str] | None, module: str, default: Path) -> Path | None:
    """The one optional DIR of a `python -m MODULE [DIR]` generator of shipped files; None
    (after a usage line on stderr) for anything else, a flag such as `--help` included."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or (args and args[0].startswith("-")):
        print(f"usage: python -m {module} [DIR]   (DIR: default {default})", file=sys.stderr)
        return None
    return Path(args[0]) if args else default
