"""pytest integration: one test per catalogue requirement, for teams that gate CI with pytest.

In a test module of your own:

    from conformance.pytest_plugin import conformance_tests

    test_contract = conformance_tests("<api>")  # a name of `dsconform run --api`

then `pytest --dsconform-base-url https://... --dsconform-token ...` runs the suite once per
session and reports each requirement as its own test: passed, failed (with the finding), xfailed
(a known failure accepted by `--dsconform-baseline`), skipped (untested, or not observable), or
error (the suite broke). Every flag of `dsconform run` has a `--dsconform-*` twin, and the settings
come from the same builder as the CLI's (flag, then environment variable, then the config file
`dsconform run` would read from the invocation directory, or `--dsconform-config FILE`, then
default).

Under pytest-xdist (`-n N`) the suite still runs once per API and session: the first worker that
needs it takes a lock in the session's shared temporary directory and runs it, the others wait on
the lock and read the report it wrote. One report.json, one rate budget.
"""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pytest

from conformance.run_options import RUN_OPTIONS, RunOption

if TYPE_CHECKING:
    from conformance.config_file import ConfigFile

_PREFIX = "--dsconform-"
_REPORTS_KEY = "dsconform_reports"

# The `dsconform run` flags, as `--dsconform-<flag>` (all of `run_options.RUN_OPTIONS`; not
# `--api`, the test module names it, nor `--quiet`: no display here).
OPTIONS: dict[str, RunOption] = {option.name: option for option in RUN_OPTIONS}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dsconform", "dsconform conformance runs")
    group.addoption(
        _PREFIX + "config",
        default=None,
        metavar="FILE",
        help="read run settings from this TOML file (/dev/null: none) instead of the "
        "dsconform.toml or pyproject.toml [tool.dsconform] found from the invocation directory",
    )
    for name, option in OPTIONS.items():
        kwargs = option.argparse_kwargs(plugin=True)
        del kwargs["dest"]  # pytest names it after the option: dsconform_<dest>
        group.addoption(_PREFIX + name, **kwargs)


def option_values(config: pytest.Config) -> dict[str, Any]:
    """The `--dsconform-*` values under the `dsconform run` argparse names (None: not given)."""
    return {option.dest: config.getoption(_PREFIX + name) for name, option in OPTIONS.items()}


def config_file(config: pytest.Config) -> ConfigFile | None:
    """The config file `dsconform run` would read from pytest's invocation directory."""
    from conformance.config_file import load_config

    explicit = config.getoption(_PREFIX + "config")
    return load_config(explicit, config.invocation_params.dir, os.environ)


@dataclasses.dataclass(frozen=True, slots=True)
class SharedOutcome:
    """One API's run as every test (and every xdist worker) sees it."""

    report: dict[str, Any] | None = None
    report_dir: Path | None = None
    baseline: dict[str, Any] | None = None  # baseline.json of the run, with --dsconform-baseline
    error: str | None = None  # the run could not happen: one line


# The user errors a run can end in: one line each, never a traceback.
def _user_errors() -> tuple[type[Exception], ...]:
    from conformance.cassettes.secret_scan import SecretLeakError
    from conformance.cassettes.store import CassetteError
    from conformance.config_file import ConfigFileError
    from conformance.engine.target import TargetConfigError
    from conformance.gating.findings import GatingInputError
    from conformance.reference.faults import UnknownFaultError
    from conformance.settings_builder import SettingsError
    from conformance.spec_files import ContractFileError

    return (
        SettingsError,
        ConfigFileError,
        TargetConfigError,
        UnknownFaultError,
        ContractFileError,
        CassetteError,
        SecretLeakError,
        GatingInputError,
    )


def _run_once(config: pytest.Config, api: str, report_dir: Path) -> SharedOutcome:
    from conformance.runner.run import run_conformance
    from conformance.settings_builder import build_settings

    options = option_values(config)
    try:
        file = config_file(config)
        chosen = build_settings(api, options, os.environ, file).report_dir  # flag or file
        options["report_dir"] = chosen / api if chosen is not None else report_dir
        settings = build_settings(api, options, os.environ, file)
        outcome = run_conformance(settings)
    except _user_errors() as exc:
        return SharedOutcome(error=f"dsconform: error: {exc}")
    return SharedOutcome(
        report=outcome.report.to_json(),
        report_dir=outcome.report_dir,
        baseline=outcome.baseline.as_dict() if outcome.baseline is not None else None,
    )


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an OS lock on `path` (released by the OS if this process dies)."""
    with open(path, "a+b") as handle:
        _lock(handle)
        try:
            yield
        finally:
            _unlock(handle)


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt
    import time

    def _lock(handle: IO[bytes]) -> None:
        while True:
            try:
                msvcrt.locking(handle.fileno(), msvcrt.LK_LOCK, 1)
                return
            except OSError:  # LK_LOCK gives up after 10 s: keep waiting
                time.sleep(0.5)

    def _unlock(handle: IO[bytes]) -> None:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)

    def _unlock(handle: IO[bytes]) -> None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _save(outcome: SharedOutcome, path: Path) -> None:
    data = {
        "report_dir": str(outcome.report_dir) if outcome.report_dir else None,
        "baseline": outcome.baseline,
        "error": outcome.error,
    }
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data), encoding="utf-8")
    os.replace(partial, path)


def _load(path: Path) -> SharedOutcome:
    from conformance.reporting.writers import REPORT_JSON

    data = json.loads(path.read_text(encoding="utf-8"))
    if data["error"]:
        return SharedOutcome(error=data["error"])
    report_dir = Path(data["report_dir"])
    report = json.loads((report_dir / REPORT_JSON).read_text(encoding="utf-8"))
    return SharedOutcome(report=report, report_dir=report_dir, baseline=data["baseline"])


class _Runs:
    """Each API's run, once per session: in this process, or shared between xdist workers."""

    def __init__(self, config: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.config = config
        self.tmp_path_factory = tmp_path_factory
        self.outcomes: dict[str, SharedOutcome] = {}
        self.ran: list[tuple[str, str]] = []  # (api, report dir) of the runs this process made

    def shared_dir(self) -> Path | None:
        """The directory xdist workers of this session share (None: not an xdist worker)."""
        workerinput = getattr(self.config, "workerinput", None)
        if workerinput is None:
            return None
        # xdist gives each worker basetemp/<gwN>: the parent belongs to this session alone.
        base = self.tmp_path_factory.getbasetemp().parent
        shared = base / f"dsconform-{workerinput.get('testrunuid', 'session')}"
        shared.mkdir(exist_ok=True)
        return shared

    def outcome(self, api: str) -> SharedOutcome:
        if api not in self.outcomes:
            self.outcomes[api] = self._outcome(api)
        return self.outcomes[api]

    def _outcome(self, api: str) -> SharedOutcome:
        shared = self.shared_dir()
        if shared is None:
            return self._run(api, self.tmp_path_factory.mktemp(f"dsconform-{api}"))
        result = shared / f"{api}.outcome.json"
        with _exclusive(shared / f"{api}.lock"):
            if result.exists():  # another worker ran it while we waited on the lock
                return _load(result)
            try:
                outcome = self._run(api, shared / api)
            except BaseException as exc:  # the others must not run it again: they fail too
                _save(
                    SharedOutcome(error=f"the {api} run broke in another worker: {exc!r}"), result
                )
                raise
            _save(outcome, result)
            return outcome

    def _run(self, api: str, report_dir: Path) -> SharedOutcome:
        outcome = _run_once(self.config, api, report_dir)
        if outcome.report_dir is not None:
            self.ran.append((api, str(outcome.report_dir)))
        return outcome


_RUNS = pytest.StashKey[_Runs]()
_NODE_REPORTS = pytest.StashKey[list[tuple[str, str]]]()


@pytest.fixture(scope="session")
def dsconform_outcome(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], SharedOutcome]:
    """A function `api -> SharedOutcome` that runs each API's suite once per session."""
    config = request.config
    if _RUNS not in config.stash:
        config.stash[_RUNS] = _Runs(config, tmp_path_factory)
    return config.stash[_RUNS].outcome


def pytest_sessionfinish(session: pytest.Session) -> None:
    runs = session.config.stash.get(_RUNS, None)
    workeroutput = getattr(session.config, "workeroutput", None)
    if runs is not None and workeroutput is not None:  # an xdist worker: tell the controller
        workeroutput[_REPORTS_KEY] = json.dumps(runs.ran)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist controller: collect the report directories a worker wrote."""
    reported = json.loads(getattr(node, "workeroutput", {}).get(_REPORTS_KEY, "[]"))
    node.config.stash.setdefault(_NODE_REPORTS, []).extend(tuple(r) for r in reported)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    runs = config.stash.get(_RUNS, None)
    ran = [*(runs.ran if runs is not None else []), *config.stash.get(_NODE_REPORTS, [])]
    for api, report_dir in ran:
        terminalreporter.write_line(f"dsconform: {api} report in {report_dir}")


def _accepted_failures(baseline: dict[str, Any] | None) -> dict[str, str]:
    """Requirement ID -> reason, for failures the baseline accepts (and nothing new fails)."""
    if not baseline:
        return {}
    new = {f["requirement"] for f in baseline.get("new", [])}
    return {
        a["requirement"]: a["reason"]
        for a in baseline.get("accepted", [])
        if a["requirement"] not in new
    }


def conformance_tests(api: str) -> Any:
    """A test function parametrized over every requirement of `api`'s catalogue."""
    from conformance.apis import get_api
    from conformance.catalogue import load_catalogue

    requirement_ids = [r.id for r in load_catalogue(get_api(api))]

    @pytest.mark.parametrize("requirement_id", requirement_ids)
    def test_requirement(
        requirement_id: str, dsconform_outcome: Callable[[str], SharedOutcome]
    ) -> None:
        outcome = dsconform_outcome(api)
        if outcome.error or outcome.report is None:
            pytest.fail(outcome.error or "dsconform: no report", pytrace=False)
        if outcome.report["aborted"]:
            pytest.fail(f"run aborted: {outcome.report['aborted']}", pytrace=False)
        entry = next(r for r in outcome.report["requirements"] if r["id"] == requirement_id)
        if entry["status"] == "passed":
            return
        if entry["status"] == "untested":
            pytest.skip(entry["reason"] or "no check observed this requirement")
        findings = "\n".join(f"- [{f['phase']}] {f['message']}" for f in entry["findings"])
        message = f"{requirement_id} ({entry['level']}): {entry['statement']}\n{findings}"
        if entry["status"] == "error":
            raise RuntimeError(f"the suite broke while checking {message}")
        known = _accepted_failures(outcome.baseline).get(requirement_id)
        if known is not None:
            pytest.xfail(f"known failure (baseline): {known}")
        if entry.get("deviation"):
            pytest.xfail(f"deviation ({entry.get('basis')} {entry['level']}): {message}")
        pytest.fail(message, pytrace=False)

    test_requirement.__name__ = f"test_{api}_requirement"
    return test_requirement
