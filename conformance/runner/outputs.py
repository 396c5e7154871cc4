"""The run's outputs as listeners of its events (runner/events.py): the report files, the
cassette recording and the baseline gate. Each adapts one output package, which knows nothing
of runs or events; `default_outputs` is the list a run hears unless its caller picks another.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from types import TracebackType

from conformance.cassettes.recorder import CassetteRecorder
from conformance.cassettes.session import open_recorder
from conformance.exit_codes import ExitCode
from conformance.gating.baseline import evaluate_baseline, load_baseline, write_baseline_result
from conformance.reporting.writers import write_reports
from conformance.runner.events import (
    GroupFinished,
    GroupStarted,
    Listener,
    PhasesFinished,
    RunEvent,
    RunFinished,
    RunFinishing,
    RunStarted,
)
from conformance.settings import RunSettings


def default_outputs(settings: RunSettings) -> list[Listener]:
    """What every run writes (report.json, report.html, summary.md, junit.xml), then the
    recording `--record` asks for and the gate `--baseline` asks for (its file is read here,
    so a bad one fails before the run starts)."""
    outputs: list[Listener] = [write_report_files]
    recorder = open_recorder(settings)
    if recorder is not None:
        outputs.append(CassetteRecording(recorder))
    if settings.baseline is not None:
        outputs.append(BaselineGate(settings.baseline))
    return outputs


def write_report_files(event: RunEvent) -> None:
    """The four report files of a finished run, in its report directory."""
    if isinstance(event, RunFinished):
        write_reports(event.outcome.report, event.outcome.report_dir)


class CassetteRecording:
    """`--record DIR`: vcrpy wraps the connections from RunStarted to PhasesFinished (the
    unscoped cassette) and from each GroupStarted to its GroupFinished (one cassette per
    group); the report notes where the recording went."""

    def __init__(self, recorder: CassetteRecorder) -> None:
        self.recorder = recorder
        self._open: list[AbstractContextManager[object]] = []  # innermost last, as `with`s nest

    def __call__(self, event: RunEvent) -> None:
        if isinstance(event, RunStarted):
            self._enter(self.recorder.attached(event.settings, event.target, event.run_prefix))
        elif isinstance(event, GroupStarted):
            self._enter(self.recorder.group(event.group))
        elif isinstance(event, GroupFinished | PhasesFinished):
            error = event.error
            self._open.pop().__exit__(type(error) if error else None, error, _traceback(error))
        elif isinstance(event, RunFinishing):
            event.notes.extend(self.recorder.finish()[1])  # a recording never aborts a run

    def _enter(self, context: AbstractContextManager[object]) -> None:
        context.__enter__()
        self._open.append(context)


def _traceback(error: BaseException | None) -> TracebackType | None:
    return error.__traceback__ if error else None


class BaselineGate:
    """`--baseline FILE`: known failures do not fail the run, new ones do; the verdict goes
    to `baseline.json` beside the report, the exit code to the run's outcome."""

    def __init__(self, path: Path) -> None:
        self.baseline = load_baseline(path)  # GatingInputError (one line) for a bad file

    def __call__(self, event: RunEvent) -> None:
        if not isinstance(event, RunFinished):
            return
        outcome = event.outcome
        outcome.baseline = evaluate_baseline(self.baseline, outcome.report.to_json())
        write_baseline_result(outcome.baseline, outcome.report_dir)
        if outcome.exit_code not in (ExitCode.OK, ExitCode.FINDINGS):
            return
        # Deviations (failures the failure policy does not cover) never fail the run.
        deviations = set(outcome.report.deviations or ())
        if [f for f in outcome.baseline.new if f.requirement not in deviations]:
            outcome.exit_code = ExitCode.FINDINGS
        elif outcome.report.incomplete:
            outcome.exit_code = ExitCode.INCOMPLETE
        else:
            outcome.exit_code = ExitCode.OK
