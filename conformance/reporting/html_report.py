"""`report.html`: one self-contained page (inline CSS, JS and SVG; no network) for one or more
`report.json` documents, e.g. both APIs of an `--api all` run."""

from __future__ import annotations

import contextlib
import json
import re
import shlex
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from conformance.apis import APIS
from conformance.openapi_document import JSON_PATH_IN_MESSAGE, json_path, json_path_parts
from conformance.redaction import PLACEHOLDER, redact_body_text, redact_headers, redact_url
from conformance.reporting.coverage import UNMATCHED, code_is_documented
from conformance.reporting.model import (
    ExchangeRequest,
    Finding,
    JsonObject,
    OperationCoverage,
    Report,
    RequirementEntry,
)

TEMPLATES = Path(__file__).with_name("templates")
STATUSES = ("failed", "error", "passed", "untested")
LEVELS = ("MUST", "SHOULD", "MAY")
# Bodies longer than this are cut in the page (report.json keeps what the run kept).
MAX_BODY_CHARS = 4000
# The part of a body a schema finding names is shown on its own, cut at this many lines.
MAX_FOCUS_LINES = 40
# Headers a replayed request must not carry over: curl computes or negotiates them itself.
_CURL_SKIP_HEADERS = frozenset(
    {"content-length", "connection", "accept-encoding", "host", "x-schemathesis-testcaseid"}
)


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Everything a target sent is text: escaped in every template, whatever its file name.
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["ticks"] = _ticks
    return env


_TICKS = re.compile(r"`([^`]+)`")


def _ticks(text: str) -> markupsafe.Markup:
    """Escape `text`, then show its `backticked` parts as code, as the catalogue writes them."""
    escaped = str(markupsafe.escape(text))
    return markupsafe.Markup(_TICKS.sub(r"<code>\1</code>", escaped))


def curl_command(request: ExchangeRequest, api: str) -> str:
    """The request as a runnable `curl` command, secrets redacted.

    A redacted Authorization becomes the API's `curl_authorization` (a shell variable, so the
    command runs once it is set); without one (a signature curl cannot compute, an unknown API)
    it stays redacted.
    """
    definition = APIS.get(api)
    authorization = definition.curl_authorization if definition else ""
    method = (request.method or "GET").upper()
    url = redact_url(request.url)
    lines = [f"curl -sS -i -g -X {method} {shlex.quote(url)}"]
    headers = redact_headers({str(k): str(v) for k, v in request.headers.items()})
    for name, value in headers.items():
        if name.lower() in _CURL_SKIP_HEADERS:
            continue
        if name.lower() == "authorization" and value == PLACEHOLDER and authorization:
            lines.append(f'-H "{name}: {authorization}"')
        else:
            lines.append(f"-H {shlex.quote(f'{name}: {value}')}")
    body = redact_body_text(request.body)
    if body:
        lines.append(f"--data-raw {shlex.quote(body)}")
    return " \\\n  ".join(lines)


def _pretty_body(body: str) -> tuple[str, bool]:
    """A body for reading: JSON indented, anything cut at MAX_BODY_CHARS (and whether it was)."""
    text = body
    with contextlib.suppress(ValueError):
        text = json.dumps(json.loads(body), indent=2, ensure_ascii=False)
    if len(text) > MAX_BODY_CHARS:
        return text[:MAX_BODY_CHARS], True
    return text, False


def _body_focus(message: str, body: str) -> dict[str, Any] | None:
    """The part of a JSON body that a finding's message names (`... at $.a[0].b: ...`): the
    object holding the failing member, that member's lines marked; None without a path or
    when the body holds no such part."""
    found = JSON_PATH_IN_MESSAGE.search(message)
    parts = json_path_parts(found.group(1)) if found else None
    if not parts:
        return None
    try:
        value: Any = json.loads(body)
    except ValueError:
        return None
    # Show the failing member inside the object holding it, so its neighbours are visible.
    shown = parts[:-1] if isinstance(parts[-1], str) else parts
    for part in shown:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    key = parts[-1] if isinstance(parts[-1], str) and isinstance(value, dict) else None
    if key is not None and key not in value:
        key = None
    text = json.dumps(value, indent=2, ensure_ascii=False)
    lines = []
    depth = 0
    marking = False
    for line in text.splitlines():
        opens = line.rstrip().endswith(("{", "["))
        closes = line.strip().startswith(("}", "]"))
        if key is not None and depth == 1 and line.startswith(f"  {json.dumps(key)}:"):
            marking = True
        lines.append({"text": line, "marked": marking})
        depth += (1 if opens else 0) - (1 if closes else 0)
        if marking and depth == 1:
            marking = False
    cut = len(lines) > MAX_FOCUS_LINES
    if cut:
        first = next((i for i, line in enumerate(lines) if line["marked"]), 0)
        start = max(0, min(first - 5, len(lines) - MAX_FOCUS_LINES))
        lines = lines[start : start + MAX_FOCUS_LINES]
    return {
        "path": found.group(1) if found else "",
        "shown": json_path(shown),
        "member": key is not None,
        "lines": lines,
        "cut": cut,
    }


def _header_lines(headers: JsonObject) -> str:
    return "\n".join(f"{name}: {value}" for name, value in headers.items())


def _signature_note(request: ExchangeRequest, api: str) -> str:
    """What to say under the curl command of a signed request curl cannot replay, or ""."""
    definition = APIS.get(api)
    signed = any(k.lower() == "authorization" for k in request.headers)
    return definition.curl_signature_note if definition and signed else ""


def _finding_view(finding: Finding, api: str) -> dict[str, Any]:
    request = finding.request
    response = finding.response
    view: dict[str, Any] = {
        "message": finding.message,
        "check": finding.check,
        "kind": finding.kind,
        "phase": finding.phase,
        "operation": finding.operation or "",
        "request": None,
        "response": None,
        "focus": None,
    }
    if request:
        view["request"] = {
            "line": f"{request.method.upper()} {redact_url(request.url)}",
            "curl": curl_command(request, api),
            "signature_note": _signature_note(request, api),
        }
    if response:
        body, cut = _pretty_body(response.body)
        view["focus"] = _body_focus(finding.message, response.body)
        view["response"] = {
            "status": response.status,
            "headers": _header_lines(response.headers),
            "body": body,
            "cut": cut,
            "truncated": bool(response.truncated),
        }
    return view


def _duration(report: Report) -> str:
    try:
        started = datetime.fromisoformat(report.started_at)
        finished = datetime.fromisoformat(report.finished_at)
    except ValueError:
        return ""
    return f"{(finished - started).total_seconds():.1f} s"


def _coverage_view(coverage: Mapping[str, OperationCoverage] | None) -> dict[str, Any] | None:
    if not coverage:
        return None
    codes: set[str] = set()
    for entry in coverage.values():
        codes.update(entry.documented)
        codes.update(entry.seen)
    columns = sorted(codes, key=lambda c: (c == "default", c))
    rows = []
    documented_total = documented_seen = 0
    for operation, entry in coverage.items():
        documented = list(entry.documented)
        seen = dict(entry.seen)
        cells = []
        for code in columns:
            count = seen.get(code, 0)
            if code in documented:
                hit = count or sum(
                    n for c, n in seen.items() if code.endswith("XX") and c[:1] == code[:1]
                )
                state = "seen" if hit else "missing"
                documented_total += 1
                documented_seen += 1 if hit else 0
            elif count:
                state = "seen" if code_is_documented(code, documented) else "undocumented"
            else:
                state = "na"
            cells.append({"code": code, "count": count, "state": state})
        rows.append(
            {
                "operation": operation,
                "unmatched": operation == UNMATCHED,
                "cells": cells,
                "total": sum(seen.values()),
            }
        )
    return {
        "columns": columns,
        "rows": rows,
        "documented_total": documented_total,
        "documented_seen": documented_seen,
    }


def _requirement_view(requirement: RequirementEntry, api: str) -> dict[str, Any]:
    return {
        "id": requirement.id,
        "level": requirement.level,
        "statement": requirement.statement,
        "status": requirement.status,
        "passes": requirement.passes,
        "failures": requirement.failures,
        "reason": requirement.reason or "",
        "basis": requirement.basis or "",
        "deviation": bool(requirement.deviation),
        "untested": requirement.untested or "",
        "errata": requirement.errata or (),
        "observable": requirement.observable,
        "operations": requirement.operations or (),
        "checks": requirement.checks or (),
        "source": requirement.source,
        "findings": [_finding_view(f, api) for f in requirement.findings],
    }


def _report_view(report: Report, index: int) -> dict[str, Any]:
    api = report.api
    sections: dict[str, dict[str, Any]] = {}
    failures = []
    for requirement in report.requirements:
        source = requirement.source
        name = source.section or "(no section)"
        section = sections.setdefault(
            name,
            {
                "name": name,
                "anchor": f"{api}-s{len(sections) + 1}",
                "counts": dict.fromkeys(STATUSES, 0),
                "requirements": [],
            },
        )
        status = requirement.status
        section["counts"][status] += 1
        view = _requirement_view(requirement, api)
        section["requirements"].append(view)
        if status in ("failed", "error"):
            failures.append(view)
    failures.sort(key=lambda v: not v["deviation"])  # deviations first (issue 12)
    return {
        "index": index,
        "api": api,
        "verdict": report.verdict,
        "tool": report.tool,
        "target": report.target,
        "started_at": report.started_at,
        "duration": _duration(report),
        "aborted": report.aborted,
        "counts": report.counts,
        "total": len(report.requirements),
        "requests": report.requests,
        "phases": report.phases or (),
        "settings": report.settings,
        "notes": report.notes,
        "sections": list(sections.values()),
        "chart": _chart_view(list(sections.values())),
        "failures": failures,
        "deviations": [v for v in failures if v["deviation"]],
        "counted": [v for v in failures if not v["deviation"]],
        "fail_on": report.fail_on or "",
        "incomplete": report.incomplete or "",
        "coverage": _coverage_view(report.coverage),
    }


def _chart_view(sections: list[dict[str, Any]]) -> dict[str, Any]:
    """Geometry of the per-section stacked bar chart (inline SVG), bars scaled to the largest."""
    row_height, bar_height, label_width, bar_width = 22, 14, 300, 380
    largest = max((sum(s["counts"].values()) for s in sections), default=0) or 1
    rows = []
    for i, section in enumerate(sections):
        x = float(label_width)
        segments = []
        for status in ("passed", "failed", "error", "untested"):
            count = section["counts"].get(status, 0)
            if not count:
                continue
            width = bar_width * count / largest
            segments.append(
                {"status": status, "count": count, "x": round(x, 2), "w": round(width, 2)}
            )
            x += width
        label = section["name"]
        rows.append(
            {
                "y": i * row_height,
                "label": label if len(label) <= 44 else label[:43] + "…",
                "title": label,
                "segments": segments,
                "end": round(x + 6, 2),
                "text": " / ".join(
                    str(section["counts"].get(s, 0)) for s in ("passed", "failed", "untested")
                )
                + (
                    f" / {section['counts']['error']} error"
                    if section["counts"].get("error")
                    else ""
                ),
            }
        )
    return {
        "width": label_width + bar_width + 110,
        "height": max(len(sections), 1) * row_height,
        "row_height": row_height,
        "bar_height": bar_height,
        "label_width": label_width,
        "rows": rows,
    }


def _overall_verdict(reports: Sequence[Report]) -> str:
    verdicts = {r.verdict for r in reports}
    for verdict in ("error", "failed", "incomplete"):
        if verdict in verdicts:
            return verdict
    return "passed"


def render_html(reports: Sequence[Report]) -> str:
    """The page for one or more reports (one per API)."""
    if not reports:
        raise ValueError("render_html needs at least one report")
    views = [_report_view(report, i) for i, report in enumerate(reports)]
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            reports=views,
            verdict=_overall_verdict(reports),
            failing_total=sum(len(v["failures"]) for v in views),
            apis=[v["api"] for v in views],
            statuses=STATUSES,
            levels=LEVELS,
            title="dsconform: " + ", ".join(f"{v['api']} {v['verdict']}" for v in views),
        )
    )
