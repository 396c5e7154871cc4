"""How fast is the suite, and what does it cost on top of the requests? One process, per API:

- wall: the default full run against the embedded reference (its rate limit and activation
  delay as a user gets them) next to the schemathesis CLI alone over the same spec and example
  count; the ratio is the figure (our extra phases should cost little on top of the property
  phase).
- overhead: requests per second of the property phase alone, the scenario phase alone and the
  whole run against a reference server this bench starts with a rate limit nobody ever reaches,
  next to a plain httpx loop (GETs of one cheap path, signed the same way) against that same
  server; the ratio loop/suite is the overhead figure (aim: within 3x). Each line also says
  how long the suite slept on purpose (activation polls, refill pauses: `time.sleep` in the
  main thread), how long its requests were in flight (send to last body byte), and what is
  left per request: the suite's own work (generation, checks, bookkeeping).
- minimal: the request count of `--profile minimal` against the embedded reference.
- workers: wall seconds of the property phase with `--workers 1` and `--workers 2` at a larger
  example count, against the embedded reference and against the unthrottled server.

Prints one line per figure (about 4 minutes for both APIs and all sections on 2 cores). The
embedded reference runs in a thread of this process, the unthrottled one in a process of its
own. Loopback only. Timings are noisy on a busy machine.

    .venv/bin/python bench/run.py [--apis akamai,azion]
        [--sections wall,overhead,minimal,workers] [--max-examples 10] [--workers-examples 50]
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import httpx
from akamai.edgegrid.edgegrid import EdgeGridAuthHeaders, eg_timestamp, new_nonce

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import EDGEGRID_FORM, ROOT, reference_command, serving

from conformance.apis import APIS
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN, DEFAULT_VIEW_TOKEN
from conformance.core.exchange import Exchange
from conformance.core.results import ResultsCollector
from conformance.runner.events import PhaseFinished, PhaseStarted, RunEvent
from conformance.runner.run import run_conformance
from conformance.settings import PROFILES, RunSettings

SECTIONS = ("wall", "overhead", "minimal", "workers")
LOOP_SECONDS = 2.0
# The embedded target's activation delay (RunSettings.activation_delay), so the unthrottled
# server's scenarios wait on the same state changes as a default run's.
ACTIVATION_DELAY = "0.3"
# The unthrottled Akamai server verifies real signatures, as a vendor endpoint would.
BENCH_EDGEGRID = EdgeGridCredentials(
    "akab-bench-client", "bench-client-secret", "akab-bench-access"
)
# The schemathesis CLI talks to a server that checks only the form of the EdgeGrid header.
CLI_HEADERS = {
    "akamai": {"Authorization": EDGEGRID_FORM},
    "azion": {
        "Authorization": f"Token {DEFAULT_TOKEN}",
        "Accept": "application/json; version=3",
    },
}
LOOP_PATHS = {
    "akamai": "/datastream-config-api/v1/log/groups",
    "azion": "/data_streaming/templates",
}


# ---------------------------------------------------------------------- measuring one run


@dataclass(slots=True)
class RunFigures:
    """What one suite run took: wall, per-phase seconds, requests, sleeps and time in flight."""

    wall: float
    requests: int
    phase_seconds: dict[str, float]
    requests_by_phase: dict[str, int]
    slept: dict[str, float] = field(default_factory=dict)
    in_flight: dict[str, float] = field(default_factory=dict)
    budget_waited: float = 0.0  # the part of the sleeps spent waiting for the rate budget

    def seconds(self) -> float:
        return sum(self.phase_seconds.values())

    def rate(self) -> float:
        """Requests per second over the phases' own time (setup and reports left out)."""
        return self.requests / self.seconds() if self.seconds() > 0 else 0.0

    def total_slept(self) -> float:
        return sum(self.slept.get(phase, 0.0) for phase in self.phase_seconds)

    def awake_rate(self) -> float:
        """Requests per second over the phases' time minus their deliberate sleeps."""
        awake = self.seconds() - self.total_slept()
        return self.requests / awake if awake > 0 else 0.0

    def own_ms_per_request(self) -> float:
        """Milliseconds per request spent neither asleep nor waiting on the wire."""
        own = self.seconds() - self.total_slept() - sum(self.in_flight.values())
        return 1000 * own / self.requests if self.requests else 0.0


class SleepMeter:
    """Counts `time.sleep` seconds of the main thread, per phase (the suite's deliberate waits;
    the embedded server's thread and worker processes are not counted)."""

    def __init__(self) -> None:
        self.phase = "setup"
        self.by_phase: dict[str, float] = {}

    def on_event(self, event: RunEvent) -> None:
        if isinstance(event, PhaseStarted):
            self.phase = event.phase
        elif isinstance(event, PhaseFinished):
            self.phase = "teardown"

    @contextlib.contextmanager
    def installed(self) -> Iterator[SleepMeter]:
        original = time.sleep
        main = threading.main_thread()

        def counting_sleep(seconds: float) -> None:
            if threading.current_thread() is main and seconds > 0:
                self.by_phase[self.phase] = self.by_phase.get(self.phase, 0.0) + seconds
            original(seconds)

        with mock.patch.object(time, "sleep", counting_sleep):
            yield self


def measured_run(settings: RunSettings) -> RunFigures:
    """Run the suite once (reports into a temporary directory) and return its figures."""
    meter = SleepMeter()
    in_flight: dict[str, float] = {}

    def on_exchange(exchange: Exchange, collector: ResultsCollector) -> None:
        in_flight[exchange.phase] = in_flight.get(exchange.phase, 0.0) + exchange.elapsed

    with tempfile.TemporaryDirectory() as report_dir, meter.installed():
        started = time.perf_counter()
        outcome = run_conformance(
            replace(settings, report_dir=Path(report_dir)),
            listeners=[meter.on_event],
            on_exchange=on_exchange,
        )
        wall = time.perf_counter() - started
    requests = outcome.report.requests
    if outcome.report.aborted:
        raise RuntimeError(f"{settings.api} run aborted: {outcome.report.aborted}")
    return RunFigures(
        wall,
        requests.total,
        dict(outcome.phase_seconds),
        dict(requests.by_phase or {}),
        meter.by_phase,
        in_flight,
        float(requests.waited_seconds or 0.0),
    )


# ---------------------------------------------------------------------- the unthrottled server


class EdgeGridHttpxAuth(httpx.Auth):
    """EdgeGrid signing for httpx (edgegrid-python signs `requests` requests only)."""

    def __init__(self, credentials: EdgeGridCredentials) -> None:
        self.signer = EdgeGridAuthHeaders(
            credentials.client_token, credentials.client_secret, credentials.access_token
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signable = SimpleNamespace(
            method=request.method,
            url=str(request.url),
            headers=request.headers,
            body=request.content,
        )
        request.headers["Authorization"] = self.signer.make_auth_header(
            signable, eg_timestamp(), new_nonce()
        )
        yield request


@dataclass(frozen=True, slots=True)
class UnthrottledTarget:
    """A bench-started reference server nobody waits for, and how to talk to it."""

    api: str
    url: str
    settings: RunSettings  # a run against it (phases and examples still to choose)
    loop_auth: httpx.Auth | None
    loop_headers: dict[str, str]


@contextlib.contextmanager
def unthrottled_target(api: str, max_examples: int) -> Iterator[UnthrottledTarget]:
    """Start the reference server of `api` with an unreachable rate limit (see
    `reference_command`) and yield settings for a run against it, credentials included."""
    command = [*reference_command(api), "--activation-delay", ACTIVATION_DELAY]
    if api == "akamai":
        command += ["--edgegrid", *_edgegrid_values(BENCH_EDGEGRID)]
    with tempfile.TemporaryDirectory() as scratch, serving(command, quiet=True) as url:
        if api == "akamai":
            edgerc = Path(scratch) / ".edgerc"
            edgerc.write_text(
                "[default]\n"
                f"client_token = {BENCH_EDGEGRID.client_token}\n"
                f"client_secret = {BENCH_EDGEGRID.client_secret}\n"
                f"access_token = {BENCH_EDGEGRID.access_token}\n"
                f"host = {url}\n",
                encoding="utf-8",
            )
            settings = RunSettings(api=api, base_url=url, edgerc=edgerc, max_examples=max_examples)
            yield UnthrottledTarget(api, url, settings, EdgeGridHttpxAuth(BENCH_EDGEGRID), {})
            return
        settings = RunSettings(
            api=api,
            base_url=url,
            token=DEFAULT_TOKEN,
            view_token=DEFAULT_VIEW_TOKEN,
            max_examples=max_examples,
        )
        headers = {
            "Authorization": f"Token {DEFAULT_TOKEN}",
            "Accept": "application/json; version=3",
        }
        yield UnthrottledTarget(api, url, settings, None, headers)


def _edgegrid_values(credentials: EdgeGridCredentials) -> list[str]:
    return [credentials.client_token, credentials.client_secret, credentials.access_token]


def httpx_loop(target: UnthrottledTarget, seconds: float) -> float:
    """Requests per second of back-to-back GETs of one cheap path (keep-alive, each signed)."""
    with httpx.Client(
        base_url=target.url, headers=target.loop_headers, auth=target.loop_auth
    ) as client:
        count = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            response = client.get(LOOP_PATHS[target.api])
            if response.status_code != 200:
                raise RuntimeError(f"httpx loop: {response.status_code} {response.text[:200]}")
            count += 1
        return count / (time.perf_counter() - started)


# ---------------------------------------------------------------------- the sections


def schemathesis_cli(api: str, max_examples: int) -> float:
    """Wall seconds of `st run` alone over the same spec, example count and server."""
    with serving(reference_command(api), quiet=True) as url:
        headers = [
            item for name, value in CLI_HEADERS[api].items() for item in ("-H", f"{name}: {value}")
        ]
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                str(APIS[api].spec_path),
                "--url",
                url,
                "-n",
                str(max_examples),
                "--seed",
                "0",
                "--phases",
                "fuzzing,stateful",
                *headers,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - started


Row = Callable[[str, str, str], None]


def wall_section(api: str, args: argparse.Namespace, row: Row) -> None:
    run = measured_run(RunSettings(api=api, max_examples=args.max_examples))
    cli = schemathesis_cli(api, args.max_examples)
    phases = " ".join(f"{name} {seconds:.1f}s" for name, seconds in run.phase_seconds.items())
    row(
        "full run, embedded reference",
        f"{run.wall:7.1f} s",
        f"{run.requests} requests; {phases}; slept {run.total_slept():.1f} s "
        f"({run.budget_waited:.1f} s of it for the rate budget)",
    )
    row("schemathesis CLI alone", f"{cli:7.1f} s", f"full run / CLI = {run.wall / cli:.2f}x")


def overhead_section(api: str, args: argparse.Namespace, row: Row) -> None:
    with unthrottled_target(api, args.max_examples) as target:
        loop = httpx_loop(target, LOOP_SECONDS)
        row("httpx loop, unthrottled server", f"{loop:7.0f} req/s", f"GET {LOOP_PATHS[api]}")
        for label, phases in (
            ("property phase alone", ("property",)),
            ("scenario phase alone", ("scenarios",)),
            ("full run", PROFILES["default"]),
        ):
            run = measured_run(replace(target.settings, phases=phases))
            detail = (
                f"loop/suite {loop / run.rate():5.2f}x | {run.requests} req in "
                f"{run.seconds():.1f} s, slept {run.total_slept():.1f} s, in flight "
                f"{sum(run.in_flight.values()):.1f} s, own {run.own_ms_per_request():.2f} ms/req"
            )
            if run.total_slept() > 0.05 * run.seconds():
                detail += f" | without sleeps {run.awake_rate():.0f} req/s"
                detail += f" = {loop / run.awake_rate():.2f}x"
            if len(phases) > 1:
                detail += " | " + ", ".join(
                    f"{name} {run.requests_by_phase.get(name, 0) / seconds:.0f} req/s"
                    for name, seconds in run.phase_seconds.items()
                    if seconds > 0
                )
            row(f"{label}, unthrottled", f"{run.rate():7.0f} req/s", detail)


def minimal_section(api: str, args: argparse.Namespace, row: Row) -> None:
    run = measured_run(
        RunSettings(
            api=api,
            max_examples=args.max_examples,
            profile="minimal",
            phases=PROFILES["minimal"],
        )
    )
    row(
        "--profile minimal, embedded",
        f"{run.requests:7d} req",
        f"{run.wall:.1f} s wall, slept {run.total_slept():.1f} s",
    )


def workers_section(api: str, args: argparse.Namespace, row: Row) -> None:
    examples = args.workers_examples

    def compare(label: str, settings: RunSettings) -> None:
        runs = [
            measured_run(
                replace(settings, phases=("property",), max_examples=examples, workers=workers)
            )
            for workers in (1, 2)
        ]
        one, two = runs
        row(
            f"property -n {examples}, workers 1 vs 2, {label}",
            f"{one.wall:5.1f}/{two.wall:4.1f} s",
            f"speed-up {one.wall / two.wall:.2f}x; requests {one.requests}/{two.requests}; "
            f"rate-budget waits {one.budget_waited:.1f}/{two.budget_waited:.1f} s",
        )

    compare("embedded", RunSettings(api=api))
    with unthrottled_target(api, examples) as target:
        compare("unthrottled", target.settings)


SECTION_RUNNERS: dict[str, Callable[[str, argparse.Namespace, Row], None]] = {
    "wall": wall_section,
    "overhead": overhead_section,
    "minimal": minimal_section,
    "workers": workers_section,
}


def _names(text: str, allowed: tuple[str, ...]) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown: {', '.join(unknown)} (from {allowed})")
    return names


def main() -> None:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="\n".join((__doc__ or "").splitlines()[1:]),
    )
    parser.add_argument("--apis", default="akamai,azion", type=lambda t: _names(t, tuple(APIS)))
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        type=lambda t: _names(t, SECTIONS),
        help=f"comma-separated, from {','.join(SECTIONS)} (default: all)",
    )
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument(
        "--workers-examples", type=int, default=50, help="examples for the workers section"
    )
    args = parser.parse_args()

    def print_row(api: str) -> Row:
        def row(figure: str, value: str, detail: str) -> None:
            print(f"{api:7s} {figure:44s} {value:>14s}  {detail}", flush=True)

        return row

    print(f"{'api':7s} {'figure':44s} {'value':>14s}  detail", flush=True)
    for api in args.apis:
        for section in args.sections:
            SECTION_RUNNERS[section](api, args, print_row(api))


if __name__ == "__main__":
    main()
