"""The run's events (conformance/runner/events.py): what a listener hears, in which order,
and that the outputs are listeners like any other."""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.runner.events import (
    GroupFinished,
    GroupStarted,
    Listeners,
    PhaseFinished,
    PhasesFinished,
    PhaseStarted,
    Progress,
    RunEvent,
    RunFinished,
    RunFinishing,
    RunStarted,
)
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings


def _scenario_run(report_dir: Path, heard: list[RunEvent], **changes: object) -> RunFinished:
    outcome = run_conformance(
        RunSettings(
            api="azion",
            phases=("scenarios",),
            scenarios=("templates",),
            report_dir=report_dir,
            activation_delay=0.05,
        ),
        listeners=[heard.append],
        **changes,  # type: ignore[arg-type]
    )
    assert isinstance(heard[-1], RunFinished) and heard[-1].outcome is outcome
    return heard[-1]


def test_a_listener_hears_the_run_in_order(tmp_path: Path) -> None:
    heard: list[RunEvent] = []
    finished = _scenario_run(tmp_path / "report", heard)
    kinds = [type(e) for e in heard]
    assert kinds[0] is RunStarted and kinds[1] is PhaseStarted
    assert kinds[-4:] == [PhaseFinished, PhasesFinished, RunFinishing, RunFinished]
    assert Progress in kinds  # the scenario phase's step, handed on
    started = [e.group for e in heard if isinstance(e, GroupStarted)]
    ended = [e.group for e in heard if isinstance(e, GroupFinished)]
    assert started == ended == ["templates"]
    phase = next(e for e in heard if isinstance(e, PhaseFinished))
    assert dict(phase.requests)["scenarios"] == finished.outcome.report.requests.total
    assert (tmp_path / "report" / "report.json").is_file()  # the default outputs wrote it


def test_without_outputs_nothing_is_written(tmp_path: Path) -> None:
    heard: list[RunEvent] = []
    finished = _scenario_run(tmp_path / "report", heard, outputs=[])
    assert finished.outcome.report.verdict in ("passed", "incomplete")
    assert not (tmp_path / "report").exists()


class _Boom(Exception):
    pass


def test_a_pair_hands_the_blocks_error_to_the_end_event_and_lets_it_propagate() -> None:
    heard: list[RunEvent] = []
    with pytest.raises(_Boom), Listeners([heard.append]).pair(GroupStarted("g"), _end("g")):
        raise _Boom
    assert heard[0] == GroupStarted("g")
    assert isinstance(heard[1], GroupFinished) and isinstance(heard[1].error, _Boom)


def _end(group: str) -> object:
    return lambda error: GroupFinished(group, error)
