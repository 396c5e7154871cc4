"""Stopping a run on SIGINT, SIGTERM or SIGHUP: stop sending, clean up briefly, report.

The first signal stops the run: a request in flight gets `INFLIGHT_GRACE` seconds to finish
(so the answer to a create is still seen and its resource deleted), no new request is sent
except cleanup, and cleanup may take `CLEANUP_GRACE` seconds in all. A second signal ends the
cleanup at once; the report is written either way and says what was left.

The handler raises `RunInterrupted` straight away only where that is safe: while phase code
runs, not while the client holds a request (it is cut by the watchdog and the client raises)
nor during cleanup (which goes on until its grace period ends).
"""

from __future__ import annotations

import math
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

from conformance.exit_codes import ExitCode

CLEANUP_GRACE = 20.0
INFLIGHT_GRACE = 2.0
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
EXIT_CODES = {
    signal.SIGINT: ExitCode.INTERRUPTED,
    signal.SIGTERM: ExitCode.SIGTERM,
    signal.SIGHUP: ExitCode.SIGHUP,
}


class RunInterrupted(KeyboardInterrupt):
    """The run was told to stop by a signal (a KeyboardInterrupt, so code that already
    handles Ctrl-C handles this the same way)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> ExitCode:
        return exit_code_for(self.signum)


class RunHalted(KeyboardInterrupt):
    """The run stopped itself (`--max-failures`): like a signal, it stops the sending and
    cleanup still runs, but the run is not aborted: its report and exit code stand."""


def exit_code_for(signum: int) -> ExitCode:
    """129 for SIGHUP, 130 for SIGINT, 143 for SIGTERM."""
    return EXIT_CODES.get(signal.Signals(signum), ExitCode.INTERRUPTED)


class StopControl:
    """Whether the run must stop, and until when the requests still allowed may run.

    The signal handler only writes plain attributes here (it may run between any two
    bytecodes of the main thread), and the watchdog thread only reads them.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.cut_at = math.inf  # in-flight requests other than cleanup end at this moment
        self.cleanup_until = math.inf  # cleanup requests may run until this moment
        self.second_signal = False
        self.armed = False  # phase code runs: the handler may raise at once
        self.shielded = 0  # the client holds a request: the handler must not raise
        self.cleaning = 0  # cleanup runs: the handler must not raise
        self.halted: str | None = None  # why the run stopped itself (--max-failures)

    @property
    def requested(self) -> bool:
        return self.signum is not None or self.halted is not None

    def halt(self, reason: str) -> None:
        """Stop the run without a signal: the next request outside cleanup raises RunHalted."""
        self.halted = self.halted or reason

    def request(self, signum: int) -> None:
        """A stop signal arrived (called by the handler, or by tests)."""
        now = time.monotonic()
        if self.signum is None:
            self.signum = signum
            self.cut_at = now + INFLIGHT_GRACE
            self.cleanup_until = now + CLEANUP_GRACE
        else:
            self.second_signal = True
            self.cut_at = now
            self.cleanup_until = now
        if self.armed and not self.shielded and not self.cleaning:
            raise RunInterrupted(self.signum)

    def raise_if_requested(self) -> None:
        """Outside cleanup: raise RunInterrupted once a stop was requested (RunHalted once
        the run halted itself)."""
        if self.signum is not None and not self.cleaning:
            raise RunInterrupted(self.signum)
        if self.halted is not None and not self.cleaning:
            raise RunHalted(self.halted)

    @contextmanager
    def shield(self) -> Iterator[None]:
        """The handler only records a signal inside this block."""
        self.shielded += 1
        try:
            yield
        finally:
            self.shielded -= 1

    @contextmanager
    def cleanup(self) -> Iterator[None]:
        """Cleanup runs in this block: a first signal lets it go on (within the grace
        period). The block does not raise at its end (its caller still has to note what was
        left); the run's next request does."""
        self.cleaning += 1
        try:
            yield
        finally:
            self.cleaning -= 1

    @contextmanager
    def phases(self) -> Iterator[None]:
        """Phase code runs in this block: the handler may raise into it."""
        self.armed = True
        try:
            yield
        finally:
            self.armed = False


@contextmanager
def stop_signals(control: StopControl) -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP go to `control` in this block (main thread only; elsewhere
    the block changes nothing). The previous handlers come back afterwards."""

    def handle(signum: int, frame: FrameType | None) -> None:
        control.request(signum)

    with _handling_stop_signals(handle):
        yield


@contextmanager
def signals_as_interrupts() -> Iterator[None]:
    """SIGTERM and SIGHUP raise RunInterrupted like SIGINT raises KeyboardInterrupt (outside a
    run's own handling: between runs, while a report is written)."""

    def handle(signum: int, frame: FrameType | None) -> None:
        raise RunInterrupted(signum)

    with _handling_stop_signals(handle):
        yield


@contextmanager
def _handling_stop_signals(handle: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    """`handle` for every stop signal in this block, the previous handlers back afterwards
    (main thread only: elsewhere Python refuses to install handlers, and the block is a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for signum in STOP_SIGNALS:
        previous[signum] = signal.signal(signum, handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
