"""The `dsconform` console script. Stop signals are handled from its first line on, before
the heavy imports: a signal during start-up ends the command with its exit code (128 + the
signal's number: 129, 130, 143) and one line on stderr, never a traceback."""

from __future__ import annotations

import os
import signal
import sys
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def _stopped_while_starting(signum: int, frame: FrameType | None) -> None:
    # Mid-import: unwinding could run half-imported code, so say it and leave at once.
    os.write(2, _start_up_line(signum).encode())
    os._exit(128 + signum)


def _start_up_line(signum: int) -> str:
    name = signal.Signals(signum).name
    return f"dsconform: stopped by {name} while starting; nothing was sent, no report written\n"


def main() -> int:
    """Entry point of the console script: `conformance.cli.main` once stop signals are ours."""
    for signum in STOP_SIGNALS:
        signal.signal(signum, _stopped_while_starting)
    from conformance.cli import main as cli_main
    from conformance.core.stopping import RunInterrupted, signals_as_interrupts

    code: int | None = None
    try:
        # From here a stop signal is a RunInterrupted: the command's own handling (a run's
        # cleanup and partial report) takes it; before that handling begins it ends up here.
        with signals_as_interrupts():
            code = cli_main()
    except RunInterrupted as exc:
        if code is not None:  # the command had finished: its own code stands
            return code
        sys.stderr.write(_start_up_line(exc.signum))
        return int(exc.exit_code)
    return code
