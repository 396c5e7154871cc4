"""Every report file from one results model (`report.json` as data).

A run directory holds `report.json` (the model), `report.html`, `summary.md` and `junit.xml`;
`regenerate` rebuilds the last three from the first. A directory holding one run directory per
API (`--api all --report-dir DIR`: DIR/<api> for each) also gets combined files of its own.
"""

from __future__ import annotations

import contextlib
import copy
import fcntl
import itertools
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jsonschema

from conformance.redaction import redact_body_text, redact_headers, redact_json, redact_url
from conformance.reporting.html_report import render_html
from conformance.reporting.json_report import report_schema, write_report
from conformance.reporting.junit_report import render_junit
from conformance.reporting.markdown_report import REPORT_HTML as REPORT_HTML
from conformance.reporting.markdown_report import render_markdown
from conformance.reporting.model import Report, ReportModelError

REPORT_JSON = "report.json"
SUMMARY_MD = "summary.md"
JUNIT_XML = "junit.xml"
# What every run writes into its report directory, in the order a reader wants them.
REPORT_FILES = (REPORT_HTML, SUMMARY_MD, JUNIT_XML, REPORT_JSON)


class ReportLoadError(Exception):
    """A report directory without a usable `report.json`; the message is one line."""


def load_report(report_dir: Path) -> Report:
    """`report_dir/report.json`, parsed, validated against the report schema and read into the
    report model."""
    path = report_dir / REPORT_JSON
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportLoadError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportLoadError(f"{path}: cannot read: {exc}") from None
    try:
        report = json.loads(text)
    except ValueError as exc:
        raise ReportLoadError(f"{path}: not JSON ({exc})") from None
    try:
        jsonschema.validate(report, report_schema())
    except jsonschema.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top level"
        message = " ".join(exc.message.split())
        if len(message) > 160:
            message = message[:157] + "..."
        raise ReportLoadError(f"{path}: not a dsconform report: {message} at {where}") from None
    if not isinstance(report, dict):  # the schema already says so; this is for the type checker
        raise ReportLoadError(f"{path}: not a dsconform report")
    try:
        return Report.from_json(redact_report(report))
    except ReportModelError as exc:
        raise ReportLoadError(f"{path}: not a dsconform report: {exc}") from None


def redact_report(report: dict[str, Any]) -> dict[str, Any]:
    """A report.json read back, redacted again by today's pipeline: one written by an older
    dsconform, or edited by hand, may hold secrets that must not reach the files rendered from
    it. Each finding's exchange is redacted as a run redacts one (headers by name, bodies,
    URLs); everything else loses secret-named members and secret fragments of its text."""
    stripped = copy.deepcopy(report)
    exchanges: list[dict[str, Any]] = [
        {side: finding.pop(side) for side in ("request", "response") if side in finding}
        for finding in _findings(stripped)
    ]
    redacted: dict[str, Any] = redact_json(stripped)
    for finding, exchange in zip(_findings(redacted), exchanges, strict=True):
        finding.update({side: _redacted_message(message) for side, message in exchange.items()})
    return redacted


def _findings(report: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for result in report.get("requirements") or []:
        for finding in (result.get("findings") or []) if isinstance(result, dict) else []:
            if isinstance(finding, dict):
                yield finding


def _redacted_message(message: Any) -> Any:
    """A finding's request or response as `Exchange.redacted` leaves one: headers by name,
    the body member by member (or as text), the URL's query and userinfo."""
    if not isinstance(message, dict):
        return redact_json(message)
    redacted = redact_json({k: v for k, v in message.items() if k not in _EXCHANGE_PARTS})
    headers = message.get("headers")
    if isinstance(headers, dict):
        redacted["headers"] = redact_headers({str(k): str(v) for k, v in headers.items()})
    for name, redact in (("body", redact_body_text), ("url", redact_url)):
        if isinstance(message.get(name), str):
            redacted[name] = redact(message[name])
        elif name in message:
            redacted[name] = redact_json(message[name])
    return redacted


_EXCHANGE_PARTS = frozenset({"headers", "body", "url"})


def _write_text(path: Path, render: Callable[[], str]) -> Path:
    """Render, then replace `path` atomically (a failed render leaves the old file)."""
    text = render()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def write_combined_html(reports: Sequence[Report], path: Path) -> Path:
    """One `report.html` for one or several reports (e.g. both APIs)."""
    return _write_text(path, lambda: render_html(list(reports)))


def _write_derived(
    reports: Sequence[Report], report_dir: Path, *, html_only: bool = False
) -> list[Path]:
    written = [write_combined_html(reports, report_dir / REPORT_HTML)]
    if not html_only:
        written.append(_write_text(report_dir / SUMMARY_MD, lambda: render_markdown(reports)))
        written.append(_write_text(report_dir / JUNIT_XML, lambda: render_junit(reports)))
    return written


def write_reports(report: Report, report_dir: Path) -> list[Path]:
    """Write all four files of one run; returns their paths (report.html first)."""
    derived = _write_derived([report], report_dir)
    return [derived[0], *derived[1:], write_report(report.to_json(), report_dir)]


def write_combined(reports: Sequence[Report], report_dir: Path) -> list[Path]:
    """report.html, summary.md and junit.xml covering several runs (one per API), in report_dir."""
    return _write_derived(list(reports), report_dir)


def run_dirs_below(report_dir: Path) -> list[Path]:
    """The per-API run directories directly below `report_dir` (the `--api all` layout)."""
    if not report_dir.is_dir():
        return []
    return sorted(p for p in report_dir.iterdir() if p.is_dir() and (p / REPORT_JSON).is_file())


def regenerate(report_dir: Path, *, html_only: bool = False) -> list[Path]:
    """Re-read `report_dir/report.json` and rewrite report.html, summary.md and junit.xml.

    A directory without report.json but with run directories below it (`--api all`) has those
    regenerated and gets combined files of its own. Raises ReportLoadError.
    """
    if not (report_dir / REPORT_JSON).exists():
        below = run_dirs_below(report_dir)
        if below:
            reports = [load_report(d) for d in below]
            written: list[Path] = []
            for directory, report in zip(below, reports, strict=True):
                written += _write_derived([report], directory, html_only=html_only)
            return written + _write_derived(reports, report_dir, html_only=html_only)
    return _write_derived([load_report(report_dir)], report_dir, html_only=html_only)


STEP_SUMMARY_VARIABLE = "GITHUB_STEP_SUMMARY"


def append_step_summary(reports: Sequence[Report], report_dirs: Sequence[Path]) -> str | None:
    """Append the summary of `reports` to the file `$GITHUB_STEP_SUMMARY` names (GitHub
    Actions shows it on the job's page; each step appends its own), when that is set.

    Returns a one-line warning when the file cannot be written (the run's verdict stands), else
    None. The page is named by its path, not linked: a job summary has no directory to be
    relative to."""
    target = os.environ.get(STEP_SUMMARY_VARIABLE)
    if not target or not reports:
        return None
    pages = ", ".join(f"`{d / REPORT_HTML}`" for d in report_dirs)
    text = render_markdown(list(reports), report_html=None)
    if pages:
        text += f"\nReport pages: {pages}\n"
    try:
        with open(target, "a", encoding="utf-8") as stream:
            stream.write(text + "\n")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return f"warning: cannot append to ${STEP_SUMMARY_VARIABLE} ({target}): {reason}"
    return None


# ---------------------------------------------------------------- output directories of a run

LOCK_FILE = ".dsconform.lock"


class OutputDirError(Exception):
    """A report or record directory this run cannot use; the message is one line."""


def new_directory(base: Path) -> Path:
    """A directory no one else has: `base`, else `base-2`, `base-3`, ... created atomically, so
    two runs started in the same second never share a default report directory."""
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"{base.parent}: cannot create it ({exc.strerror})") from None
    for number in itertools.count(1):
        candidate = base if number == 1 else base.with_name(f"{base.name}-{number}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        except OSError as exc:
            raise OutputDirError(f"{candidate}: cannot create it ({exc.strerror})") from None
        return candidate
    raise AssertionError("unreachable")  # pragma: no cover


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        text = os.pread(fd, 32, 0).decode("ascii").strip()
        if text.isdigit():
            return f" (pid {int(text)})"
    return ""


@contextmanager
def claimed_directory(path: Path, what: str) -> Iterator[Path]:
    """Hold `path` for one run: created when missing, proven writable, and locked against every
    other dsconform run until the block ends (OutputDirError, one line, when it cannot be).

    The lock is an flock on `path/.dsconform.lock` holding our pid: the kernel drops it when
    the process dies however it dies, so a lock left by a killed run is simply taken over.
    """
    if path.exists() and not path.is_dir():
        raise OutputDirError(f"{what} {path}: exists and is not a directory")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"{what} {path}: cannot create it ({exc.strerror})") from None
    lock = path / LOCK_FILE
    while True:
        try:
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise OutputDirError(f"{what} {path}: not writable ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = _holder(fd)
            os.close(fd)
            raise OutputDirError(
                f"{what} {path} is in use by another dsconform run{holder}; "
                "wait for it to end or choose another directory"
            ) from None
        try:  # a run that just released the lock unlinked the file: lock the one at the path
            current = os.stat(lock).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            break
        os.close(fd)
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        probe, probe_path = tempfile.mkstemp(dir=path, prefix=".dsconform-probe-")
        os.close(probe)
        os.unlink(probe_path)
    except OSError as exc:
        os.close(fd)
        raise OutputDirError(f"{what} {path}: not writable ({exc.strerror})") from None
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        os.close(fd)
