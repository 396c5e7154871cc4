"""report.html in a real browser: headless Chromium renders the matrix and a failure's details,
a status filter hides the passed rows, the page fetches nothing, and a screenshot is kept.

Chromium is driven over its DevTools protocol on a pipe (`--remote-debugging-pipe`: commands on
fd 3, answers on fd 4, NUL-separated JSON), so no driver or extra package is needed. Install the
browser with `dev/install-browser.sh` (Debian's `chromium`); without it the test skips.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.reporting.writers import REPORT_HTML
from tests.test_reports import FAULT, run_with_coverage

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_browser() -> str | None:
    explicit = os.environ.get("DSCONFORM_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


class Chromium:
    """A headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_chrome_read, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_write = os.pipe()
        # A tiny Python trampoline puts the pipe ends on fds 3 and 4, then becomes chromium.
        trampoline = (
            "import os, sys; os.dup2(int(sys.argv[1]), 3); os.dup2(int(sys.argv[2]), 4); "
            "os.execv(sys.argv[3], sys.argv[3:])"
        )
        args = [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            f"--user-data-dir={profile}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            [sys.executable, "-c", trampoline, str(to_chrome_read), str(from_chrome_write), *args],
            pass_fds=(to_chrome_read, from_chrome_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._buffer = b""
        self._last_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("chromium did not answer in time")
            ready, _, _ = select.select([self._from_chrome], [], [], left)
            if ready:
                chunk = os.read(self._from_chrome, 1 << 16)
                if not chunk:
                    raise RuntimeError(f"chromium went away (exit {self.process.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        browser: bool = False,
        timeout: float = 30.0,
    ) -> dict[str, Any]:
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if self.session and not browser:
            message["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._receive(deadline)
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.append(self._receive(deadline))

    def open(self, url: str, width: int = 1280, height: int = 900) -> None:
        targets = self.send("Target.getTargets", browser=True)["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        attached = self.send(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}, browser=True
        )
        self.session = attached["sessionId"]
        self.send("Page.enable")
        self.send("Network.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )
        self.send("Page.navigate", {"url": url})
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression!r} threw: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        """The whole page, not only the viewport."""
        size = self.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        data = self.send(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {
                    "x": 0,
                    "y": 0,
                    "width": size[0],
                    "height": min(size[1], 16000),
                    "scale": 1,
                },
            },
        )["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def requested_urls(self) -> list[str]:
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            self.send("Browser.close", browser=True, timeout=5)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_chrome)
        os.close(self._from_chrome)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Chromium]:
    binary = find_browser()
    if binary is None:
        pytest.skip(
            "no chromium binary (install it with dev/install-browser.sh, or point "
            "DSCONFORM_CHROMIUM at one)"
        )
    chromium = Chromium(binary, tmp_path / "profile")
    try:
        yield chromium
    finally:
        chromium.close()


VISIBLE = "(el) => !!el && el.offsetParent !== null && el.getBoundingClientRect().height > 0"


def test_report_renders_and_filters_in_chromium(browser: Chromium, tmp_path: Path) -> None:
    report = run_with_coverage("azion", tmp_path / "run", (FAULT,))
    page = tmp_path / "run" / REPORT_HTML
    started = time.monotonic()
    browser.open(page.as_uri())
    load_seconds = time.monotonic() - started
    visible = f"({VISIBLE})"

    # A failed run opens on its failures; "show all" brings back the whole matrix.
    assert browser.evaluate(f"{visible}(document.getElementById('view-note'))")
    browser.evaluate("document.getElementById('show-all').click()")
    assert not browser.evaluate(f"{visible}(document.getElementById('view-note'))")

    # The matrix: one visible row per requirement, grouped in one body per seed section.
    rows = browser.evaluate(f"[...document.querySelectorAll('tr.req')].filter({visible}).length")
    assert rows == len(report["requirements"])
    sections = browser.evaluate("document.querySelectorAll('tbody.section').length")
    assert sections == len({r["source"]["section"] for r in report["requirements"]})
    assert browser.evaluate(f"{visible}(document.querySelector('svg.chart rect'))")
    assert browser.evaluate(f"{visible}(document.getElementById('coverage-azion'))")

    # A failure's details: message, seed sentence, curl and response.
    failed = next(r for r in report["requirements"] if r["status"] == "failed")
    card = f"document.getElementById('fail-{failed['id']}')"
    assert browser.evaluate(f"{visible}({card})")
    text = browser.evaluate(f"{card}.innerText")
    assert failed["findings"][0]["message"].splitlines()[0] in text
    assert failed["source"]["quote"] in text
    assert browser.evaluate(f"{visible}({card}.querySelector('pre.curl'))")
    assert "curl -sS -i -g -X" in browser.evaluate(f"{card}.querySelector('pre.curl').innerText")
    assert browser.evaluate(f"{visible}({card}.querySelector('pre.response-body'))")

    # Untick "passed": passed rows disappear, failed ones stay, the count follows.
    passed = sum(1 for r in report["requirements"] if r["status"] == "passed")
    assert passed > 0
    browser.evaluate("document.querySelector('input[data-filter=status][value=passed]').click()")
    assert (
        browser.evaluate(
            f"[...document.querySelectorAll('tr.req[data-status=passed]')].filter({visible}).length"
        )
        == 0
    )
    failed_rows = sum(1 for r in report["requirements"] if r["status"] == "failed")
    assert (
        browser.evaluate(
            f"[...document.querySelectorAll('tr.req[data-status=failed]')].filter({visible}).length"
        )
        == failed_rows
    )
    shown = browser.evaluate("document.getElementById('shown-count').textContent")
    total = len(report["requirements"])
    assert shown == f"{total - passed} of {total} requirements shown"

    # "failures only", then MUST unticked: every failing requirement here is a MUST.
    browser.evaluate("document.getElementById('only-failures').click()")
    browser.evaluate("document.querySelector('input[data-filter=level][value=MUST]').click()")
    assert browser.evaluate(
        f"[...document.querySelectorAll('tr.req')].filter({visible}).length"
    ) == sum(
        1
        for r in report["requirements"]
        if r["status"] in ("failed", "error") and r["level"] != "MUST"
    )
    assert not browser.evaluate(f"{visible}({card})")
    browser.evaluate("document.getElementById('show-all').click()")
    assert browser.evaluate(f"{visible}({card})")

    # Self-contained: nothing but the file itself was requested.
    assert [u for u in browser.requested_urls() if not u.startswith(("file:", "data:"))] == []

    shot = browser.screenshot(tmp_path / "report.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 20_000
    assert load_seconds < 20


def _top(browser: Chromium, selector: str) -> float:
    top: float = browser.evaluate(
        f"document.querySelector({json.dumps(selector)}).getBoundingClientRect().top"
    )
    return top


def test_a_failed_run_opens_on_its_failures(browser: Chromium, tmp_path: Path) -> None:
    report = run_with_coverage("azion", tmp_path / "run", (FAULT,), phases=("property",))
    failing = [r["id"] for r in report["requirements"] if r["status"] in ("failed", "error")]
    assert failing
    browser.open((tmp_path / "run" / REPORT_HTML).as_uri(), width=1400, height=1000)
    visible = f"({VISIBLE})"

    # The list of failures comes first: inside the first screen, above every API section,
    # one link per failing requirement, each to its card.
    assert 0 < _top(browser, "#failure-list") < 200
    assert _top(browser, "#failure-list") < _top(browser, "section.api")
    links = browser.evaluate(
        "[...document.querySelectorAll('#failure-list a')].map(a => a.getAttribute('href'))"
    )
    assert sorted(links) == sorted(f"#fail-{i}" for i in failing)

    # Failures only: every failure card visible, no passed or untested row or card.
    cards = browser.evaluate(
        f"[...document.querySelectorAll('article.failure')].filter({visible}).map(a => a.id)"
    )
    assert sorted(cards) == sorted(f"fail-{i}" for i in failing)
    shown_rows = browser.evaluate(
        f"[...document.querySelectorAll('tr.req')].filter({visible}).map(r => r.dataset.status)"
    )
    assert sorted(set(shown_rows)) == sorted({"failed", "error"} & set(shown_rows))
    assert len(shown_rows) == len(failing)
    assert browser.evaluate(f"{visible}(document.getElementById('view-note'))")

    # A link jumps to its card: after the click the card's top sits just below the filter bar.
    last = failing[-1]
    browser.evaluate(f"document.querySelector('#failure-list a[href=\"#fail-{last}\"]').click()")
    time.sleep(0.2)
    assert browser.evaluate("location.hash") == f"#fail-{last}"
    card_top = _top(browser, f"#fail-{last}")
    bar = browser.evaluate("document.getElementById('filters').offsetHeight")
    assert 0 <= card_top <= bar + 40, (card_top, bar)

    # The toggle shows everything again.
    browser.evaluate("document.getElementById('show-all').click()")
    rows = browser.evaluate(f"[...document.querySelectorAll('tr.req')].filter({visible}).length")
    assert rows == len(report["requirements"])


def test_a_passed_run_shows_everything(browser: Chromium, tmp_path: Path) -> None:
    report = run_with_coverage("azion", tmp_path / "run", phases=("property",), max_examples=1)
    assert not [r for r in report["requirements"] if r["status"] in ("failed", "error")]
    browser.open((tmp_path / "run" / REPORT_HTML).as_uri(), width=1400, height=1000)
    visible = f"({VISIBLE})"
    rows = browser.evaluate(f"[...document.querySelectorAll('tr.req')].filter({visible}).length")
    assert rows == len(report["requirements"])
    assert browser.evaluate(f"{visible}(document.getElementById('no-failures'))")
    assert not browser.evaluate(f"{visible}(document.getElementById('view-note'))")
    assert browser.evaluate("document.querySelectorAll('#failure-list a').length") == 0
