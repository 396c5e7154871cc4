"""`dsconform lint` is clean on our contracts and catches each kind of defect it claims to."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conformance.cli import main
from conformance.exit_codes import ExitCode


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["lint", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _edit_yaml(path: Path, edit: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def test_contracts_are_clean(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _lint(capsys)
    assert code == ExitCode.OK, out
    assert out.strip().endswith("lint: 0 problem(s) in akamai, azion")


def test_broken_example_is_named_with_file_and_pointer(
    capsys: pytest.CaptureFixture[str], contracts_copy: Path
) -> None:
    spec = contracts_copy / "akamai-datastream2-v1.yaml"

    def break_example(data: dict) -> None:  # type: ignore[type-arg]
        body = data["paths"]["/datastream-config-api/v1/log/streams"]["post"]["requestBody"]
        content = body["content"]["application/json"]
        if "example" in content:
            content["example"]["config"]["frequency"]["timeInSec"] = 45
        else:
            first = next(iter(content["examples"].values()))
            first["value"]["config"]["frequency"]["timeInSec"] = 45

    _edit_yaml(spec, break_example)
    code, out, _ = _lint(capsys, "--api", "akamai", "--spec", str(spec))
    assert code == ExitCode.FINDINGS
    lines = [line for line in out.splitlines() if "timeInSec" in line]
    assert lines, out
    assert lines[0].startswith(f"{spec}#/paths/~1datastream-config-api~1v1~1log~1streams/post/")
    assert "example does not match its schema at /config/frequency/timeInSec" in lines[0]


def test_duplicate_requirement_id_is_reported(
    capsys: pytest.CaptureFixture[str], contracts_copy: Path
) -> None:
    catalogue = contracts_copy / "requirements" / "azion.yaml"

    def duplicate(data: dict) -> None:  # type: ignore[type-arg]
        data["requirements"].append(dict(data["requirements"][0]))

    _edit_yaml(catalogue, duplicate)
    code, out, _ = _lint(capsys, "--api", "azion", "--catalogue", str(catalogue))
    assert code == ExitCode.FINDINGS
    assert "duplicate requirement ID" in out
    assert str(catalogue) in out


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("level", "MUSTN'T", "unknown level"),
        (
            "source",
            {
                "file": "akamai-datastream2-config-api-v1.txt",
                "section": "Rate limiting",
                "quote": "a sentence the vendor never wrote",
            },
            "quote not found",
        ),
        ("id", "akamai-lowercase-1", "malformed requirement ID"),
    ],
)
def test_catalogue_format_problems(
    capsys: pytest.CaptureFixture[str],
    contracts_copy: Path,
    field: str,
    value: object,
    expected: str,
) -> None:
    catalogue = contracts_copy / "requirements" / "akamai.yaml"

    def corrupt(data: dict) -> None:  # type: ignore[type-arg]
        data["requirements"][0][field] = value

    _edit_yaml(catalogue, corrupt)
    code, out, _ = _lint(capsys, "--api", "akamai", "--catalogue", str(catalogue))
    assert code == ExitCode.FINDINGS
    assert expected in out


def _requirement(data: dict, requirement_id: str) -> dict:  # type: ignore[type-arg]
    return next(r for r in data["requirements"] if r["id"] == requirement_id)


def _without_basis(data: dict) -> None:  # type: ignore[type-arg]
    del _requirement(data, "AZION-CREATE-001")["basis"]


def _field_notes_as_explicit(data: dict) -> None:  # type: ignore[type-arg]
    _requirement(data, "AZION-ERROR-001")["basis"] = "explicit"


def _inferred_without_reading(data: dict) -> None:  # type: ignore[type-arg]
    _requirement(data, "AZION-CREATE-004")["note"] = "Because we said so."


def _external_without_note(data: dict) -> None:  # type: ignore[type-arg]
    _requirement(data, "AZION-ERROR-002").pop("note", None)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (_without_basis, "AZION-CREATE-001: basis must be one of explicit, inferred, external"),
        (
            _field_notes_as_explicit,
            "AZION-ERROR-001: an explicit requirement quotes the vendor document "
            "(azion-data-streaming-api-v3.md), not FIELD-NOTES.md",
        ),
        (_inferred_without_reading, "AZION-CREATE-004: an inferred requirement's note names"),
        (_external_without_note, "AZION-ERROR-002: an external requirement's note names"),
    ],
)
def test_catalogue_basis_rules(
    capsys: pytest.CaptureFixture[str], contracts_copy: Path, edit: object, expected: str
) -> None:
    """Every requirement states its basis; explicit ones quote the vendor document, inferred
    ones name their erratum or reading, external ones their source (issue 12)."""
    catalogue = contracts_copy / "requirements" / "azion.yaml"
    _edit_yaml(catalogue, edit)
    code, out, _ = _lint(capsys, "--api", "azion", "--catalogue", str(catalogue))
    assert code == ExitCode.FINDINGS
    assert expected in out
    assert out.strip().endswith("lint: 1 problem(s) in azion")


def test_spec_that_fails_validation(
    capsys: pytest.CaptureFixture[str], contracts_copy: Path
) -> None:
    spec = contracts_copy / "azion-data-streaming-v3.yaml"

    def invalidate(data: dict) -> None:  # type: ignore[type-arg]
        del data["info"]
        data["paths"]["/data_streaming/templates"]["get"]["responses"] = "none"

    _edit_yaml(spec, invalidate)
    code, out, _ = _lint(capsys, "--api", "azion", "--spec", str(spec))
    assert code == ExitCode.FINDINGS
    assert "invalid OpenAPI" in out
    assert f'{spec}#/: invalid OpenAPI: "info" is a required property' in out
    assert (
        f'{spec}#/paths/~1data_streaming~1templates/get/responses: invalid OpenAPI: "none" '
        "is not of type" in out
    )


def test_missing_file_is_unusable_input(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = _lint(capsys, "--api", "akamai", "--spec", str(tmp_path / "nope.yaml"))
    assert code == ExitCode.USAGE
    assert err.strip() == f"dsconform: error: {tmp_path / 'nope.yaml'}: file not found"


def test_yaml_syntax_error_is_unusable_input(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text("openapi: 3.1.0\ninfo: [unclosed\n", encoding="utf-8")
    code, _, err = _lint(capsys, "--api", "azion", "--spec", str(spec))
    assert code == ExitCode.USAGE
    assert err.startswith(f"dsconform: error: {spec}:")
    assert "YAML syntax error" in err
    assert len(err.strip().splitlines()) == 1


def test_spec_and_catalogue_flags_need_one_api(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, _, err = _lint(capsys, "--spec", str(tmp_path / "x.yaml"))
    assert code == ExitCode.USAGE
    assert "need --api" in err
