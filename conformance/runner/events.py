"""What a run tells its outputs: a small typed vocabulary of events, as schemathesis' engine
emits its own. Each output (report files, the baseline gate, the cassette recording, the
progress printer) is a listener, a callable taking one event; the runner emits, no phase or core
module knows the outputs exist.

Order of one run: RunStarted, then per phase PhaseStarted, Progress (a phase's step or note,
`engine.context.Event`), GroupStarted / GroupFinished around each cassette group (a scenario,
one operation's generated cases, the state machine), PhaseFinished; then PhasesFinished,
RunFinishing and RunFinished. RunStarted / PhasesFinished and GroupStarted / GroupFinished are
begin/end pairs: a listener that wraps the connections (vcrpy) enters on the first and leaves
on the second, which carries the exception the phases ended with, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from conformance.engine.context import Event as Progress
from conformance.engine.target import Target
from conformance.exit_codes import ExitCode
from conformance.gating.baseline import BaselineResult
from conformance.reporting.model import Report
from conformance.settings import RunSettings

__all__ = [
    "GroupFinished",
    "GroupStarted",
    "Listener",
    "Listeners",
    "PhaseFinished",
    "PhaseStarted",
    "PhasesFinished",
    "Progress",
    "RunEvent",
    "RunFinished",
    "RunFinishing",
    "RunOutcome",
    "RunStarted",
]


@dataclass(slots=True)
class RunOutcome:
    """What a run produced: the report, where it goes, the exit code (listeners such as the
    baseline gate may still change the last two fields on RunFinished)."""

    report: Report
    report_dir: Path
    exit_code: ExitCode
    phase_seconds: dict[str, float] = field(default_factory=dict)
    baseline: BaselineResult | None = None  # with --baseline: known failures accepted or not


@dataclass(frozen=True, slots=True)
class RunStarted:
    """The target is open and the client ready; the phases start next."""

    settings: RunSettings
    target: Target
    run_prefix: str


@dataclass(frozen=True, slots=True)
class PhaseStarted:
    phase: str


@dataclass(frozen=True, slots=True)
class PhaseFinished:
    """A phase ended; `requests` are those sent while it ran, by the phase each was counted
    under in the report (cleanup apart), so the terminal prints the report's own numbers."""

    phase: str
    seconds: float
    requests: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class GroupStarted:
    """A group of exchanges begins (named as its cassette is)."""

    group: str


@dataclass(frozen=True, slots=True)
class GroupFinished:
    group: str
    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class PhasesFinished:
    """The phases are over (the end of RunStarted's pair), with the exception that ended
    them, if any; it propagates after the listeners have seen it."""

    error: BaseException | None = None


@dataclass(frozen=True, slots=True)
class RunFinishing:
    """The report is about to be built: an output with something to say in it (where the
    recording went) appends to `notes`, the report's notes."""

    notes: list[str]


@dataclass(frozen=True, slots=True)
class RunFinished:
    """The report is built and redacted; the outputs write, gate or print it."""

    outcome: RunOutcome


RunEvent = (
    RunStarted
    | PhaseStarted
    | Progress
    | PhaseFinished
    | GroupStarted
    | GroupFinished
    | PhasesFinished
    | RunFinishing
    | RunFinished
)
Listener = Callable[[RunEvent], None]


class Listeners:
    """The run's listeners, in the order they hear each event."""

    def __init__(self, listeners: Iterable[Listener] = ()) -> None:
        self.listeners = tuple(listeners)

    def emit(self, event: RunEvent) -> None:
        for listener in self.listeners:
            listener(event)

    @contextmanager
    def pair(
        self, start: RunEvent, end: Callable[[BaseException | None], RunEvent]
    ) -> Iterator[None]:
        """Emit `start`, run the block, emit `end(error)`; the block's exception propagates
        (unless a listener raises one of its own, as a `with` block's exit would)."""
        self.emit(start)
        try:
            yield
        except BaseException as exc:
            self.emit(end(exc))
            raise
        self.emit(end(None))
