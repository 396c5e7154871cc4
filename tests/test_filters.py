"""`--include`/`--exclude`, `--max-failures` and the one request count (issue 15)."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from rich.console import Console

from conformance.apis import APIS
from conformance.apis.azion.auth import AzionTokenAuth
from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN
from conformance.catalogue import load_catalogue
from conformance.cli import main
from conformance.core.exchange import Exchange
from conformance.core.results import Finding, ResultsCollector
from conformance.core.send_rules import SendRules
from conformance.core.target_client import TargetClient
from conformance.engine.filters import (
    FilterError,
    OperationExcluded,
    build_scope,
    scenario_operations,
    split_patterns,
)
from conformance.exit_codes import ExitCode
from conformance.openapi_document import OpenApiDocument
from conformance.plan import plan_rows
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.reporting.json_report import report_schema
from conformance.runner.progress import RunProgress
from conformance.runner.run import run_conformance
from conformance.scenarios.registry import SCENARIOS
from conformance.settings import RunSettings
from conformance.settings_builder import SettingsError, build_settings


def _scope(api: str, include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> Any:
    definition = APIS[api]
    operations = [op.operation_id for op in OpenApiDocument.load(definition.spec_path).operations]
    return build_scope(load_catalogue(definition), operations, include, exclude)


def _on_loopback(config: ReferenceConfig, **settings: Any) -> tuple[Any, list[Any]]:
    """An Azion run against a reference server on loopback, and what the server holds after."""
    with reference_server("azion", config) as base_url:
        outcome = run_conformance(
            RunSettings(api="azion", base_url=base_url, token=DEFAULT_TOKEN, **settings)
        )
        answer = requests.get(
            f"{base_url}/data_streaming/streamings",
            headers={
                "Authorization": f"Token {DEFAULT_TOKEN}",
                "Accept": "application/json; version=3",
            },
            timeout=10,
        )
    left: list[Any] = answer.json()["results"]
    return outcome, left


def _by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in report["requirements"]}


# --- patterns -------------------------------------------------------------------------------


def test_patterns_are_comma_lists_and_repeatable() -> None:
    assert split_patterns(["AKAMAI-RATE-*, listStreams", "getStream"]) == (
        "AKAMAI-RATE-*",
        "listStreams",
        "getStream",
    )
    assert split_patterns(None) == ()


def test_a_requirement_glob_selects_requirements_ignoring_case() -> None:
    scope = _scope("akamai", include=("akamai-rate-*",))
    rate = [r.id for r in load_catalogue(APIS["akamai"]) if r.id.startswith("AKAMAI-RATE-")]
    assert rate and all(scope.in_scope(i) for i in rate)
    assert not scope.in_scope("AKAMAI-STREAM-CREATE-001")
    assert "--include akamai-rate-*" in scope.out["AKAMAI-STREAM-CREATE-001"]
    assert scope.operations == scope.all_operations  # no operation pattern: all selected


def test_include_first_then_exclude() -> None:
    scope = _scope("akamai", include=("AKAMAI-RATE-*",), exclude=("AKAMAI-RATE-001",))
    assert scope.in_scope("AKAMAI-RATE-002")
    assert not scope.in_scope("AKAMAI-RATE-001")
    ops = _scope("azion", include=("*streaming*",), exclude=("delete*",))
    assert "deleteStreaming" not in ops.operations and "getStreaming" in ops.operations
    assert "listTemplates" not in ops.operations


def test_an_operation_filter_puts_what_only_it_exercises_out_of_scope() -> None:
    scope = _scope("azion", exclude=("createStreaming",))
    catalogue = load_catalogue(APIS["azion"])
    only_create = [r.id for r in catalogue if r.operations == ("createStreaming",)]
    assert only_create
    for requirement_id in only_create:
        assert "it concerns only createStreaming" in scope.out[requirement_id]
    general = next(r.id for r in catalogue if not r.operations)
    assert scope.in_scope(general)
    assert not scope.explores(catalogue, "createStreaming")
    assert scope.explores(catalogue, "listStreamings")
    assert scope.stateful_reason("azion")
    assert scope.scenario_reason("azion", "rate-limit", ("AZION-ERROR-001",)) is None
    assert "needs createStreaming" in str(scope.scenario_reason("azion", "validation", ()))


def test_a_pattern_that_matches_nothing_is_refused() -> None:
    with pytest.raises(FilterError, match="--exclude listStreams matches no azion"):
        _scope("azion", exclude=("listStreams",))
    with pytest.raises(FilterError, match="--include AZION-NOPE-"):
        _scope("azion", include=("AZION-NOPE-*",))


def test_under_api_all_a_pattern_need_match_only_one_api() -> None:
    """`--api all --include AKAMAI-RATE-*,AZION-AUTH-*` selects in each API its own; a
    pattern no API has is still refused, and an API none of whose includes match runs
    nothing."""
    options = {"api": "all", "include": ["AKAMAI-RATE-*,AZION-AUTH-*"], "exclude": []}
    azion = build_settings("azion", options)
    catalogue = load_catalogue(APIS["azion"])
    scope = build_scope(catalogue, [], azion.include, azion.exclude, other_apis=True)
    kept = [r.id for r in catalogue if scope.in_scope(r.id)]
    assert kept and all(i.startswith("AZION-AUTH-") for i in kept)
    only_akamai = build_settings("azion", {**options, "include": ["AKAMAI-RATE-*"]})
    scope = build_scope(catalogue, [], only_akamai.include, (), other_apis=True)
    assert not [r.id for r in catalogue if scope.in_scope(r.id)]
    with pytest.raises(SettingsError, match="NOPE"):
        build_settings("azion", {**options, "include": ["NOPE-*"]})
    with pytest.raises(SettingsError, match="AKAMAI-RATE"):  # one API alone: its own patterns
        build_settings("azion", {**options, "api": "azion"})


def test_the_scenario_table_names_only_real_scenarios_and_operations() -> None:
    for api in APIS:
        table = scenario_operations(api)
        assert set(table) == {s.name for s in SCENARIOS[api]}
        operations = {
            op.operation_id for op in OpenApiDocument.load(APIS[api].spec_path).operations
        }
        for name, needed in table.items():
            assert needed <= operations, (api, name, needed - operations)


@pytest.mark.parametrize(
    ("api", "name"),
    [(api, scenario.name) for api in sorted(SCENARIOS) for scenario in SCENARIOS[api]],
)
def test_each_scenario_sends_only_the_operations_the_table_names(
    api: str, name: str, tmp_path: Path
) -> None:
    """The scenario alone, with only its table's operations selected: the client refuses any
    other request outside cleanup, so a missing entry shows as the scenario stopped by it; and
    every operation the table names is really sent (an entry too many would skip the scenario
    for nothing)."""
    needed = scenario_operations(api)[name]
    report, sent = _scenario_alone(api, name, needed, tmp_path)
    notes = report["notes"]
    assert not [n for n in notes if "outside --include" in n or "skipped" in n], notes
    assert needed <= sent, needed - sent


def _scenario_alone(
    api: str, name: str, include: frozenset[str], report_dir: Path
) -> tuple[dict[str, Any], set[str]]:
    """Run one scenario with only `include` selected: its report and the operations sent."""
    sent: set[str] = set()

    def note(exchange: Exchange, collector: ResultsCollector) -> None:
        if exchange.operation_id:
            sent.add(exchange.operation_id)

    outcome = run_conformance(
        RunSettings(
            api=api,
            phases=("scenarios",),
            scenarios=(name,),
            include=tuple(sorted(include)),
            report_dir=report_dir,
            activation_delay=0.05,
        ),
        on_exchange=note,
    )
    return outcome.report.to_json(), sent


def test_the_client_refuses_an_excluded_operation_outside_cleanup() -> None:
    scope = _scope("azion", exclude=("listTemplates",))
    with reference_server("azion", ReferenceConfig()) as base_url:
        rules = SendRules(
            operation_guard=scope.guard,
            operation_resolver=OpenApiDocument.load(APIS["azion"].spec_path).operation_id_at,
        )
        client = TargetClient(base_url, auth=AzionTokenAuth(DEFAULT_TOKEN), rules=rules)
        sent: list[Exchange] = []
        client.listen(sent.append)
        try:
            with pytest.raises(OperationExcluded, match="outside --exclude listTemplates"):
                client.send("GET", "/data_streaming/templates", phase="property")
            assert sent == []
            with client.cleanup_window():
                client.send("GET", "/data_streaming/templates", phase="cleanup")
            with client.unfiltered():
                client.send("GET", "/data_streaming/templates", phase="property")
            client.send("GET", "/data_streaming/streamings", phase="property")
        finally:
            client.close()
    assert [e.operation_id for e in sent] == ["listTemplates", "listTemplates", "listStreamings"]


# --- runs under a filter --------------------------------------------------------------------


def test_an_excluded_operation_is_never_sent_and_what_needs_it_is_out_of_scope(
    tmp_path: Path,
) -> None:
    outcome = run_conformance(
        RunSettings(api="azion", report_dir=tmp_path, max_examples=1, exclude=("createStreaming",))
    )
    report = outcome.report.to_json()
    jsonschema.validate(report, report_schema())
    assert report["coverage"]["createStreaming"]["seen"] == {}
    assert report["requests"]["by_phase"].get("stateful", 0) == 0
    results = _by_id(report)
    create = results["AZION-CREATE-001"]
    assert (create["status"], create["untested"]) == ("untested", "out-of-scope")
    assert "--exclude createStreaming" in create["reason"]
    # Judged only by scenarios that need the create: out of scope, not blocked.
    lifecycle_only = results["AZION-EDIT-001"]
    assert (
        lifecycle_only["untested"],
        "--exclude createStreaming" in lifecycle_only["reason"],
    ) == (
        "out-of-scope",
        True,
    )
    assert any("scenario validation skipped" in n for n in report["notes"])
    assert results["AZION-ENVELOPE-002"]["status"] == "passed"  # reads still judged


def test_cleanup_is_never_filtered_and_a_left_out_requirement_stays_untested(
    tmp_path: Path,
) -> None:
    """--exclude deleteStreaming: the scenarios that delete as a step do not run, but every
    streaming the run created is still deleted, and what the cleanup DELETEs showed about the
    delete requirements is not reported."""
    outcome, left = _on_loopback(
        ReferenceConfig(activation_delay=0.05),
        report_dir=tmp_path,
        max_examples=1,
        profile="minimal",
        phases=("property", "scenarios"),
        exclude=("deleteStreaming",),
    )
    report = outcome.report.to_json()
    assert report["coverage"]["deleteStreaming"]["seen"], "cleanup sent no DELETE"
    assert left == [], "the run left what it created"
    delete_only = [r for r in report["requirements"] if r["operations"] == ["deleteStreaming"]]
    assert delete_only
    for requirement in delete_only:
        assert requirement["untested"] == "out-of-scope", requirement["id"]
        assert requirement["passes"] == requirement["failures"] == 0


def test_a_requirement_include_runs_fewer_scenarios(tmp_path: Path) -> None:
    outcome = run_conformance(
        RunSettings(
            api="azion",
            report_dir=tmp_path,
            phases=("scenarios",),
            profile="minimal",
            include=("azion-template-00[56]",),
        )
    )
    results = _by_id(outcome.report.to_json())
    judged = {i for i, r in results.items() if r["status"] in ("passed", "failed")}
    assert judged == {"AZION-TEMPLATE-005", "AZION-TEMPLATE-006"}
    others = results["AZION-CREATE-001"]
    assert (others["untested"], others["reason"]) == (
        "out-of-scope",
        "out of scope (--include azion-template-00[56])",
    )
    assert any("scenario validation skipped" in n for n in outcome.report.notes)
    assert outcome.report.requests.total < 74  # the whole minimal run sends 74


def test_a_filter_that_leaves_nothing_testable_is_incomplete(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hidden = next(r.id for r in load_catalogue(APIS["azion"]) if not r.observable)
    code = main(
        [
            "run",
            "--api",
            "azion",
            "--include",
            hidden,
            "--phases",
            "scenarios",
            "--quiet",
            "--report-dir",
            str(tmp_path),
        ]
    )
    assert code == ExitCode.INCOMPLETE
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "incomplete"
    assert report["counts"]["passed"] == 0


def test_plan_honours_the_filters() -> None:
    rows = plan_rows(
        RunSettings(api="azion", phases=("property", "stateful"), exclude=("createStreaming",))
    )
    items = {(row.phase, row.item) for row in rows}
    assert ("property", "createStreaming") not in items
    assert ("property", "listStreamings") in items
    assert not [row for row in rows if row.phase == "stateful"]
    scenarios = plan_rows(
        RunSettings(api="azion", phases=("scenarios",), exclude=("createStreaming",))
    )
    assert {row.item for row in scenarios} == {"rate-limit"}


# --- --max-failures -------------------------------------------------------------------------


def test_max_failures_stops_early_cleans_up_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["run", "--api", "azion", "--fault", "no-envelope", "--profile", "minimal"]
    full = main([*common, "--quiet", "--report-dir", str(tmp_path / "full")])
    stopped = main(
        [*common, "--quiet", "--max-failures", "1", "--report-dir", str(tmp_path / "stopped")]
    )
    assert (full, stopped) == (ExitCode.FINDINGS, ExitCode.FINDINGS)
    whole = json.loads((tmp_path / "full" / "report.json").read_text(encoding="utf-8"))
    report = json.loads((tmp_path / "stopped" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(report, report_schema())
    assert report["requests"]["total"] < whole["requests"]["total"]
    assert report["verdict"] == "failed" and report["aborted"] is None
    assert any("--max-failures 1" in note for note in report["notes"])
    stopped_reason = "the run stopped after 1 failed requirement(s) (--max-failures 1)"
    rest = [r for r in report["requirements"] if stopped_reason in r["reason"]]
    assert rest and all(r["untested"] == "out-of-scope" for r in rest)
    assert not [n for n in report["notes"] if "could not delete" in n]
    junit = (tmp_path / "stopped" / "junit.xml").read_text(encoding="utf-8")
    assert "--max-failures 1" in junit
    html = (tmp_path / "stopped" / "report.html").read_text(encoding="utf-8")
    assert "--max-failures 1" in html


def test_max_failures_still_deletes_what_the_run_created(tmp_path: Path) -> None:
    """Stopped mid-scenario, after creates: cleanup runs, nothing the run made is left."""
    outcome, left = _on_loopback(
        ReferenceConfig(faults=frozenset({"create-drops-domain-ids"}), activation_delay=0.05),
        report_dir=tmp_path,
        phases=("scenarios",),
        max_failures=1,
        fail_on="all",
    )
    report = outcome.report.to_json()
    assert any("--max-failures 1" in note for note in report["notes"])
    assert report["coverage"]["createStreaming"]["seen"], "nothing was created: shows nothing"
    assert left == []
    assert outcome.exit_code == ExitCode.FINDINGS


def test_deviations_do_not_count_towards_max_failures() -> None:
    catalogue = load_catalogue(APIS["azion"])
    collector = ResultsCollector(catalogue)
    reached: list[int] = []
    collector.stop_after(1, "explicit", reached.append)
    inferred = next(r for r in catalogue if r.basis != "explicit" and r.observable)
    collector.failed(Finding(inferred.id, "c", "k", "m", "property"))
    assert reached == []  # a deviation under --fail-on explicit
    explicit = next(r for r in catalogue if r.basis == "explicit" and r.level == "MUST")
    collector.failed(Finding(explicit.id, "c", "k", "m", "property"))
    collector.failed(Finding(explicit.id, "c", "k", "m2", "property"))
    assert reached == [1]  # once, at the first requirement the policy covers


# --- one request count ----------------------------------------------------------------------


def test_the_terminal_prints_the_reports_request_counts(tmp_path: Path) -> None:
    stream = io.StringIO()
    progress = RunProgress("azion", console=Console(file=stream, force_terminal=False))
    with progress:
        outcome = run_conformance(
            RunSettings(
                api="azion",
                report_dir=tmp_path,
                phases=("property", "stateful"),
                max_examples=2,
            ),
            listeners=[progress.handle],
            on_exchange=progress.on_exchange,
        )
    by_phase = outcome.report.requests.by_phase
    assert by_phase.get("cleanup"), "no cleanup request: the test shows nothing"
    printed: Counter[str] = Counter()
    for line in stream.getvalue().splitlines():
        found = re.search(r"(\w+) phase finished: (\d+) requests(?: \(\+([^)]*)\))?", line)
        if found:
            printed[found.group(1)] += int(found.group(2))
            for part in (found.group(3) or "").split(", "):
                if part:
                    count, name = part.split(" ", 1)
                    printed[name] += int(count)
    assert dict(printed) == by_phase
    assert progress.requests == outcome.report.requests.total


def test_a_worker_process_refuses_an_operation_the_filter_leaves_out() -> None:
    """`--workers` under `--exclude`: a worker handed an excluded operation (the parent hands
    only in-scope ones; this is the second line) sends none of it, as the parent's client."""
    import multiprocessing

    from conformance.core.shared_budget import SharedBudget, start_budget_manager
    from conformance.engine.property_workers import WorkerJob, work, worker_rules
    from conformance.engine.target import open_target

    with reference_server("azion", ReferenceConfig()) as base_url:
        options = {"base_url": base_url, "token": DEFAULT_TOKEN, "max_examples": 1}
        settings = build_settings("azion", options, {})
        scope = _scope("azion", exclude=("listTemplates",))
        context = multiprocessing.get_context("spawn")
        with open_target(settings) as target, start_budget_manager(context) as manager:
            job = WorkerJob(
                settings,
                target,
                "dsconform-w",
                frozenset({"listTemplates", "listStreamings"}),
                read_only=True,
                budget=SharedBudget(manager),
                scope=scope,
            )
            result = work(job)
            resolver = OpenApiDocument.load(APIS["azion"].spec_path).operation_id_at
            client = target.client(5.0, worker_rules(job, resolver))
            try:  # the guard itself, beneath the phase's own choice of operations
                with pytest.raises(OperationExcluded, match="outside --exclude listTemplates"):
                    client.send("GET", "/data_streaming/templates", phase="property")
            finally:
                client.close()
    sent = Counter(e.operation_id for e in result.exchanges)
    assert sent["listStreamings"] > 0 and sent["listTemplates"] == 0
