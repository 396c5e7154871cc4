"""`summary.md`: verdict, counts and failing requirements, short enough for a PR comment."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from conformance.reporting.model import Report

STATUSES = ("passed", "failed", "untested", "error")
REPORT_HTML = "report.html"  # writers.REPORT_HTML; writers imports this module, not the reverse
# A pull-request comment stays readable: list this many failing requirements, then a count.
MAX_LISTED = 20
MAX_MESSAGE = 160
_ICON = {"passed": "✅", "failed": "❌", "incomplete": "⏸️", "error": "⚠️"}


# Markdown that a target (or an edited report.json) controls must stay text: `&`, `<` and `>`
# become entities (no raw HTML, so no remote `<img>`), and every character with a Markdown
# meaning inline is backslash-escaped (links and images `[..](..)`/`![..](..)`, emphasis, code,
# table cells `|`). Newlines are folded, so nothing can start a block of its own (which is why
# `#`, `+` or `1.` need no escape); `(` and `{` mean nothing without the `[` before them.
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]!|~])")
_TICKED = re.compile(r"(`[^`]+`)")


# Control characters (a terminal escape when the summary is printed in a CI log) and bidi
# overrides (text that reads differently than it is) become U+FFFD.
_INVISIBLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _flat(text: Any, limit: int) -> str:
    """One line, cut at `limit` characters (before any escaping, so no escape is cut)."""
    flat = " ".join(_INVISIBLE.sub("\ufffd", str(text)).split())
    if len(flat) > limit:
        flat = flat[: limit - 1] + "…"
    return flat


def _escape(text: str) -> str:
    """`text` as Markdown that renders exactly as `text` (no HTML, no link, no formatting)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", text)


def _inline(text: Any, limit: int = MAX_MESSAGE) -> str:
    """One line of Markdown-safe text, cut at `limit` characters."""
    return _escape(_flat(text, limit))


def _code(text: Any, limit: int = MAX_MESSAGE) -> str:
    """A code span holding `text` verbatim (one line, cut at `limit`): its fence is one
    backtick longer than the longest backtick run inside, padded so edge backticks stay text."""
    flat = _flat(text, limit)
    if not flat:
        return "` `"
    longest = max((len(run) for run in re.findall("`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if longest or flat[:1] == " " or flat[-1:] == " " else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def _prose(text: Any, limit: int = MAX_MESSAGE) -> str:
    """Like `_inline`, but a `backticked` part (as the catalogue writes code) stays code; a cut
    inside a code part ends that code span (`templat…`), so no backtick is left unpaired."""
    flat = _flat(text, len(str(text)) + 1)
    out: list[str] = []
    room = limit
    for part in _TICKED.split(flat):
        code = _TICKED.fullmatch(part) is not None
        inner = part[1:-1] if code else part
        if len(inner) >= room:
            inner = inner[: max(room - 1, 0)] + "…"
            out.append(_code(inner, limit) if code else _escape(inner))
            break
        room -= len(inner)
        out.append(_code(inner, limit) if code else _escape(inner))
    return "".join(out)


def _one(report: Report, heading: str) -> list[str]:
    verdict = report.verdict
    target = report.target
    where = _code(target.base_url)
    if target.embedded:
        where += " (embedded reference server"
        faults = target.faults or ()
        where += f", faults: {', '.join(_code(f) for f in faults)})" if faults else ")"
    counts = report.counts
    profile = report.settings.get("profile") or "default"  # settings are free-form
    lines = [
        f"{heading} {_ICON.get(verdict, '')} {_inline(report.api)}: "
        f"{_inline(verdict.upper())}".replace("  ", " "),
        "",
        f"Target {where}, {_inline(report.requests.total)} requests "
        f"(profile {_inline(profile)}), {_inline(report.tool)}.",
        "",
        "| " + " | ".join(STATUSES) + " |",
        "|" + "---:|" * len(STATUSES),
        "| " + " | ".join(_inline(getattr(counts, s)) for s in STATUSES) + " |",
        "",
    ]
    if report.aborted:
        lines += [f"**Run aborted:** {_inline(report.aborted)}", ""]
    if report.incomplete:
        lines += [f"**Incomplete:** {_inline(report.incomplete)}", ""]
    lines += _deviation_lines(report)
    bad = [r for r in report.requirements if r.status in ("failed", "error") and not r.deviation]
    if bad:
        lines.append(f"Failing requirements ({len(bad)}):")
        lines.append("")
        for requirement in bad[:MAX_LISTED]:
            detail = ""
            if requirement.findings:
                first = requirement.findings[0]
                detail = f" — {_code(first.message)}"
                if first.operation:
                    detail += f" ({_inline(first.operation)})"
            marker = "" if requirement.status == "failed" else " (suite error)"
            lines.append(
                f"- **{_inline(requirement.id)}** {_inline(requirement.level)}"
                f"{marker}: {_prose(requirement.statement)}{detail}"
            )
        if len(bad) > MAX_LISTED:
            lines.append(f"- … and {len(bad) - MAX_LISTED} more (see `report.html`)")
        lines.append("")
    return lines


def _deviation_lines(report: Report) -> list[str]:
    """Deviations (failures the failure policy does not count), listed before the failures,
    then the blocked requirements grouped by reason."""
    requirements = report.requirements
    deviations = [r for r in requirements if r.deviation]
    lines: list[str] = []
    if deviations:
        policy = report.fail_on or "explicit"
        lines += [
            f"Deviations ({len(deviations)}; they do not fail the run under `--fail-on {policy}`):",
            "",
        ]
        for requirement in deviations[:MAX_LISTED]:
            findings = requirement.findings
            detail = f" — {_code(findings[0].message)}" if findings else ""
            errata = ", ".join(requirement.errata or ())
            lines.append(
                f"- **{_inline(requirement.id)}** {_inline(requirement.level)} "
                f"{_inline(requirement.basis or '')}"
                f"{f' ({_inline(errata)})' if errata else ''}: "
                f"{_prose(requirement.statement)}{detail}"
            )
        if len(deviations) > MAX_LISTED:
            lines.append(f"- … and {len(deviations) - MAX_LISTED} more (see `report.html`)")
        lines.append("")
    blocked: dict[str, int] = {}
    for requirement in requirements:
        if requirement.untested == "blocked":
            reason = requirement.reason or ""
            blocked[reason] = blocked.get(reason, 0) + 1
    if blocked:
        lines += [f"Blocked ({sum(blocked.values())}; the target did not let the run judge):", ""]
        for reason, count in sorted(blocked.items(), key=lambda item: -item[1])[:MAX_LISTED]:
            lines.append(f"- {_inline(reason)} ({count})")
        lines.append("")
    return lines


def render_markdown(reports: Sequence[Report], *, report_html: str | None = REPORT_HTML) -> str:
    """The summary of one report, or of several (one section per API).

    `report_html` is the page's address relative to where the summary is read (a link), or
    None where no relative link can work (a CI job summary): then the page is only named."""
    if not reports:
        raise ValueError("render_markdown needs at least one report")
    if len(reports) == 1:
        lines = _one(reports[0], "## dsconform")
    else:
        verdicts = {r.verdict for r in reports}
        overall = next((v for v in ("error", "failed", "incomplete") if v in verdicts), "passed")
        lines = [f"## dsconform: {overall.upper()}", ""]
        for report in reports:
            lines += _one(report, "###")
    where = (
        f"[{_escape(report_html)}]({_link_target(report_html)})"
        if report_html
        else "`report.html` in the run's report directory"
    )
    lines.append(f"Full report: {where} (requirement matrix, coverage, each failure's request).")
    return "\n".join(lines) + "\n"


def _link_target(path: str) -> str:
    """`path` as a Markdown link destination: percent-encoded, so spaces and parentheses in a
    directory name neither end the link nor start markup."""
    return quote(path, safe="/#-_.~")
