"""pytest integration: one test per catalogue requirement, for teams that gate CI with pytest.

In a test module of your own:

    from conformance.pytest_plugin import conformance_tests

    test_azion = conformance_tests("azion")

then `pytest --dsconform-base-url https://... --dsconform-token ...` runs the suite once per
session and reports each requirement as its own test: passed, failed (with the finding),
skipped (untested, or not observable), or error (the suite broke).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from conformance.apis import get_api
from conformance.catalogue import load_catalogue
from conformance.engine.run import RunOutcome, run_conformance
from conformance.engine.target import edgerc_for_run
from conformance.settings import ENVIRONMENT, PHASES, RunSettings

_OUTCOMES: dict[str, RunOutcome] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("dsconform", "dsconform conformance runs")
    group.addoption(
        "--dsconform-base-url",
        default=None,
        help="target base URL (default: the embedded reference server)",
    )
    group.addoption("--dsconform-token", default=None, help="Azion token (or $AZION_TOKEN)")
    group.addoption("--dsconform-edgerc", default=None, help="Akamai .edgerc file")
    group.addoption("--dsconform-section", default="default", help="Akamai .edgerc section")
    group.addoption("--dsconform-phases", default=",".join(PHASES))
    group.addoption("--dsconform-max-examples", type=int, default=10)
    group.addoption("--dsconform-seed", type=int, default=0)
    group.addoption(
        "--dsconform-report-dir",
        default=None,
        help="where report.json goes (default: pytest's temporary directory)",
    )


def _settings(config: pytest.Config, api: str, default_dir: Path) -> RunSettings:
    option = config.getoption
    flag = option("--dsconform-edgerc")
    edgerc = edgerc_for_run(Path(flag) if flag else None, option("--dsconform-base-url"))
    report_dir = option("--dsconform-report-dir")
    return RunSettings(
        api=api,
        base_url=option("--dsconform-base-url"),
        token=option("--dsconform-token") or os.environ.get(ENVIRONMENT["token"]),
        edgerc=edgerc,
        section=option("--dsconform-section"),
        report_dir=Path(report_dir) / api if report_dir else default_dir,
        phases=tuple(p for p in option("--dsconform-phases").split(",") if p),
        max_examples=option("--dsconform-max-examples"),
        seed=option("--dsconform-seed"),
    )


@pytest.fixture(scope="session")
def dsconform_outcome(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """A function `api -> RunOutcome` that runs each API's suite once per session."""

    def outcome(api: str) -> RunOutcome:
        if api not in _OUTCOMES:
            settings = _settings(request.config, api, tmp_path_factory.mktemp(f"dsconform-{api}"))
            _OUTCOMES[api] = run_conformance(settings)
        return _OUTCOMES[api]

    return outcome


def conformance_tests(api: str) -> Any:
    """A test function parametrized over every requirement of `api`'s catalogue."""
    requirement_ids = [r.id for r in load_catalogue(get_api(api))]

    @pytest.mark.parametrize("requirement_id", requirement_ids)
    def test_requirement(requirement_id: str, dsconform_outcome: Any) -> None:
        outcome: RunOutcome = dsconform_outcome(api)
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
        pytest.fail(message, pytrace=False)

    test_requirement.__name__ = f"test_{api}_requirement"
    return test_requirement
