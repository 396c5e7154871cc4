"""What a command's exit status means: the codes and the table `--help` and README show."""

from __future__ import annotations

import textwrap
from enum import IntEnum


class ExitCode(IntEnum):
    """What a command's exit status means; a worse outcome has the higher precedence."""

    OK = 0  # every requirement judged held (or only deviations, under the failure policy)
    FINDINGS = 1  # at least one requirement failed under the failure policy
    USAGE = 2  # a usage or configuration error, or a target that cannot be used
    INCOMPLETE = 3  # nothing failed, but something was blocked or nothing was tested
    INTERNAL = 4  # our own bug: the traceback is in a log file, never on the terminal
    SIGHUP = 129
    INTERRUPTED = 130  # SIGINT
    SIGTERM = 143


# The exit-status table, worded as README.md's (tests/test_cli_help.py holds them equal).
EXIT_STATUS: tuple[tuple[str, str], ...] = (
    ("0", "passed: no requirement failed under the failure policy (--fail-on; deviations allowed)"),
    ("1", "failed: at least one requirement the failure policy covers failed"),
    (
        "2",
        "a usage or configuration error, or a target that cannot be used: one line on stderr "
        "says which, found before the first request when it is in the input (flags, .edgerc, "
        "baseline, cassettes, report directory); a target that fails mid-run still gets its "
        "partial report",
    ),
    ("3", "incomplete: nothing failed, but something was blocked or nothing was tested"),
    (
        "4",
        "internal error, a dsconform bug: one line names the log file holding the traceback "
        "(dsconform-crash-*.log in the report directory, else in $TMPDIR)",
    ),
    (
        "129 / 130 / 143",
        "SIGHUP / SIGINT (Ctrl-C) / SIGTERM: the run stopped sending, cleaned up what it "
        "created and wrote its partial report",
    ),
)


def exit_status_help(width: int = 78) -> str:
    """EXIT_STATUS as plain text for `dsconform --help`, wrapped to `width` columns."""
    lines = []
    for code, meaning in EXIT_STATUS:
        lines += textwrap.wrap(
            meaning, width, initial_indent=f"  {code:17s}", subsequent_indent=" " * 19
        )
    return "\n".join(lines)
