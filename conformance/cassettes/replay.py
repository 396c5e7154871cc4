"""`--replay DIR`: the same checks, fed from the cassettes, with the network blocked.

Each group replays its own cassette strictly in recorded order: request n must match
interaction n (method, path, query and redacted body). One tolerance: a request identical to
the one just played gets the same answer again (a poll loop that, in virtual time, runs a
little longer than it did live). Anything else is a replay miss: reported with the request and
what the cassette expected there, and the run's verdict becomes unusable (exit 2).

Time is virtual during a replay: `time.sleep` returns at once and advances the clock that
`time.time` and `time.monotonic` report, so settle loops and rate-limit waits behave as they
did live without taking the time they took live.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import replace
from pathlib import Path
from types import TracebackType
from typing import Any
from unittest import mock

import requests
from requests.auth import AuthBase
from vcr.cassette import Cassette
from vcr.matchers import requests_match
from vcr.record_mode import RecordMode

from conformance.apis import get_api
from conformance.cassettes.filters import AT_KEY, Redactor
from conformance.cassettes.layout import UNSCOPED, cassette_path
from conformance.cassettes.matchers import describe
from conformance.cassettes.recorder import make_vcr
from conformance.cassettes.store import CassetteError, read_cassette, read_run_file
from conformance.core.determinism import deterministic_generation
from conformance.core.exchange import Exchange
from conformance.core.target_client import TargetClient, TargetError
from conformance.engine.target import Target, target_access
from conformance.redaction import PLACEHOLDER
from conformance.settings import RunSettings
from conformance.transport import Transport


class ReplayMiss(Exception):
    """The cassette has no answer for this request at this point (raised inside urllib3)."""


class ReplayMissError(TargetError):
    """A replay miss, as the engine sees it: the target (the cassette) could not answer."""


class NetworkBlockedError(OSError):
    pass


class OrderedReplayCassette(Cassette):  # type: ignore[misc]
    """A vcrpy cassette that plays strictly in order (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cursor = 0
        self.last: int | None = None
        self.repeats = 0
        self.group = ""
        self.misses: list[str] = []
        self.redactor: Redactor | None = None
        self.clock: VirtualClock | None = None

    def can_play_response_for(self, request: Any) -> bool:
        return True  # play_response decides, and explains a miss

    def play_response(self, request: Any) -> Any:
        filtered = self._before_record_request(request)
        if self.cursor < len(self.data) and requests_match(
            filtered, self.data[self.cursor][0], self._match_on
        ):
            index = self.cursor
            self.cursor += 1
            self.last = index
            self.play_counts[index] += 1
            return self._restored(self.data[index][1])
        if self.last is not None and requests_match(
            filtered, self.data[self.last][0], self._match_on
        ):
            self.repeats += 1
            self.play_counts[self.last] += 1
            return self._restored(self.data[self.last][1])
        if self.cursor < len(self.data):
            expected = (
                f"interaction {self.cursor + 1} of {len(self.data)} is "
                f"{describe(self.data[self.cursor][0])}"
            )
        else:
            expected = f"all {len(self.data)} recorded interaction(s) were already played"
        message = (
            f"replay miss in {Path(self._path).name}: {describe(filtered)} was not recorded "
            f"here ({expected})"
        )
        self.misses.append(message)
        raise ReplayMiss(message)

    def _restored(self, response: Any) -> Any:
        if self.clock is not None:
            self.clock.reach(response.get(AT_KEY))
        return self.redactor.restore(response) if self.redactor is not None else response

    @property
    def unplayed(self) -> int:
        return len(self.data) - self.cursor

    def _save(self, force: bool = False) -> None:
        return  # a replay never writes


class ReplayClient(TargetClient):
    """The run's client during a replay: no politeness waits, misses become TargetErrors."""

    max_wait = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.misses: list[str] = []

    def send_prepared(
        self,
        prepared: requests.PreparedRequest,
        *,
        phase: str,
        labels: tuple[str, ...] = (),
        polite: bool = True,
    ) -> Exchange:
        try:
            return super().send_prepared(prepared, phase=phase, labels=labels, polite=False)
        except ReplayMiss as exc:
            self.misses.append(str(exc))
            raise ReplayMissError(str(exc)) from None


class PlaceholderAuth(AuthBase):
    """Stands for the recorded credentials: the header is there, its value never matched."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = PLACEHOLDER
        return request


def placeholder_auth(api: str, kind: object) -> AuthBase | None:
    """An auth of the recorded kind with placeholder credentials, from the API's access:
    scenarios that look at the kind (re-spelling a token, re-signing) take the same path."""
    if not kind:
        return None
    return target_access(api).placeholder_auth(str(kind)) or PlaceholderAuth()


class VirtualClock:
    """Time that passes only on the recording's terms: `sleep` advances it without waiting,
    and playing a response moves it on to when that response came in the recorded run (never
    back). Real time does not move it, so elapsed-time logic (a burst measured against a rate)
    sees the timeline it saw live however fast or slow the replaying machine is."""

    def __init__(self, wall_origin: float | None = None) -> None:
        self.offset = 0.0
        self._real_time = time.time
        self._real_monotonic = time.monotonic
        self._lock = threading.Lock()
        self.origin = self._real_monotonic()
        self.wall_origin = wall_origin if wall_origin is not None else self._real_time()

    def reach(self, at: object) -> None:
        if not isinstance(at, (int, float)):
            return
        with self._lock:
            self.offset = max(self.offset, float(at))

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            with self._lock:
                self.offset += seconds

    def time(self) -> float:
        """Wall time on the recording's timeline (its start plus the virtual time since)."""
        return self.wall_origin + (self.monotonic() - self.origin)

    def monotonic(self) -> float:
        return self.origin + self.offset

    @contextmanager
    def installed(self) -> Iterator[None]:
        self.origin = self._real_monotonic()
        with (
            mock.patch("time.sleep", self.sleep),
            mock.patch("time.time", self.time),
            mock.patch("time.monotonic", self.monotonic),
        ):
            yield


@contextmanager
def network_blocked() -> Iterator[None]:
    """No socket may connect anywhere while replaying (vcrpy's fakes never connect)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise NetworkBlockedError("network access is blocked during a replay")

    with (
        mock.patch.object(socket.socket, "connect", refuse),
        mock.patch.object(socket.socket, "connect_ex", refuse),
        mock.patch("socket.create_connection", refuse),
    ):
        yield


class _ReplayGroup(AbstractContextManager[object]):
    def __init__(self, replayer: CassetteReplayer, group: str) -> None:
        self.replayer = replayer
        self.group = group
        self._context: Any = None
        self.cassette: OrderedReplayCassette | None = None

    def __enter__(self) -> object:
        replayer = self.replayer
        path = cassette_path(replayer.root, replayer.api, self.group)
        config = replayer.vcr.get_merged_config(path=str(path), record_mode=RecordMode.NONE)
        self._context = OrderedReplayCassette.use(**config)
        cassette: OrderedReplayCassette = self._context.__enter__()
        cassette.group = self.group
        cassette.redactor = replayer.redactor
        cassette.clock = replayer.clock
        self.cassette = cassette
        return cassette

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        self._context.__exit__(exc_type, exc, tb)
        cassette = self.cassette
        assert cassette is not None
        replayer = self.replayer
        replayer.repeats += cassette.repeats
        if exc_type is not None and issubclass(exc_type, ReplayMissError):
            replayer.notes.append(f"{exc}; the rest of group {self.group!r} was skipped")
            return True  # the next group still replays
        if exc_type is not None and issubclass(exc_type, Exception) and cassette.misses:
            # A miss deep inside hypothesis or schemathesis surfaces as their own error
            # (e.g. a "flaky" state machine): the miss is the cause worth reporting.
            replayer.notes.append(
                f"{cassette.misses[0]}; group {self.group!r} stopped ({exc_type.__name__} followed)"
            )
            return True
        if exc_type is None and cassette.unplayed:
            message = (
                f"replay diverged in {Path(cassette.path).name}: {cassette.unplayed} recorded "
                f"interaction(s) were never requested (first: "
                f"{describe(cassette.data[cassette.cursor][0])})"
            )
            replayer.divergences.append(message)
        return False


class CassetteReplayer:
    """Replays `DIR/<api>/` in place of a target."""

    mode = "replay"

    def __init__(self, root: Path, api: str) -> None:
        self.root = root
        self.api = api
        self.run = read_run_file(root, api)
        _check_run_shape(self.run, root / api / "run.json")
        self.recorded_groups = {g["group"] for g in self.run["groups"]}
        # Strict validation up front: vcrpy itself would treat a corrupt file as empty.
        for group in self.run["groups"]:
            read_cassette(cassette_path(root, api, group["group"]))
        self.redactor = Redactor()
        self.vcr = make_vcr(self.redactor, replay=True)
        self.notes: list[str] = []
        self.divergences: list[str] = []
        self.repeats = 0
        origin = self.run.get("clock_origin")
        self.clock = VirtualClock(float(origin) if isinstance(origin, (int, float)) else None)

    # ------------------------------------------------------------------ settings and target

    def adjust_settings(self, settings: RunSettings) -> RunSettings:
        """The recording decides what is generated: seed, examples, profile, phases, faults,
        base URL (a recording older than the profile's key keeps the one given)."""
        recorded_phases = tuple(self.run.get("phases") or ())
        phases = tuple(p for p in settings.phases if p in recorded_phases) or recorded_phases
        return replace(
            settings,
            base_url=str(self.run["base_url"]),
            seed=int(self.run.get("seed", settings.seed)),
            max_examples=int(self.run.get("max_examples", settings.max_examples)),
            profile=str(self.run.get("profile", settings.profile)),
            phases=phases,
            faults=tuple(self.run.get("faults") or ()),
            workers=1,
        )

    def run_prefix(self) -> str | None:
        return str(self.run["run_prefix"])

    @contextmanager
    def open_target(self, settings: RunSettings) -> Iterator[Target]:
        auth = placeholder_auth(settings.api, self.run.get("auth"))
        view = placeholder_auth(settings.api, self.run.get("view_auth"))
        yield Target(
            str(self.run["base_url"]),
            bool(self.run.get("embedded")),
            auth,
            dict(self.run.get("default_headers") or {}),
            view,
            tuple(self.run.get("faults") or ()),
            # Recorded with an account switch key: its (redacted) parameter rides again.
            Transport(
                account_key=PLACEHOLDER if self.run.get("account_key") else None,
                account_parameter=get_api(settings.api).account_parameter,
            ),
        )

    client_class = ReplayClient

    # ------------------------------------------------------------------ the run

    def group(self, name: str) -> AbstractContextManager[object]:
        return _ReplayGroup(self, name)

    @contextmanager
    def attached(self, settings: RunSettings, target: Target, run_prefix: str) -> Iterator[None]:
        with ExitStack() as stack:
            stack.enter_context(deterministic_generation())
            stack.enter_context(network_blocked())
            stack.enter_context(self.clock.installed())
            stack.enter_context(self.group(UNSCOPED))
            yield

    def finish(self) -> tuple[str | None, list[str]]:
        notes = [
            f"replayed from {self.root / self.api} (recorded against {self.run['base_url']}); "
            "no request left this process"
        ]
        notes += self.notes + self.divergences
        if self.repeats:
            notes.append(f"replay served {self.repeats} repeated poll(s) from the last answer")
        problems = len(self.notes) + len(self.divergences)
        if problems:
            first = (self.notes + self.divergences)[0]
            return (
                f"replay from {self.root} did not match the run ({problems} problem(s)); {first}",
                notes,
            )
        return None, notes


def _check_run_shape(run: dict[str, Any], path: Path) -> None:
    """The members a replay reads from run.json, each of the type it needs (CassetteError)."""
    from conformance.settings import PHASES
    from conformance.target_url import TargetUrlError, parse_target_url

    def wrong(member: str, expected: str) -> CassetteError:
        return CassetteError(f"{path}: corrupt run file (`{member}` must be {expected})")

    def is_int(value: object) -> bool:
        return isinstance(value, int) and not isinstance(value, bool)

    base_url = run.get("base_url")
    if not isinstance(base_url, str):
        raise wrong("base_url", "a URL")
    try:
        parse_target_url(base_url)
    except TargetUrlError:
        raise wrong("base_url", "an http(s) URL") from None
    if not isinstance(run.get("run_prefix"), str) or not run["run_prefix"]:
        raise wrong("run_prefix", "a non-empty string")
    if "seed" in run and not is_int(run["seed"]):
        raise wrong("seed", "a whole number")
    if "max_examples" in run and not (is_int(run["max_examples"]) and run["max_examples"] > 0):
        raise wrong("max_examples", "a positive whole number")
    phases = run.get("phases")
    if phases is not None and not (isinstance(phases, list) and all(p in PHASES for p in phases)):
        raise wrong("phases", f"a list of {', '.join(PHASES)}")
    faults = run.get("faults")
    if faults is not None and not (
        isinstance(faults, list) and all(isinstance(f, str) for f in faults)
    ):
        raise wrong("faults", "a list of fault names")
    if not isinstance(run.get("embedded", False), bool):
        raise wrong("embedded", "true or false")
    headers = run.get("default_headers")
    if headers is not None and not (
        isinstance(headers, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise wrong("default_headers", "a mapping of header names to strings")
    for member in ("auth", "view_auth"):
        if run.get(member) is not None and not isinstance(run[member], str):
            raise wrong(member, "a string or null")
    origin = run.get("clock_origin")
    if origin is not None and (
        isinstance(origin, bool) or not isinstance(origin, int | float) or origin != origin
    ):
        raise wrong("clock_origin", "a number or null")


def open_replayer(root: Path, api: str) -> CassetteReplayer:
    """Raises CassetteError when `root` holds no usable recording of `api`."""
    if not root.exists():
        raise CassetteError(f"{root}: cassette directory not found")
    return CassetteReplayer(root, api)
