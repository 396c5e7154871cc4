"""The vendors' own software as a standing judge of the contracts (issue 13).

`cassettes/vendor/` is built from the JSON data of the vendors' test fixtures (vendored under
`specs/vendor-fixtures/`); a recheck of it reports exactly the findings the errata list.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from conformance.apis import AKAMAI, APIS
from conformance.cassettes.secret_scan import scan_tree
from conformance.cassettes.vendor_samples import (
    NOT_REPLAYED,
    build_all,
    fixtures_dir,
    load_fixtures,
)
from conformance.openapi_document import OpenApiDocument
from conformance.redaction import secret_field_values
from conformance.runner.recheck import recheck

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "cassettes" / "vendor"
ERRATA = (REPO / "specs" / "errata.md").read_text(encoding="utf-8")

# Every finding checked by hand against the vendors' sources; each names its erratum.
KNOWN_DEVIATIONS: dict[str, dict[str, tuple[str, str, str]]] = {
    "akamai": {
        # All twelve Go error fixtures carry statusCode, not status (explicit rule kept).
        "AKAMAI-ERROR-006": ("ERRATUM-AKAMAI-135", "activateStream", "problem has no status"),
        # The Go tests' mocks answer stream 1 (or 7050) for stream 3.
        "AKAMAI-ACTIVATE-002": ("ERRATUM-AKAMAI-136", "activateStream", "streamId 1"),
        "AKAMAI-DEACTIVATE-002": ("ERRATUM-AKAMAI-136", "deactivateStream", "streamId 1"),
        "AKAMAI-ACTHIST-002": ("ERRATUM-AKAMAI-136", "getActivationHistory", "under stream 3"),
        # A three-field placeholder list.
        "AKAMAI-DATASET-006": ("ERRATUM-AKAMAI-137", "listDatasetFields", "lacks data set fields"),
    },
    "azion": {},
}


def cassette(api: str, group: str, root: Path = SHIPPED) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / api / f"{group}.yaml").read_text("utf-8"))
    return data


def test_shipped_vendor_cassettes_are_what_the_builder_writes_now(tmp_path: Path) -> None:
    build_all(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_text("utf-8") for p in tmp_path.rglob("*.*")}
    shipped = {p.relative_to(SHIPPED): p.read_text("utf-8") for p in SHIPPED.rglob("*.*")}
    assert sorted(fresh) == sorted(shipped), (
        "cassettes/vendor is stale: python -m conformance.cassettes.vendor_samples cassettes/vendor"
    )
    stale = [str(name) for name in fresh if fresh[name] != shipped[name]]
    assert stale == [], f"{stale} differ; regenerate with the same command"


@pytest.mark.parametrize("api", sorted(APIS))
def test_recheck_reports_exactly_the_listed_deviations(api: str, tmp_path: Path) -> None:
    outcome = recheck(SHIPPED, api, tmp_path)
    failed = {r.id: r for r in outcome.report.requirements if r.status == "failed"}
    assert sorted(failed) == sorted(KNOWN_DEVIATIONS[api]), (
        "a finding on the vendors' own fixtures that no erratum explains (or one that went away)"
    )
    for requirement_id, (erratum, operation_id, wording) in KNOWN_DEVIATIONS[api].items():
        assert f"#### {erratum}:" in ERRATA
        assert requirement_id in ERRATA.split(f"#### {erratum}:")[1].split("####")[0]
        findings = failed[requirement_id].findings
        assert any(f.operation == operation_id and wording in f.message for f in findings)
    assert outcome.report.counts.error == 0
    assert outcome.report.counts.passed > 0


def test_every_error_fixture_fails_only_for_status(tmp_path: Path) -> None:
    """The 12 Go error fixtures: statusCode, no status; with `status` they are problem details."""
    document = OpenApiDocument.load(AKAMAI.spec_path)
    problem = document.validator("/components/schemas/ProblemDetails")
    errors = [f for f in load_fixtures(AKAMAI) if int(f.data["status"] or 0) >= 400]
    assert len(errors) == 12
    for fixture in errors:
        body = fixture.response_body()
        assert "statusCode" in body and "status" not in body, fixture.name
        assert not problem.is_valid(body)
        fixed = {**copy.deepcopy(body), "status": body["statusCode"]}
        assert problem.is_valid(fixed), fixture.name


def test_twelve_of_twelve_go_success_fixtures_validate() -> None:
    """Agreement worth keeping: every success answer of the Go client's tests fits our schemas
    (the by-group property list, an operation the seed lacks, against listProperties' answer)."""
    document = OpenApiDocument.load(AKAMAI.spec_path)
    successes = [f for f in load_fixtures(AKAMAI) if f.data["status"] and f.data["status"] < 400]
    assert len(successes) == 12
    for fixture in successes:
        operation_id = fixture.operation_id or "listProperties"  # ERRATUM-AKAMAI-138
        operation = document.operation(operation_id)
        schema_pointer = document.response_schema_pointer(operation, int(fixture.data["status"]))
        assert schema_pointer is not None, fixture.name
        validator = document.validator(schema_pointer)
        errors = [e.message for e in validator.iter_errors(fixture.response_body())]
        assert errors == [], (fixture.name, errors[:3])


def test_the_contract_change_is_what_lets_the_console_answers_pass() -> None:
    """Proof the recheck can fail: the console's list answer has no domain_ids, which the old
    contract required (ERRATUM-AZION-021)."""
    document = OpenApiDocument.load(APIS["azion"].spec_path)
    raw = copy.deepcopy(document.raw)
    raw["components"]["schemas"]["Streaming"]["required"].append("domain_ids")
    before = OpenApiDocument(raw)
    (listed,) = [f for f in load_fixtures(APIS["azion"]) if f.name == "listStreamings-200"]
    item = listed.response_body()["results"][0]
    assert "domain_ids" not in item and item["sampling_percentage"] == 90
    assert not before.validator("/components/schemas/Streaming").is_valid(item)
    assert document.validator("/components/schemas/Streaming").is_valid(item)


def test_fixtures_name_their_sources_and_the_readme_lists_them() -> None:
    readme = (SHIPPED / "README.md").read_text("utf-8")
    for api in APIS.values():
        fixtures = load_fixtures(api)
        assert fixtures, api.name
        for fixture in fixtures:
            sources = fixture.sources()
            assert sources, fixture.name
            for side, source in sources.items():
                assert re.fullmatch(r"[\w.-]+/[\w.-]+", source["repo"])
                assert re.fullmatch(r"\d+-\d+", source["lines"]), (fixture.name, side)
                raw = fixture.data[side]["source"]
                assert re.fullmatch(r"[0-9a-f]{40}", raw["commit"]), fixture.name
                assert f"`{source['repo']}@{raw['commit']}:{source['path']}`" in readme
        assert (fixtures_dir(api) / f"{fixtures[0].name}.json").is_file()


def test_what_is_not_replayed_says_why() -> None:
    held = {}
    for api in APIS:
        meta = cassette(api, NOT_REPLAYED)["metadata"]["dsconform"]
        held[api] = [record["name"] for record in meta["not_replayed"]]
    assert held["akamai"] == [
        "getPropertiesByGroup-200",
        "getPropertiesByGroup-403",
        "terraform-createStream-json-format",
    ]
    assert "listDomains-200" in held["azion"]
    assert sum(name.startswith("console-create-endpoint-") for name in held["azion"]) == 11
    for api in APIS:
        data = cassette(api, NOT_REPLAYED)
        assert data["interactions"] == []
        assert all(r["why"] for r in data["metadata"]["dsconform"]["not_replayed"])


def test_no_fixture_secret_reaches_a_cassette(tmp_path: Path) -> None:
    build_all(tmp_path)
    for api in APIS.values():
        secrets = set()
        for fixture in load_fixtures(api):
            for value in (fixture.request_body(), fixture.response_body()):
                secrets |= secret_field_values(value)
        assert secrets, api.name
        for root in (SHIPPED, tmp_path):
            assert scan_tree(root / api.name) == []
            for path in (root / api.name).glob("*.yaml"):
                text = path.read_text("utf-8")
                # (header values such as "1" count as secrets too; short ones occur anywhere)
                assert [s for s in secrets if len(s) >= 8 and s in text] == [], path.name
