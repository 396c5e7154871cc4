"""What a target controls lands escaped for the format it lands in: summary.md shows it as text
(no raw HTML, no link, no image, code spans that hold their backticks), report.html has no tag
of its making, junit.xml parses."""

from __future__ import annotations

import copy
import html
import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.html_report import render_html
from conformance.reporting.junit_report import render_junit
from conformance.reporting.markdown_report import render_markdown
from conformance.reporting.model import Report
from tests.support.hostile import MARKUP

EXAMPLE = Path(__file__).resolve().parents[1] / "reports" / "examples" / "report.json"
# Backtick runs of one, two and three, and a message that starts and ends with one.
MESSAGE = f"{MARKUP} ```x``` <b>bold</b> & done" + " and more" * 10
EDGY = "`edge` message `"
ABORT = "target unusable: <img src=http://x/abort.png> | [x](javascript:alert(1))\n# heading"
CONTROL = "bell\x07 nul\x00 escape\x1b end"
OUR_LINK = "[report.html](report.html)"


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def hostile_report() -> dict[str, Any]:
    """The shipped example report with target-controlled text in every place a target reaches."""
    report: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    report = copy.deepcopy(report)
    report["aborted"] = ABORT
    report["target"]["base_url"] = "http://127.0.0.1:1/`x`<img src=http://x/u.png>"
    report["target"]["embedded"] = False
    failed = [r for r in report["requirements"] if r["status"] == "failed"]
    failed[0]["findings"][0]["message"] = MESSAGE
    failed[0]["findings"][0]["operation"] = "op<img src=http://x/op.png>|x"
    failed[0]["findings"][0]["kind"] = f"kind {CONTROL}"
    failed[1]["findings"][0]["message"] = EDGY
    failed[2]["findings"][0]["message"] = CONTROL
    failed[2]["findings"][0]["response"]["body"] = f'{{"detail": "{MARKUP}", "c": "{CONTROL}"}}'
    return report


def test_summary_md_holds_no_raw_html_link_or_image(hostile_report: dict[str, Any]) -> None:
    text = render_markdown([Report.from_json(hostile_report)]).replace(OUR_LINK, "")
    outside_code = re.sub(r"(`+) .*? \1|`[^`]*`", "", text)
    assert "<" not in outside_code and ">" not in outside_code
    assert "](" not in outside_code.replace("\\](", "")
    assert "\n# heading" not in text  # a newline in target text starts no block
    assert "\x1b" not in text and "\x00" not in text  # no terminal escape when printed in CI
    assert "bell\ufffd nul\ufffd escape\ufffd end" in text
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.count("|") - line.count("\\|") == 5  # the counts table keeps 4 cells
    # Code spans: a fence longer than any backtick run inside, padded where backticks meet it.
    assert "```` " + _flat(MESSAGE)[:159] in text
    assert "`` `edge` message ` ``" in text


def test_summary_md_renders_target_text_as_text(hostile_report: dict[str, Any]) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    # Raw HTML on, as GitHub and GitLab render comments (they sanitise it; we must not need it).
    rendered = (
        markdown_it.MarkdownIt("commonmark", {"html": True})
        .enable("table")
        .render(render_markdown([Report.from_json(hostile_report)]))
    )
    assert "<img" not in rendered
    # No link of the target's making; ours, relative, to the page beside the summary.
    assert re.findall(r"<a [^>]*>", rendered) == ['<a href="report.html">']
    assert "<b>" not in rendered
    assert "<h1" not in rendered
    assert rendered.count("<table>") == 1
    codes = [html.unescape(c) for c in re.findall(r"<code>(.*?)</code>", rendered, re.S)]
    assert _flat(MESSAGE)[:159] + "…" in codes  # cut at 160 characters, backticks intact
    assert EDGY.strip() in codes
    text = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert _flat(ABORT) in text  # the abort message reads as it was, every character shown


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_report_html_has_no_tag_of_the_targets_making(hostile_report: dict[str, Any]) -> None:
    page = render_html([Report.from_json(hostile_report)])
    parser = _Tags()
    parser.feed(page)
    assert not [t for t, _ in parser.tags if t in ("img", "b", "iframe", "object")]
    hrefs = [a.get("href") or "" for t, a in parser.tags if t == "a"]
    assert all(h.startswith("#") for h in hrefs), hrefs
    assert "&lt;img src=http://x/leak.png&gt;" in page
    assert "&lt;img src=http://x/abort.png&gt;" in page


def test_junit_parses_and_carries_the_text(hostile_report: dict[str, Any]) -> None:
    root = ET.fromstring(render_junit([Report.from_json(hostile_report)]).encode("utf-8"))
    failures = root.findall(".//failure")
    messages = [f.get("message") or "" for f in failures]
    assert any(m.endswith(f" — {_flat(MESSAGE)}") for m in messages)
    assert any("bell\ufffd nul\ufffd escape\ufffd end" in m for m in messages)
    kinds = [f.get("type") or "" for f in failures]
    assert "kind bell\ufffd nul\ufffd escape\ufffd end" in kinds
    aborted = root.find(".//property[@name='aborted']")
    assert aborted is not None and aborted.get("value") == _flat(ABORT)


def _markdown_html(text: str) -> str:
    markdown_it = pytest.importorskip("markdown_it")
    rendered: str = (
        markdown_it.MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    )
    return rendered


def test_a_statement_cut_inside_backticks_keeps_its_code_span(
    hostile_report: dict[str, Any],
) -> None:
    # Cut at 160 characters in the middle of `templates_of_the_account`, in a failing
    # requirement's line and in a deviation's.
    statement = "x " * 70 + "with `id`, and `templates_of_the_account` then `more` and the rest"
    failed = [r for r in hostile_report["requirements"] if r["status"] == "failed"]
    failed[0]["statement"] = statement
    failed[1]["statement"] = statement
    failed[1]["deviation"] = True
    failed[1]["errata"] = ["ERRATUM-<b>1</b>"]
    rendered = _markdown_html(render_markdown([Report.from_json(hostile_report)]))
    items = [i for i in re.findall(r"<li>(.*?)</li>", rendered, re.S) if "x x x" in i]
    assert len(items) == 2
    for item in items:
        statement_part = item.split(" — ")[0]
        assert "<code>id</code>" in statement_part
        assert re.search(r"<code>templ\w*…</code>$", statement_part), statement_part
        assert "`" not in html.unescape(re.sub(r"<code>.*?</code>", "", statement_part))
    assert "<b>" not in rendered and "ERRATUM-&lt;b&gt;1&lt;/b&gt;" in rendered


def test_summary_md_links_the_html_report_relatively() -> None:
    report: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    rendered = _markdown_html(render_markdown([Report.from_json(report)]))
    assert '<a href="report.html">report.html</a>' in rendered
    odd = _markdown_html(
        render_markdown([Report.from_json(report)], report_html="run (1)/report.html")
    )
    assert '<a href="run%20%281%29/report.html">run (1)/report.html</a>' in odd
    unlinked = render_markdown([Report.from_json(report)], report_html=None)
    assert "](" not in unlinked and "`report.html`" in unlinked
