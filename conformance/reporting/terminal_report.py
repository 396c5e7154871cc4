"""The end-of-run summary on the terminal: the verdict, counts per status, the failing
requirements and where the report files are, rendered from the report model."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from conformance.reporting.model import Report

STATUS_STYLE = {"passed": "green", "failed": "bold red", "untested": "dim", "error": "yellow"}
VERDICT_STYLE = {
    "passed": "bold green",
    "failed": "bold red",
    "incomplete": "bold yellow",
    "error": "bold yellow",
}
MAX_LISTED_FAILURES = 10


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
