"""Process exit codes shared by every command."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """0: all good; 1: the target (or contract) broke a rule; 2: unusable input or target."""

    OK = 0
    FINDINGS = 1
    USAGE = 2
    INTERRUPTED = 130
