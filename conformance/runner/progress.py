"""What a person watching a run sees while it runs (the summary after it:
`reporting/terminal_report.py`).

`RunProgress` is fed by the run's events (`handle`, a run listener) and by every exchange
(`on_exchange`, an exchange listener). On a terminal it is a rich live line (phase, operation,
requests made, failed requirements so far, elapsed time); when output is not a terminal (CI
logs, pipes) it prints plain lines instead, one per phase and step; with `quiet` it prints
nothing. Output goes to stdout, so stderr stays for the one-line errors of the CLI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from types import TracebackType
from typing import Any, Protocol, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.text import Text

from conformance.runner.events import PhaseFinished, PhaseStarted, Progress, RunEvent

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class _ResultLike(Protocol):
    @property
    def failures(self) -> int: ...


class _Collector(Protocol):
    def results(self) -> Sequence[_ResultLike]: ...


class RunProgress:
    """Live progress of one run; use as a context manager around `run_conformance`."""

    def __init__(
        self,
        api: str,
        *,
        quiet: bool = False,
        console: Console | None = None,
        live: bool | None = None,
        file: TextIO | None = None,
    ) -> None:
        self.api = api
        self.quiet = quiet
        self.console = console or Console(file=file, highlight=False)
        # Live redraws only make sense on a terminal; anything else gets plain lines.
        self.live = self.console.is_terminal if live is None else live
        self.phase = ""
        self.step = ""
        self.operation = ""
        self.requests = 0
        self.failed = 0
        self._phase_started = 0.0
        self._started = time.monotonic()
        self._lock = threading.Lock()
        self._live: Live | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> RunProgress:
        self._started = time.monotonic()
        if self.live and not self.quiet:
            self._live = Live(
                console=self.console,
                get_renderable=self._render,
                refresh_per_second=8,
                transient=True,
            )
            self._live.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    # -- feeds -------------------------------------------------------------------------------

    def handle(self, event: RunEvent) -> None:
        """A run listener (runner/events.py): phases starting and finishing, their steps
        and notes; the rest of the run's events say nothing a person watching needs."""
        with self._lock:
            if isinstance(event, PhaseStarted):
                self.phase, self.step, self.operation = event.phase, "", ""
                self._phase_started = time.monotonic()
                if not self.live:
                    self._line(f"{self.api}: {event.phase} phase started")
            elif isinstance(event, PhaseFinished):
                seconds = time.monotonic() - self._phase_started
                self._line(
                    f"{self.api}: {event.phase} phase finished: "
                    f"{phase_requests(event.phase, event.requests)}, "
                    f"{seconds:.1f} s, {self.failed} failed requirement(s) so far",
                    style="dim" if self.live else None,
                )
                self.step = ""
            elif isinstance(event, Progress) and event.kind == "step":
                self.step = event.message
                if not self.live:
                    self._line(f"{self.api}: {event.phase}: {event.message}")
            elif isinstance(event, Progress) and event.kind == "note":
                self._line(f"{self.api}: {event.phase}: note: {event.message}", style="yellow")

    def on_exchange(self, exchange: Any, collector: _Collector | None = None) -> None:
        """Every exchange of the run; with the collector, failures so far are counted too."""
        failed = None
        if collector is not None:
            failed = sum(1 for result in collector.results() if result.failures)
        with self._lock:
            self.requests += 1
            operation = getattr(exchange, "operation_id", None)
            if operation:
                self.operation = operation
            if failed is not None:
                self.failed = failed

    __call__ = on_exchange  # so the object itself can sit in a client's listener list

    # -- output ------------------------------------------------------------------------------

    def _line(self, text: str, style: str | None = None) -> None:
        if self.quiet:
            return
        self.console.print(Text(text, style=style or ""), soft_wrap=True)

    def _render(self) -> RenderableType:
        with self._lock:
            elapsed = time.monotonic() - self._started
            frame = SPINNER[int(elapsed * 10) % len(SPINNER)]
            where = " > ".join(p for p in (self.phase or "starting", self.step) if p)
            # Counts first: a narrow terminal cuts the (long) step, not the numbers.
            status = Text.assemble(
                (f"{frame} ", "cyan"),
                (f"{self.api}  ", "bold"),
                f"{self.requests} requests  ",
                (f"{self.failed} failed  " if self.failed else "", "bold red"),
                (f"{elapsed:.0f} s  ", "dim"),
                (where, "cyan"),
            )
            lines = [status]
            if self.operation:
                lines.append(Text(f"  last operation: {self.operation}", style="dim"))
        for line in lines:  # one screen line each, however narrow the terminal
            line.no_wrap = True
            line.overflow = "ellipsis"
        return Group(*lines)


def phase_requests(phase: str, counted: Iterable[tuple[str, int]]) -> str:
    """`224 requests (+1 cleanup)`: the engine's one count (core/request_tally.py) of what
    was sent while `phase` ran, under the names the report's `requests.by_phase` uses."""
    counts = dict(counted)
    own = counts.pop(phase, 0)
    others = ", ".join(f"{n} {name}" for name, n in counts.items())
    return f"{own} requests" + (f" (+{others})" if others else "")
