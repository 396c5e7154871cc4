"""The typed report model and `report.schema.json` stay in step: every member the schema
declares is a field of the model and the other way round, a report reads into the model and
writes back the same, and a report.json that does not fit gives one line and exit 2."""

from __future__ import annotations

import argparse
import copy
import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import pytest

from conformance.reporting.json_report import report_schema
from conformance.reporting.model import Report, ReportModelError, field_types
from conformance.reporting.report_command import add_report_parser
from conformance.reporting.writers import REPORT_HTML, REPORT_JSON, load_report
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings

EXAMPLE = Path(__file__).resolve().parents[1] / "reports" / "examples" / "report.json"


def _example() -> dict[str, Any]:
    report: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return report


@pytest.fixture(scope="module")
def akamai_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A quick real Akamai run (property phase, one example) with one rate-limit fault, so its
    report carries findings with EdgeGrid-signed requests; about two seconds."""
    settings = RunSettings(
        api="akamai",
        report_dir=tmp_path_factory.mktemp("akamai"),
        phases=("property",),
        max_examples=1,
        seed=0,
        faults=("limit-header-missing",),
    )
    return run_conformance(settings).report.to_json()


# -- round trip ----------------------------------------------------------------------------------


def test_the_example_report_reads_and_writes_back_byte_for_byte() -> None:
    data = _example()
    report = Report.from_json(data)
    assert report.to_json() == data
    text = json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"
    assert text == EXAMPLE.read_text(encoding="utf-8")
    assert any(r.findings for r in report.requirements)  # the trip covered findings


def test_a_real_run_reads_and_writes_back_the_same(akamai_run: dict[str, Any]) -> None:
    report = Report.from_json(akamai_run)
    # As report.json holds it (the run's own dict may hold tuples where JSON has arrays).
    assert report.to_json() == json.loads(json.dumps(akamai_run))
    findings = [f for r in report.requirements for f in r.findings]
    assert findings and all(f.request and f.response for f in findings)
    assert report.coverage and report.requests.by_phase == {"property": report.requests.total}


def test_optional_members_left_out_stay_out() -> None:
    """A report from before the optional members (fail_on, coverage, ...) reads, and writes
    back without them."""
    data = _example()
    for member in ("fail_on", "deviations", "blocked", "phases", "coverage"):
        del data[member]
    del data["target"]["faults"]
    for requirement in data["requirements"]:
        for member in ("basis", "deviation", "reason", "errata", "operations", "checks", "seconds"):
            requirement.pop(member)
    report = Report.from_json(data)
    assert report.fail_on is None and report.coverage is None
    assert report.to_json() == data


# -- the model follows the schema ----------------------------------------------------------------


def _resolve(node: Mapping[str, Any], schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`node` without its `$ref` and without the null branch of a `oneOf`."""
    if "oneOf" in node:
        (node,) = [n for n in node["oneOf"] if n != {"type": "null"}]
    if "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _nullable(node: Mapping[str, Any]) -> bool:
    kinds = node.get("type")
    return (
        (isinstance(kinds, list) and "null" in kinds)
        or None in node.get("enum", ())
        or {"type": "null"} in node.get("oneOf", ())
    )


def _without_none(hint: Any) -> tuple[Any, bool]:
    """`hint` without `| None`, and whether it had it."""
    if typing.get_origin(hint) in (types.UnionType, typing.Union):
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        return rest[0], len(rest) < len(typing.get_args(hint))
    return hint, False


def schema_drift(
    cls: type, node: Mapping[str, Any], schema: Mapping[str, Any], where: str
) -> list[str]:
    """Every way the model class `cls` and the schema object `node` disagree: members without a
    field and fields without a member, optionality, enums, and the same below."""
    node = _resolve(node, schema)
    declared: dict[str, Any] = dict(node.get("properties", {}))
    extra = node.get("additionalProperties")
    for name in node.get("required", ()):  # required without properties, as `counts` has
        declared.setdefault(name, extra if isinstance(extra, dict) else {})
    specs = {f.name: f for f in dataclasses.fields(cls)}
    problems = [f"{where}.{m}: in the schema, not in the model" for m in declared if m not in specs]
    problems += [
        f"{where}.{m}: in the model, not in the schema" for m in specs if m not in declared
    ]
    required = set(node.get("required", ()))
    hints = field_types(cls)
    for name in declared.keys() & specs.keys():
        member = declared[name]
        hint, optional = _without_none(hints[name])
        if optional != (name not in required or _nullable(member)):
            problems.append(f"{where}.{name}: Optional in one, not in the other")
        if (specs[name].default is dataclasses.MISSING) != (name in required):
            problems.append(f"{where}.{name}: required in one, not in the other")
        problems += _value_drift(hint, _resolve(member, schema), schema, f"{where}.{name}")
    return problems


_SCALARS = {"string": str, "integer": int, "number": float, "boolean": bool}


def _value_drift(
    hint: Any, node: Mapping[str, Any], schema: Mapping[str, Any], where: str
) -> list[str]:
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if hint in _SCALARS.values():
        kinds = node.get("type")
        kinds = [kinds] if isinstance(kinds, str) else [k for k in kinds or () if k != "null"]
        if [_SCALARS.get(k) for k in kinds] != [hint]:
            return [f"{where}: the types differ: model {hint.__name__}, schema {kinds}"]
        return []
    if origin is Literal:
        allowed = [node["const"]] if "const" in node else node.get("enum", [])
        if set(arguments) != {v for v in allowed if v is not None}:
            return [f"{where}: the values differ: model {arguments}, schema {allowed}"]
        return []
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return schema_drift(hint, node, schema, where)
    if origin is tuple:
        return _value_drift(
            arguments[0], _resolve(node.get("items", {}), schema), schema, f"{where}[]"
        )
    if origin is Mapping:
        if "properties" in node:
            return [f"{where}: the schema declares members, the model keeps a free-form mapping"]
        values = node.get("additionalProperties", {})
        values = values if isinstance(values, dict) else {}
        return _value_drift(arguments[1], _resolve(values, schema), schema, f"{where}{{}}")
    return []


def test_every_schema_member_is_a_model_field_and_back() -> None:
    assert schema_drift(Report, report_schema(), report_schema(), "report") == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s["$defs"]["finding"]["properties"].update(line={"type": "integer"}),
            "report.requirements[].findings[].line: in the schema, not in the model",
        ),
        (
            lambda s: s["properties"]["target"]["properties"].pop("faults"),
            "report.target.faults: in the model, not in the schema",
        ),
        (
            lambda s: s["properties"]["verdict"]["enum"].append("skipped"),
            "report.verdict: the values differ",
        ),
        (
            lambda s: s["$defs"]["requirement"]["required"].append("seconds"),
            "report.requirements[].seconds: Optional in one, not in the other",
        ),
        (
            lambda s: s["$defs"]["requirement"]["properties"]["passes"].update(type="string"),
            "report.requirements[].passes: the types differ",
        ),
        (
            lambda s: s["properties"]["settings"].update(properties={"seed": {}}),
            "report.settings: the schema declares members",
        ),
    ],
)
def test_the_drift_check_sees_a_schema_change(change: Any, expected: str) -> None:
    """The check above cannot pass by looking at nothing: each edit of the schema is seen."""
    schema = copy.deepcopy(report_schema())
    change(schema)
    problems = schema_drift(Report, schema, schema, "report")
    assert any(p.startswith(expected) for p in problems), problems


# -- a report that does not fit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda r: r["requirements"][0].update(passes="3"),
            "report.requirements[0].passes: expected an integer, got a string",
        ),
        (
            lambda r: r["requirements"][0]["findings"].append({"check": "x"}),
            "report.requirements[0].findings[0]: missing member 'fingerprint'",
        ),
        (
            lambda r: r["requirements"][0].update(surprise=True),
            "report.requirements[0]: unknown member 'surprise'",
        ),
        (
            lambda r: r.update(verdict="green"),
            "report.verdict: expected one of 'passed', 'failed', 'incomplete', 'error', "
            "got 'green'",
        ),
        (lambda r: r["counts"].update(skipped=1), "report.counts: unknown member 'skipped'"),
        (lambda r: r.update(target=[]), "report.target: expected an object, got an array"),
    ],
)
def test_a_report_that_does_not_fit_is_one_line(change: Any, expected: str) -> None:
    data = _example()
    change(data)
    with pytest.raises(ReportModelError) as caught:
        Report.from_json(data)
    assert str(caught.value) == expected


def test_dsconform_report_rejects_a_report_the_model_cannot_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member the schema lets through (it allows extra members in a requirement) but the
    model does not know: `dsconform report` says so in one line and exits 2."""
    data = _example()
    data["requirements"][0]["surprise"] = True
    (tmp_path / REPORT_JSON).write_text(json.dumps(data), encoding="utf-8")
    parser = argparse.ArgumentParser(prog="dsconform")
    add_report_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["report", str(tmp_path)])
    assert args.handler(args) == 2
    captured = capsys.readouterr()
    assert captured.err == (
        f"dsconform: error: {tmp_path / REPORT_JSON}: not a dsconform report: "
        "report.requirements[0]: unknown member 'surprise'\n"
    )
    assert not (tmp_path / REPORT_HTML).exists()


def test_load_report_gives_the_model(tmp_path: Path) -> None:
    (tmp_path / REPORT_JSON).write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    report = load_report(tmp_path)
    assert isinstance(report, Report) and report.to_json() == _example()


def test_nullable_members_are_written_as_null() -> None:
    """The suite writes `incomplete`, `untested` and a finding's `operation`, `request` and
    `response` even when empty (as null): reading and writing back keeps them."""
    data = _example()
    data["incomplete"] = None
    data["requirements"][0]["untested"] = None
    finding = next(f for r in data["requirements"] for f in r["findings"])
    finding.update(operation=None, request=None, response=None)
    assert Report.from_json(data).to_json() == data
