"""exit status (every command; README.md has the same table):
0    passed: no requirement failed
1    failed: at least one requirement failed
2    usage or configuration error, or a target that cannot be used (one line on stderr)
3    incomplete: nothing failed, but something was blocked or nothing was tested
4    internal error, a dsconform bug: one line names the log file holding the traceback
129  hang-up (SIGHUP), 130 interrupted (SIGINT, Ctrl-C), 143 terminated (SIGTERM):
     the run stopped sending, cleaned up and wrote its partial report
"""

from __future__ import annotations

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
