"""What a person watching a run sees: a live display while it runs, a short summary after.

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
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, TextIO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.text import Text

from conformance.reporting.model import Report
from conformance.runner.events import PhaseFinished, PhaseStarted, Progress, RunEvent

STATUS_STYLE = {"passed": "green", "failed": "bold red", "untested": "dim", "error": "yellow"}
VERDICT_STYLE = {
    "passed": "bold green",
    "failed": "bold red",
    "incomplete": "bold yellow",
    "error": "bold yellow",
}
MAX_LISTED_FAILURES = 10
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


def render_summary(report: Report, files: Iterable[Path] = (), *, short: bool = False) -> str:
    """The end-of-run summary as rich markup: verdict, counts per status, where the reports are."""
    counts = report.counts
    parts = [
        f"[{STATUS_STYLE.get(status, '')}]{getattr(counts, status)} {status}[/]"
        for status in ("passed", "failed", "untested", "error")
    ]
    if report.deviations:  # failures the failure policy does not count (issue 12)
        parts.append(f"[magenta]{len(report.deviations)} deviation(s)[/]")
    if report.blocked:
        parts.append(f"[yellow]{report.blocked} blocked[/]")
    lines = [
        f"[bold]{escape(report.api)}[/]: "
        f"[{VERDICT_STYLE.get(report.verdict, 'bold')}]{report.verdict.upper()}[/]  "
        + ", ".join(parts)
        + f"  ({report.requests.total} requests against {escape(report.target.base_url)})"
    ]
    if short:
        return lines[0]
    if report.aborted:
        lines.append(f"  [yellow]run aborted: {escape(report.aborted)}[/]")
    lines += _failing_lines(report)
    files = list(files)
    if files:
        html = next((f for f in files if f.name.endswith(".html")), files[0])
        others = ", ".join(f.name for f in files if f != html)
        lines.append(
            f"  report: {escape(str(html))}" + (f" (also {escape(others)})" if others else "")
        )
    return "\n".join(lines)


def _failing_lines(report: Report) -> list[str]:
    """One line per failed or errored requirement (deviations first, issue 12), at most
    MAX_LISTED_FAILURES of them."""
    failing = [r for r in report.requirements if r.status in ("failed", "error")]
    failing.sort(key=lambda r: not r.deviation)
    lines = []
    for requirement in failing[:MAX_LISTED_FAILURES]:
        findings = requirement.findings
        message = " ".join(findings[0].message.split())[:140] if findings else ""
        label = requirement.status.upper()
        style = STATUS_STYLE[requirement.status]
        level = escape(requirement.level)
        if requirement.deviation:
            label, style = "DEVIATION", "magenta"
            level += f" {escape(str(requirement.basis or ''))}"
        lines.append(f"  [{style}]{label}[/] {escape(requirement.id)} {level}: {escape(message)}")
    if len(failing) > MAX_LISTED_FAILURES:
        lines.append(f"  ... and {len(failing) - MAX_LISTED_FAILURES} more")
    return lines


def print_summary(
    report: Report,
    files: Iterable[Path] = (),
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> None:
    """Print `render_summary`; with `quiet`, only its first line."""
    out = console or Console(highlight=False)
    out.print(render_summary(report, files, short=quiet), soft_wrap=True)
