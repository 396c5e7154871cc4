"""Safe on real endpoints: read-only runs, the write guard, request budgets, deadlines, cleanup
after an interrupted run, and the plan."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN
from conformance.cli import main
from conformance.core.exchange import Exchange
from conformance.core.results import ResultsCollector
from conformance.core.stopping import CLEANUP_GRACE, INFLIGHT_GRACE
from conformance.engine.target import Target
from conformance.exit_codes import ExitCode
from conformance.reference import build_app
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server, serve_in_thread
from conformance.runner.run import RunOutcome, is_loopback, run_conformance, safety_rules
from conformance.settings import RunSettings

AZION_HEADERS = {
    "Authorization": "Token dsconform-edit-token",
    "Accept": "application/json; version=3",
}
CREDS = EdgeGridCredentials("akab-client-token", "secret-of-the-test", "akab-access-token")


def _edgerc(tmp_path: Path, host: str) -> Path:
    path = tmp_path / ".edgerc"
    path.write_text(
        f"[default]\nclient_token = {CREDS.client_token}\nclient_secret = "
        f"{CREDS.client_secret}\naccess_token = {CREDS.access_token}\nhost = {host}\n",
        encoding="utf-8",
    )
    return path


def test_loopback_detection() -> None:
    assert is_loopback("http://127.0.0.1:8080")
    assert is_loopback("http://127.3.4.5")
    assert is_loopback("http://localhost:1")
    assert is_loopback("http://[::1]:80")
    assert not is_loopback("https://api.azionapi.net")
    assert not is_loopback("http://10.0.0.1")
    # Judged by the parser that also builds the client's URL: what it refuses is never loopback
    # (urllib3 would connect to 127.0.0.2 below, or to the host after the user info).
    assert not is_loopback("http://10.0.0.1:80\\@127.0.0.1:9")
    assert not is_loopback("http://10.0.0.1@127.0.0.1")
    assert not is_loopback("127.0.0.1:8080")
    assert not is_loopback("http://localhost.example.com")
    assert not is_loopback("http://127.0.0.1.example.com")


def test_writes_are_off_for_a_remote_target_unless_allowed() -> None:
    remote = Target("https://api.azionapi.net", embedded=False, auth=None)
    for allow, expected in ((False, True), (True, False)):
        notes: list[str] = []
        rules = safety_rules(
            RunSettings(api="azion", base_url=remote.base_url, allow_writes=allow), remote, notes
        )
        client = remote.client(1.0, rules)
        assert client.read_only is expected
        assert bool(notes) is expected


def test_read_only_run_sends_only_gets_and_skips_the_rest(tmp_path: Path) -> None:
    methods: set[str] = set()

    def record(exchange: Exchange, collector: ResultsCollector) -> None:
        methods.add(exchange.request.method)

    outcome = run_conformance(
        RunSettings(api="azion", read_only=True, report_dir=tmp_path, max_examples=2),
        on_exchange=record,
    )
    assert methods == {"GET"}
    assert outcome.exit_code == ExitCode.OK
    entries = {r.id: r for r in outcome.report.requirements}
    assert entries["AZION-CREATE-001"].status == "untested"
    assert "read-only" in entries["AZION-DELETE-002"].reason
    assert entries["AZION-TEMPLATE-005"].status == "passed"


def test_client_never_exceeds_the_advertised_budget(tmp_path: Path) -> None:
    # A refill slower than a loaded machine can send (about 7 tokens a second), so the budget
    # must run dry and the client must wait, however busy the machine is.
    config = ReferenceConfig(rate_limit=20, rate_window=3.0, credentials=CREDS)
    with reference_server("akamai", config) as base_url:
        outcome = run_conformance(
            RunSettings(
                api="akamai",
                base_url=base_url,
                edgerc=_edgerc(tmp_path, base_url),
                report_dir=tmp_path / "report",
                phases=("property",),
                max_examples=3,
            )
        )
    seen = [code for op in outcome.report.coverage.values() for code in op.seen]
    assert outcome.report.requests.total > 40  # more than two full budgets
    assert "429" not in seen
    assert outcome.report.requests.waited_seconds > 0


def test_own_rate_cap_spaces_requests(tmp_path: Path) -> None:
    """`--rate-limit 10/1s`: no 11 requests start within one second. (It asserted the time
    waited, which a loaded machine's slow answers make smaller: they space the requests too.)"""
    started: list[float] = []

    def record(exchange: Exchange, collector: ResultsCollector) -> None:
        started.append(time.monotonic() - exchange.elapsed)

    outcome = run_conformance(
        RunSettings(
            api="azion",
            phases=("property",),
            max_examples=1,
            rate_limit=(10, 1.0),
            report_dir=tmp_path,
        ),
        on_exchange=record,
    )
    assert outcome.report.requests.total > 10
    started.sort()
    # A start is measured from the answer's side (after the checks heard it): 10% of slack.
    tightest = min(later - first for first, later in zip(started, started[10:], strict=False))
    assert tightest >= 0.9, f"11 requests started within {tightest:.3f} s"


def test_deadline_stops_the_run_with_a_partial_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["run", "--api", "azion", "--deadline", "0.3", "--report-dir", str(tmp_path), "--quiet"]
    )
    assert code == ExitCode.USAGE
    assert "deadline" in capsys.readouterr().err
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert "deadline" in report["aborted"]


class _InterruptAfter:
    """A listener that presses Ctrl-C once, after `count` scenario exchanges that wrote."""

    def __init__(self, count: int) -> None:
        self.remaining = count

    def __call__(self, exchange: Exchange, collector: ResultsCollector) -> None:
        if exchange.phase == "scenarios" and exchange.request.method in ("POST", "PUT"):
            self.remaining -= 1
            if self.remaining == 0:
                raise KeyboardInterrupt


@pytest.mark.parametrize("writes_before_interrupt", [1, 4])
def test_interrupted_azion_run_leaves_nothing_behind(
    writes_before_interrupt: int, tmp_path: Path
) -> None:
    with reference_server("azion", ReferenceConfig()) as base_url:
        outcome = run_conformance(
            RunSettings(
                api="azion",
                base_url=base_url,
                token="dsconform-edit-token",
                phases=("scenarios",),
                report_dir=tmp_path,
            ),
            on_exchange=_InterruptAfter(writes_before_interrupt),
        )
        left = requests.get(
            f"{base_url}/data_streaming/streamings", headers=AZION_HEADERS, timeout=5
        ).json()["results"]
    assert outcome.report.aborted == "interrupted"
    assert outcome.exit_code == ExitCode.INTERRUPTED
    assert (tmp_path / "report.json").is_file()
    assert left == []


def test_interrupted_akamai_run_leaves_nothing_behind(tmp_path: Path) -> None:
    config = ReferenceConfig(
        credentials=CREDS, rate_limit=20, rate_window=0.25, activation_delay=0.05
    )
    with reference_server("akamai", config) as base_url:
        outcome = run_conformance(
            RunSettings(
                api="akamai",
                base_url=base_url,
                edgerc=_edgerc(tmp_path, base_url),
                phases=("scenarios",),
                report_dir=tmp_path / "report",
            ),
            on_exchange=_InterruptAfter(3),
        )
        from akamai.edgegrid import EdgeGridAuth

        session = requests.Session()
        session.auth = EdgeGridAuth(CREDS.client_token, CREDS.client_secret, CREDS.access_token)
        left: list[Any] = session.get(
            f"{base_url}/datastream-config-api/v1/log/streams", timeout=5
        ).json()
    assert outcome.report.aborted == "interrupted"
    assert left == []


def test_plan_counts_requests_without_a_target(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "--api", "azion", "--max-examples", "3"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "property   listStreamings" in out
    assert "<=     6" in out  # 2 modes x 3 examples
    assert "scenarios  auth-and-accept" in out
    assert "all        total" in out


def test_workers_give_the_same_verdict_within_the_budget(tmp_path: Path) -> None:
    statuses = []
    for workers in (1, 2):
        outcome = run_conformance(
            RunSettings(
                api="akamai",
                phases=("property",),
                max_examples=4,
                workers=workers,
                report_dir=tmp_path / str(workers),
            )
        )
        seen = [code for op in outcome.report.coverage.values() for code in op.seen]
        assert "429" not in seen, f"{workers} worker(s) overspent the advertised budget"
        statuses.append({r.id: r.status for r in outcome.report.requirements})
        requests_total = outcome.report.requests.total
    # Timing decides whether a budget runs dry (and so whether X-RateLimit-Next is seen at all);
    # everything else is the same, and nothing fails either way.
    one, two = statuses
    assert "failed" not in one.values() and "failed" not in two.values()
    assert {k for k, v in one.items() if v == "passed"} <= {
        k for k, v in two.items() if v == "passed"
    }
    assert requests_total > 60


def test_azion_streamings_name_the_domains_given(tmp_path: Path) -> None:
    bodies: list[str] = []

    def record(exchange: Exchange, collector: ResultsCollector) -> None:
        if exchange.request.method == "POST" and exchange.response.status == 201:
            bodies.append(exchange.request.body)

    code = run_conformance(
        RunSettings(
            api="azion",
            phases=("scenarios",),
            scenarios=("streaming-lifecycle",),
            domain_ids=(4242, 77),
            report_dir=tmp_path,
        ),
        on_exchange=record,
    ).exit_code
    assert code == ExitCode.OK
    assert bodies
    assert all(json.loads(body)["domain_ids"] == [4242, 77] for body in bodies)


def test_workers_stop_at_the_deadline_and_clean_up(tmp_path: Path) -> None:
    """`--deadline` binds the worker processes too: they once ran every case to its end (a
    3 s deadline, 7.6 s and exit 0 with `--workers 2`); what they created is still deleted."""
    # The embedded server's budget (50 a second): the run alone takes about 7 s.
    with reference_server("azion", ReferenceConfig(rate_limit=50, rate_window=1.0)) as base_url:
        began = time.monotonic()
        outcome = _property_run(base_url, tmp_path, max_examples=30, workers=2, deadline=2.0)
        took = time.monotonic() - began
        left = _run_streamings(base_url)
    assert "deadline" in (outcome.report.aborted or "")
    assert took < 2.0 + CLEANUP_GRACE + 10  # worker start-up on a loaded machine
    assert left == []


def _property_run(base_url: str, tmp_path: Path, **chosen: Any) -> RunOutcome:
    """An Azion run of the property phase alone against `base_url`, with `chosen` settings."""
    return run_conformance(
        RunSettings(
            api="azion",
            base_url=base_url,
            token=DEFAULT_TOKEN,
            phases=("property",),
            report_dir=tmp_path,
            **chosen,
        )
    )


def _run_streamings(base_url: str) -> list[str]:
    """The names of the `dsconform-` streamings the server holds."""
    listed = requests.get(f"{base_url}/data_streaming/streamings", headers=AZION_HEADERS)
    return [s["name"] for s in listed.json()["results"] if s["name"].startswith("dsconform-")]


class _SlowCreates:
    """ASGI wrapper: the app handles a POST at once, and the answer of a create that made a
    stream (201) is held back `delay` seconds (or until `released`): it is in flight when the
    run's deadline passes."""

    def __init__(self, app: Any, delay: float) -> None:
        self.app, self.delay = app, delay
        self.released = threading.Event()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return

        async def held_back(message: Any) -> None:
            if message["type"] == "http.response.start" and message["status"] == 201:
                ends = time.monotonic() + self.delay
                while time.monotonic() < ends and not self.released.is_set():
                    await asyncio.sleep(0.05)
            await send(message)

        await self.app(scope, receive, held_back)


LOST = "create(s) got no complete answer"


@pytest.mark.parametrize(
    ("delay", "workers", "deadline", "timeout"),
    [
        pytest.param(INFLIGHT_GRACE / 4, 1, 5.0, 30.0, id="answered-within-the-in-flight-grace"),
        # A deadline the first accepted create comes well before, on a loaded machine too.
        pytest.param(60.0, 1, 12.0, 30.0, id="answer-never-seen"),
        pytest.param(60.0, 1, None, 1.0, id="create-timed-out"),
        # Past its --timeout rather than at a deadline: a worker's start-up takes what it takes.
        pytest.param(60.0, 2, None, 1.0, id="create-timed-out-in-a-worker"),
    ],
)
def test_a_create_without_an_answer_is_cleaned_up(
    tmp_path: Path, delay: float, workers: int, deadline: float | None, timeout: float
) -> None:
    """A create still unanswered when `--deadline` passes made a stream all the same (the CI
    failure of `test_workers_stop_at_the_deadline_and_clean_up`: 'dsconform-da2d4d-prop' was
    left). Its answer gets the in-flight grace a signal gives; one that never comes (or comes
    after `--timeout`) is found by the run's unique name prefix and deleted at the run's end,
    in the parent for a worker's create too."""
    app = _SlowCreates(build_app("azion"), delay)
    with serve_in_thread(app) as base_url:
        outcome = _property_run(
            base_url,
            tmp_path,
            include=("createStreaming",),
            # Under a deadline, more cases than it lets through: a create is in flight there.
            max_examples=50 if deadline else 5,
            workers=workers,
            deadline=deadline,
            timeout=timeout,
        )
        left = _run_streamings(base_url)
        app.released.set()
    if deadline is not None:
        assert "deadline" in (outcome.report.aborted or "")
    assert left == []
    # Which way it was cleaned up: the answer seen, or the search by name.
    lost = [note for note in outcome.report.notes if LOST in note]
    if delay < INFLIGHT_GRACE:
        assert lost == []
    else:
        assert lost and all("deleted streaming" in note for note in lost), lost
