"""SIGTERM, SIGHUP and SIGINT at several moments of a real `dsconform run` subprocess: the exit
code of the signal, a report marked interrupted, and nothing the run created left behind.

The target is a `dsconform serve` subprocess behind a loopback proxy; the proxy holds the
request of the chosen moment for a little while and tells the test, which then signals the
run, so the signal lands while that request is in flight.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from conformance.core.stopping import CLEANUP_GRACE, INFLIGHT_GRACE
from conformance.exit_codes import ExitCode
from tests.support.cli_process import DSCONFORM, Running, clean_environment
from tests.support.misbehaving import forwarding_proxy

AZION_HEADERS = {
    "Authorization": "Token dsconform-edit-token",
    "Accept": "application/json; version=3",
}
AKAMAI_STREAMS = "/datastream-config-api/v1/log/streams"
EDGEGRID = ("akab-client-token", "secret-of-the-test", "akab-access-token")
# From the signal to the end: the in-flight grace, the cleanup grace, and a loaded machine.
END_BOUND = INFLIGHT_GRACE + CLEANUP_GRACE + 10


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, str]]:
    """One `dsconform serve` per API (no rate limit to speak of), for the whole module."""
    processes: list[subprocess.Popen[str]] = []
    urls: dict[str, str] = {}
    try:
        for api in ("azion", "akamai"):
            signed = ["--edgegrid", *EDGEGRID] if api == "akamai" else []
            command = [DSCONFORM, "serve", "--api", api, "--port", "0", "--rate-limit", "100000"]
            process = subprocess.Popen(
                [*command, *signed],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                env=clean_environment(),
            )
            processes.append(process)
            assert process.stdout is not None
            line = process.stdout.readline()  # blocks until the server listens (or dies)
            assert line.startswith("LISTENING "), line
            urls[api] = line.split()[1]
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=20)


def run_resources(api: str, base_url: str) -> list[str]:
    """The names of the `dsconform-` resources the server holds."""
    if api == "azion":
        answer = requests.get(
            f"{base_url}/data_streaming/streamings", headers=AZION_HEADERS, timeout=10
        )
        names = [item["name"] for item in answer.json()["results"]]
    else:
        answer = _akamai_session().get(f"{base_url}{AKAMAI_STREAMS}", timeout=10)
        names = [item["streamName"] for item in answer.json()]
    return [name for name in names if str(name).startswith("dsconform-")]


def remove_resources(api: str, base_url: str) -> None:
    """Delete what a deliberately cut cleanup left (so later cases start clean)."""
    if api == "azion":
        path = f"{base_url}/data_streaming/streamings"
        for item in requests.get(path, headers=AZION_HEADERS, timeout=10).json()["results"]:
            if str(item["name"]).startswith("dsconform-"):
                requests.delete(f"{path}/{item['id']}", headers=AZION_HEADERS, timeout=10)
        return
    session = _akamai_session()
    for item in session.get(f"{base_url}{AKAMAI_STREAMS}", timeout=10).json():
        if str(item["streamName"]).startswith("dsconform-"):
            stream = f"{base_url}{AKAMAI_STREAMS}/{item['streamId']}"
            session.put(f"{stream}/deactivate", timeout=10)
            deadline = time.monotonic() + 20
            while session.delete(stream, timeout=10).status_code >= 300:
                assert time.monotonic() < deadline, f"cannot delete {stream}"
                time.sleep(0.5)


def _akamai_session() -> requests.Session:
    from akamai.edgegrid import EdgeGridAuth

    session = requests.Session()
    session.auth = EdgeGridAuth(*EDGEGRID)
    return session


def _edgerc(tmp_path: Path, base_url: str) -> Path:
    path = tmp_path / ".edgerc"
    client_token, client_secret, access_token = EDGEGRID
    path.write_text(
        f"[default]\nclient_token = {client_token}\nclient_secret = {client_secret}\n"
        f"access_token = {access_token}\nhost = {base_url}\n",
        encoding="utf-8",
    )
    return path


@dataclass
class Moment:
    """When the proxy sees the chosen request: tell the test, then hold it `hold` seconds."""

    before: Callable[[str, str], bool] = lambda method, path: False
    after: Callable[[str, str, int], bool] = lambda method, path, status: False
    hold: float = 0.5
    reached: threading.Event = field(default_factory=threading.Event)
    created: set[str] = field(default_factory=set)  # ids of the run's creates, as path ends

    def _fire(self) -> None:
        if not self.reached.is_set():
            self.reached.set()
            time.sleep(self.hold)

    def on_request(self, method: str, path: str, body: bytes) -> None:
        if not self.reached.is_set() and self.before(method, path):
            self._fire()

    def on_answer(self, method: str, path: str, status: int, payload: bytes) -> None:
        if method == "POST" and status in (201, 202):
            self.created.add(_created_id(payload))
        if not self.reached.is_set() and self.after(method, path, status):
            self._fire()


def _created_id(payload: bytes) -> str:
    try:
        body = json.loads(payload)
    except ValueError:
        return ""
    if isinstance(body.get("results"), dict):
        return str(body["results"].get("id"))
    return str((body.get("streamVersionKey") or {}).get("streamId"))


def _run_and_signal(
    api: str,
    base_url: str,
    args: list[str],
    moment: Moment,
    tmp_path: Path,
    signals: tuple[int, ...],
) -> tuple[int, float, dict[str, object], str]:
    """Run through a proxy, send `signals` (0.5 s apart) when the moment comes; returns the
    exit code, seconds from the first signal to the end, the report and stderr."""
    with forwarding_proxy(base_url, moment.on_request, moment.on_answer) as url:
        auth = ["--token", "dsconform-edit-token"]
        if api == "akamai":
            auth = ["--edgerc", str(_edgerc(tmp_path, url))]
        running = Running(["--api", api, "--base-url", url, *auth, *args], tmp_path)
        if not moment.reached.wait(timeout=150):
            running.signal(signal.SIGKILL)
            running.finish(limit=300)
            pytest.fail("the run never reached the chosen moment")
        signalled = time.monotonic()
        for number, signum in enumerate(signals):
            if number:
                time.sleep(0.5)
            running.signal(signum)
        finished = running.finish(limit=300)
    assert "Traceback" not in finished.stderr, finished.stderr
    return finished.code, finished.ended - signalled, finished.report, finished.stderr


def _sigterm_azion(
    servers: dict[str, str], args: list[str], moment: Moment, tmp_path: Path
) -> dict[str, object]:
    """An Azion run sent SIGTERM at `moment`: exit 143 in time, its report says so."""
    code, seconds, report, stderr = _run_and_signal(
        "azion", servers["azion"], args, moment, tmp_path, (signal.SIGTERM,)
    )
    assert code == ExitCode.SIGTERM, stderr
    assert report["aborted"] == "interrupted by SIGTERM"
    assert seconds < END_BOUND
    return report


@pytest.mark.parametrize("phase", ["property", "stateful"])
def test_sigterm_while_a_create_is_in_flight_cleans_up_what_it_made(
    phase: str, servers: dict[str, str], tmp_path: Path
) -> None:
    """The signal lands while a create's answer is on its way: the answer is still read, and
    the streaming it reports is deleted before the run ends."""
    moment = Moment(after=lambda method, path, status: method == "POST" and status == 201)
    _sigterm_azion(servers, ["--phases", phase, "--max-examples", "3"], moment, tmp_path)
    assert moment.created, "the chosen create made nothing"
    assert run_resources("azion", servers["azion"]) == []


def test_sigterm_while_a_create_answer_is_held_past_the_grace_still_deletes_what_it_made(
    servers: dict[str, str], tmp_path: Path
) -> None:
    """The create's answer comes after the in-flight grace, so the run never sees its id: the
    report said "cleanup finished, nothing the run created was left" and the stream was left.
    The run's unique name prefix finds it now."""
    moment = Moment(
        after=lambda method, path, status: method == "POST" and status == 201,
        hold=INFLIGHT_GRACE + 3,
    )
    report = _sigterm_azion(
        servers, ["--phases", "property", "--max-examples", "3"], moment, tmp_path
    )
    assert moment.created, "the chosen create made nothing"
    assert run_resources("azion", servers["azion"]) == []
    notes = report["notes"]
    assert isinstance(notes, list)
    assert any("got no complete answer" in str(note) for note in notes), notes


def test_sighup_mid_scenario_deactivates_and_deletes_the_activated_stream(
    servers: dict[str, str], tmp_path: Path
) -> None:
    """Issue 11 item 3: SIGTERM left a `dsconform-` stream ACTIVATED. The signal lands just
    after an activation was accepted."""
    moment = Moment(
        after=lambda method, path, status: (
            method == "PUT" and path.endswith("/activate") and status < 300
        )
    )
    code, seconds, report, stderr = _run_and_signal(
        "akamai", servers["akamai"], ["--phases", "scenarios"], moment, tmp_path, (signal.SIGHUP,)
    )
    assert code == ExitCode.SIGHUP, stderr
    assert report["aborted"] == "interrupted by SIGHUP"
    assert seconds < END_BOUND
    assert run_resources("akamai", servers["akamai"]) == []


def test_sigint_during_cleanup_lets_the_cleanup_finish(
    servers: dict[str, str], tmp_path: Path
) -> None:
    moment = Moment(hold=1.0)
    moment.before = lambda method, path: (
        method == "DELETE" and path.rsplit("/", 1)[-1] in moment.created
    )
    code, seconds, report, stderr = _run_and_signal(
        "azion",
        servers["azion"],
        ["--phases", "property", "--max-examples", "3"],
        moment,
        tmp_path,
        (signal.SIGINT,),
    )
    assert code == ExitCode.INTERRUPTED, stderr
    assert report["aborted"] == "interrupted"
    assert seconds < END_BOUND
    assert run_resources("azion", servers["azion"]) == []


def test_a_second_signal_ends_the_cleanup_at_once_and_the_report_says_what_was_left(
    servers: dict[str, str], tmp_path: Path
) -> None:
    """Each cleanup DELETE is held 3 s: the second signal cuts the one in flight, the rest
    are not sent, and the report (still written) names what is left."""
    moment = Moment(hold=3.0)

    def held_cleanup(method: str, path: str) -> bool:
        if method == "DELETE" and path.rsplit("/", 1)[-1] in moment.created:
            if moment.reached.is_set():
                time.sleep(3.0)
            return True
        return False

    moment.before = held_cleanup
    try:
        code, seconds, report, stderr = _run_and_signal(
            "azion",
            servers["azion"],
            ["--phases", "property", "--max-examples", "3"],
            moment,
            tmp_path,
            (signal.SIGTERM, signal.SIGTERM),
        )
        assert code == ExitCode.SIGTERM, stderr
        assert report["aborted"] == "interrupted by SIGTERM"
        assert seconds < 0.5 + INFLIGHT_GRACE + 8  # not the 20 s cleanup grace
        notes = report["notes"]
        assert isinstance(notes, list)
        assert any("could not delete" in note for note in notes), notes
        assert any("cleanup left" in note for note in notes), notes
    finally:
        remove_resources("azion", servers["azion"])


def test_sigterm_with_workers_stops_every_worker_promptly(
    servers: dict[str, str], tmp_path: Path
) -> None:
    """Issue 11: with `--workers N` a SIGTERM stopped the parent while the worker processes
    sent the rest of their share first. Now the stop is passed on: after the in-flight grace,
    nothing but cleanup reaches the target, and the run ends with 143 and a partial report."""
    sent: list[tuple[float, str, str]] = []
    reached: list[float] = []  # when the first create was answered (the signal follows)

    def first_create(method: str, path: str, status: int) -> bool:
        if method == "POST" and status == 201 and not reached:
            reached.append(time.monotonic())
        return bool(reached)

    moment = Moment(after=first_create)
    watched = moment.on_request

    def on_request(method: str, path: str, body: bytes) -> None:
        sent.append((time.monotonic(), method, path))
        watched(method, path, body)

    moment.on_request = on_request  # type: ignore[method-assign]
    args = ["--phases", "property", "--workers", "2", "--max-examples", "25"]
    report = _sigterm_azion(servers, args, moment, tmp_path)
    # The hold, the in-flight grace and a second for the signal to travel on to the workers.
    stopped = reached[0] + moment.hold + INFLIGHT_GRACE + 1
    late = [f"{m} {p}" for at, m, p in sent if at > stopped and m != "DELETE"]
    assert late == [], f"{len(late)} requests after the stop, the first {late[:3]}"
    requests = report["requests"]
    assert isinstance(requests, dict) and requests["by_phase"]["property"] > 0  # workers' too
    assert run_resources("azion", servers["azion"]) == []


NO_REPORT = "no report written"
# A stand-in for a slow start-up: importing `conformance.cli` waits until the test signals.
SLOW_START = """
import importlib.abc, pathlib, sys, time
READY = pathlib.Path(sys.argv[1])
class Slow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name == "conformance.cli":
            READY.touch()
            time.sleep(60)
        return None
sys.meta_path.insert(0, Slow())
sys.argv = ["dsconform", "lint"]
from conformance.console import main
sys.exit(main())
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_during_start_up_ends_with_its_code_and_one_line(
    signum: int, tmp_path: Path
) -> None:
    """Issue 11: a signal before `main()` ran (during the imports) ended in a traceback
    (SIGINT) or a silent kill (SIGTERM, SIGHUP). Nothing was sent, so there is no report."""
    ready = tmp_path / "importing"
    code, err, seconds = _signal_when(
        [sys.executable, "-c", SLOW_START, str(ready)], lambda pid: ready.exists(), signum
    )
    name = signal.Signals(signum).name
    assert code == 128 + signum, err
    assert seconds < 10
    assert err.splitlines() == [
        f"dsconform: stopped by {name} while starting; nothing was sent, {NO_REPORT}"
    ]


def test_the_console_script_handles_a_signal_from_its_first_moments(tmp_path: Path) -> None:
    """The installed `dsconform` takes SIGTERM as soon as it has a handler for it (well before
    the heavy imports are done): exit 143 and one line, whichever moment it lands in."""
    code, err, _ = _signal_when(
        [DSCONFORM, "lint"], lambda pid: _catches(pid, signal.SIGTERM), signal.SIGTERM
    )
    assert code == ExitCode.SIGTERM, err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def _signal_when(
    command: list[str], ready: Callable[[int], bool], signum: int
) -> tuple[int, str, float]:
    """Start `command`, send `signum` once `ready(pid)`; the exit code, stderr and the seconds
    from the signal to the end."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_environment(),
    )
    try:
        deadline = time.monotonic() + 60
        while not ready(process.pid):
            assert process.poll() is None, "ended before it was ready for the signal"
            assert time.monotonic() < deadline, "never ready for the signal"
            time.sleep(0.005)
        signalled = time.monotonic()
        process.send_signal(signum)
        _, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, err, time.monotonic() - signalled


def _catches(pid: int, signum: int) -> bool:
    """Whether process `pid` has a handler for `signum` (SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return False
    caught = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(caught, 16) >> (signum - 1) & 1)
