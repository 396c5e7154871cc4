"""Argument types the commands share: each parses one flag's text or says why it cannot."""

from __future__ import annotations

import argparse

from conformance.settings import PHASES

_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def _number(text: str, kind: type[int] | type[float]) -> float:
    try:
        return kind(text)
    except ValueError:
        what = "a whole number" if kind is int else "a number"
        raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None


def positive_int(text: str) -> int:
    value = int(_number(text, int))
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def positive_float(text: str) -> float:
    value = _number(text, float)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def non_negative_float(text: str) -> float:
    value = _number(text, float)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, got {text}")
    return value


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
    """`N/PERIOD` with PERIOD in seconds (`60`, `60s`), minutes (`1m`) or hours (`1h`)."""
    count_text, _, period_text = text.partition("/")
    unit = _UNITS.get(period_text[-1:], 1.0) if period_text else 0.0
    number = period_text[:-1] if period_text[-1:] in _UNITS else period_text
    try:
        count, period = int(count_text), float(number) * unit
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected N/PERIOD such as 20/60s, got {text!r}"
        ) from None
    if count < 1 or period <= 0:
        raise argparse.ArgumentTypeError(f"N and PERIOD must be positive, got {text!r}")
    return count, period
