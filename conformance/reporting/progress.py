"""What a person watching a run sees: a live display while it runs, a short summary after.

`RunProgress` is fed by the engine's Events (`on_event`) and by every exchange (`on_exchange`,
an exchange listener). On a terminal it is a rich live line (phase, operation, requests made,
failed requirements so far, elapsed time); when output is not a terminal (CI logs, pipes) it
prints plain lines instead, one per phase and step; with `quiet` it prints nothing. Output goes
to stdout, so stderr stays for the one-line errors of the CLI.
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

STATUS_STYLE = {"passed": "green", "failed": "bold red", "untested": "dim", "error": "yellow"}
VERDICT_STYLE = {
    "passed": "bold green",
    "failed": "bold red",
    "incomplete": "bold yellow",
    "error": "bold yellow",
}
MAX_LISTED_FAILURES = 10
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class _Event(Protocol):
    @property
    def phase(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def message(self) -> str: ...

    @property
    def requests(self) -> tuple[tuple[str, int], ...]: ...


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

    def on_event(self, event: _Event) -> None:
        """An engine Event: phase-started, phase-finished, step or note."""
        with self._lock:
            if event.kind == "phase-started":
                self.phase, self.step, self.operation = event.phase, "", ""
                self._phase_started = time.monotonic()
                if not self.live:
                    self._line(f"{self.api}: {event.phase} phase started")
            elif event.kind == "phase-finished":
                seconds = time.monotonic() - self._phase_started
                self._line(
                    f"{self.api}: {event.phase} phase finished: "
                    f"{phase_requests(event.phase, event.requests)}, "
                    f"{seconds:.1f} s, {self.failed} failed requirement(s) so far",
                    style="dim" if self.live else None,
                )
                self.step = ""
            elif event.kind == "step":
                self.step = event.message
                if not self.live:
                    self._line(f"{self.api}: {event.phase}: {event.message}")
            elif event.kind == "note":
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


def render_summary(
    report: dict[str, Any], files: Iterable[Path] = (), *, short: bool = False
) -> str:
    """The end-of-run summary as rich markup: verdict, counts per status, where the reports are."""
    verdict = str(report.get("verdict", "error"))
    counts = report.get("counts") or {}
    parts = [
        f"[{STATUS_STYLE.get(status, '')}]{counts.get(status, 0)} {status}[/]"
        for status in ("passed", "failed", "untested", "error")
    ]
    deviations = report.get("deviations") or []
    if deviations:  # failures the failure policy does not count (issue 12)
        parts.append(f"[magenta]{len(deviations)} deviation(s)[/]")
    if report.get("blocked"):
        parts.append(f"[yellow]{report['blocked']} blocked[/]")
    requests = (report.get("requests") or {}).get("total", 0)
    target = (report.get("target") or {}).get("base_url", "")
    lines = [
        f"[bold]{escape(str(report.get('api', '')))}[/]: "
        f"[{VERDICT_STYLE.get(verdict, 'bold')}]{verdict.upper()}[/]  "
        + ", ".join(parts)
        + f"  ({requests} requests against {escape(str(target))})"
    ]
    if short:
        return lines[0]
    if report.get("aborted"):
        lines.append(f"  [yellow]run aborted: {escape(str(report['aborted']))}[/]")
    failing = [r for r in report.get("requirements", []) if r.get("status") in ("failed", "error")]
    # Deviations first (issue 12), then what fails the run.
    failing.sort(key=lambda r: not r.get("deviation"))
    for requirement in failing[:MAX_LISTED_FAILURES]:
        findings = requirement.get("findings") or []
        message = " ".join(str(findings[0].get("message", "")).split())[:140] if findings else ""
        label = requirement["status"].upper()
        style = STATUS_STYLE[requirement["status"]]
        level = escape(requirement.get("level", ""))
        if requirement.get("deviation"):
            label, style = "DEVIATION", "magenta"
            level += f" {escape(str(requirement.get('basis', '')))}"
        lines.append(
            f"  [{style}]{label}[/] {escape(requirement['id'])} {level}: {escape(message)}"
        )
    if len(failing) > MAX_LISTED_FAILURES:
        lines.append(f"  ... and {len(failing) - MAX_LISTED_FAILURES} more")
    files = list(files)
    if files:
        html = next((f for f in files if f.name.endswith(".html")), files[0])
        others = ", ".join(f.name for f in files if f != html)
        lines.append(
            f"  report: {escape(str(html))}" + (f" (also {escape(others)})" if others else "")
        )
    return "\n".join(lines)


def print_summary(
    report: dict[str, Any],
    files: Iterable[Path] = (),
    *,
    quiet: bool = False,
    console: Console | None = None,
) -> None:
    """Print `render_summary`; with `quiet`, only its first line."""
    out = console or Console(highlight=False)
    out.print(render_summary(report, files, short=quiet), soft_wrap=True)
