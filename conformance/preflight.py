"""Every input error of a run found before its first request, each as one line.

`check_inputs` parses what the run will read (baseline, cassettes, .edgerc, the target URL);
`claim_outputs` creates, proves writable and locks what it will write (the report directory,
the record directory), for the whole run, so a second run cannot mix its files in.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from conformance.settings import RunSettings


class PreflightError(Exception):
    """An input of the run is unusable; the message is one line and names it."""


def check_inputs(settings: RunSettings) -> None:
    """Parse every file and value the run will read; PreflightError says what is wrong."""
    from conformance.cassettes.secret_scan import SecretLeakError
    from conformance.cassettes.session import open_replay
    from conformance.cassettes.store import CassetteError
    from conformance.engine.target import TargetConfigError, check_target
    from conformance.gating.baseline import load_baseline
    from conformance.gating.findings import GatingInputError
    from conformance.reference import known_faults, vacuity_faults
    from conformance.reference.faults import FaultSwitchboard, UnknownFaultError
    from conformance.target_url import TargetUrlError, parse_target_url

    try:
        if settings.base_url is not None:
            parse_target_url(settings.base_url)
        if settings.faults and settings.replay_dir is None:
            every = (*known_faults(settings.api), *vacuity_faults(settings.api))
            FaultSwitchboard(every, settings.faults)
        if settings.baseline is not None:
            load_baseline(settings.baseline)
        if settings.record_dir is not None:
            _check_directory_path(settings.record_dir, "--record")
        if open_replay(settings) is None:
            check_target(settings)  # the URL, the .edgerc and its host, as the run will use them
        if settings.report_dir is not None:
            _check_directory_path(settings.report_dir, "--report-dir")
    except TargetUrlError as exc:
        raise PreflightError(f"--base-url: {exc}") from None
    except (
        TargetConfigError,
        CassetteError,
        GatingInputError,
        SecretLeakError,
        UnknownFaultError,
    ) as exc:
        raise PreflightError(str(exc)) from None


def _check_directory_path(path: Path, flag: str) -> None:
    """`path` or the nearest of its parents that exists must be a directory."""
    for candidate in (path, *path.parents):
        if candidate.exists() or candidate.is_symlink():
            if not candidate.is_dir():
                what = (
                    "exists and is not a directory"
                    if candidate == path
                    else f"{candidate} is not a directory"
                )
                raise PreflightError(f"{flag} {path}: {what}")
            return


def claim_outputs(settings: RunSettings, held: ExitStack) -> Path:
    """Claim the run's report directory (a fresh one when none was given) and its record
    directory for as long as `held` is open; returns the report directory."""
    from conformance.reporting.writers import OutputDirError, claimed_directory, new_directory
    from conformance.runner.run import default_report_dir

    try:
        if settings.record_dir is not None:
            held.enter_context(
                claimed_directory(settings.record_dir / settings.api, "--record directory")
            )
        report_dir = settings.report_dir or new_directory(default_report_dir(settings.api))
        held.enter_context(claimed_directory(report_dir, "--report-dir"))
    except OutputDirError as exc:
        raise PreflightError(str(exc)) from None
    return report_dir
