"""`--profile minimal`: every observable requirement reached with the fewest requests.

Issue #7's goal is the whole Akamai catalogue in at most 80 requests (4 minutes at the vendor's
20 a minute). The minimal run folds the rate-limit burst into the run's own requests, so its
rate-limit judgements get their own fault runs here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conformance.apis import APIS
from conformance.catalogue import load_catalogue
from conformance.engine.run import run_conformance
from conformance.exit_codes import ExitCode
from conformance.reference import known_faults
from conformance.scenarios.akamai_constraints import constraint_cases, minimal_cases
from conformance.settings import PROFILES, RunSettings

AKAMAI_MINIMAL_BUDGET = 80


def _minimal(api: str, tmp_path: Path, **changes: object) -> RunSettings:
    return RunSettings(
        api=api,
        report_dir=tmp_path,
        phases=PROFILES["minimal"],
        profile="minimal",
        activation_delay=0.05,
        settle_timeout=10.0,
        **changes,
    )  # type: ignore[arg-type]


@pytest.mark.parametrize("api", sorted(APIS))
def test_minimal_profile_reaches_every_observable_requirement(api: str, tmp_path: Path) -> None:
    outcome = run_conformance(_minimal(api, tmp_path))
    report = outcome.report
    not_passed = {
        r["id"]: r["status"]
        for r in report["requirements"]
        if r["observable"] and r["status"] != "passed"
    }
    assert not_passed == {}
    assert outcome.exit_code == ExitCode.OK
    assert report["settings"]["profile"] == "minimal"
    assert "(profile minimal)" in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert set(report["requests"]["by_phase"]) == {"scenarios"}
    if api == "akamai":
        assert report["requests"]["total"] <= AKAMAI_MINIMAL_BUDGET


def test_minimal_constraints_send_one_case_per_requirement() -> None:
    cases = constraint_cases(99999)
    chosen = minimal_cases(cases)
    assert sorted(c.requirement for c in chosen) == sorted({c.requirement for c in cases})
    by_requirement = {c.requirement: c.what for c in chosen}
    assert by_requirement["AKAMAI-STREAM-CREATE-007"] == "without contractId"
    assert by_requirement["AKAMAI-CONNECTOR-002"] == "with a S3 connector without secretAccessKey"
    assert by_requirement["AKAMAI-CONNECTOR-003"] == "with a AZURE connector without accessKey"


RATE_FAULTS = [f for f in known_faults("akamai") if f.requirement_id.startswith("AKAMAI-RATE-")]


@pytest.mark.parametrize(
    ("fault", "requirement_id"),
    [pytest.param(f.name, f.requirement_id, id=f.name) for f in RATE_FAULTS],
)
def test_minimal_rate_limit_judgements_catch_their_fault(
    fault: str, requirement_id: str, tmp_path: Path
) -> None:
    """The folded burst (the run's own requests, then what is left of the budget) still
    fails each rate-limit rule on a target that breaks it."""
    settings = _minimal("akamai", tmp_path, faults=(fault,), scenarios=("discovery", "rate-limit"))
    outcome = run_conformance(settings)
    failed = {r["id"] for r in outcome.report["requirements"] if r["status"] == "failed"}
    assert requirement_id in failed, f"{fault} survived the minimal profile: {sorted(failed)}"


def test_every_rate_requirement_has_a_fault_run_above() -> None:
    catalogue = load_catalogue(APIS["akamai"])
    observable = {r.id for r in catalogue.observable() if r.id.startswith("AKAMAI-RATE-")}
    assert observable <= {f.requirement_id for f in RATE_FAULTS}
