"""A user's own pytest suite can gate on dsconform, one test per requirement."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN
from conformance.pytest_plugin import OPTIONS, option_values
from conformance.reference import build_app
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import serve_in_thread
from conformance.settings_builder import DEFAULTS, SettingsError, build_settings

GATE = """
from conformance.pytest_plugin import conformance_tests

test_azion = conformance_tests("azion")
"""
# A short run: one scenario of the minimal profile (7 requests against the reference server).
SHORT_RUN = ("--dsconform-profile=minimal", "--dsconform-scenarios=templates")


def test_plugin_reports_each_requirement(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_inprocess(*SHORT_RUN, "-p", "no:cacheprovider", "-q", "-rs")
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) > 5
    assert outcomes.get("skipped", 0) > 0  # untested and not-observable requirements
    assert "failed" not in outcomes
    result.stdout.fnmatch_lines(["*not observable by a black-box client*"])


def test_plugin_fails_what_the_target_breaks_and_xfails_known_failures(
    pytester: pytest.Pytester,
) -> None:
    """The fault breaks the envelope of every answer: AZION-ENVELOPE-002 among others fails;
    with ENVELOPE-002 alone in the baseline, that one xfails and the others still fail."""
    pytester.makepyfile(test_gate=GATE)
    baseline = pytester.path / "baseline.yaml"
    baseline.write_text(
        "known_failures:\n  - requirement: AZION-ENVELOPE-002\n    reason: vendor bug 42\n"
    )
    result = pytester.runpytest_inprocess(
        *SHORT_RUN,
        "--dsconform-fault=schema-version-2",
        f"--dsconform-baseline={baseline}",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rx",
    )
    result.stdout.fnmatch_lines(["*XFAIL*AZION-ENVELOPE-002*vendor bug 42*"])
    result.stdout.fnmatch_lines(["*test_azion?AZION-TEMPLATE-005?*", "*at $.schema_version*"])
    assert result.parseoutcomes()["xfailed"] == 1
    assert result.ret == pytest.ExitCode.TESTS_FAILED


class _CountingApp:
    """An ASGI wrapper that counts the HTTP requests reaching the app."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            self.requests += 1
        await self.app(scope, receive, send)


@pytest.fixture
def counted_azion() -> Iterator[tuple[str, _CountingApp]]:
    app = _CountingApp(build_app("azion", ReferenceConfig(activation_delay=0.05)))
    with serve_in_thread(app) as url:
        yield url, app


def test_one_run_and_one_report_under_xdist(
    pytester: pytest.Pytester, counted_azion: tuple[str, _CountingApp]
) -> None:
    """`pytest -n 2`: both workers run requirement tests, the target sees one run's requests."""
    url, server = counted_azion
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_inprocess(
        "-n",
        "2",
        f"--basetemp={pytester.path / 'basetemp'}",
        f"--dsconform-base-url={url}",
        f"--dsconform-token={DEFAULT_TOKEN}",
        *SHORT_RUN,
        "-p",
        "no:cacheprovider",
        "-v",
    )
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    # Both workers ran requirement tests (each asked for the outcome), one of them the suite.
    assert "[gw0]" in result.stdout.str() and "[gw1]" in result.stdout.str()
    reports = list(pytester.path.rglob("report.json"))
    assert len(reports) == 1, reports
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert report["requests"]["total"] > 0
    assert server.requests == report["requests"]["total"]
    assert result.stdout.str().count("dsconform: azion report in ") == 1


def test_settings_errors_are_one_line_and_the_section_variable_counts(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """AKAMAI_EDGERC/AKAMAI_SECTION reach a run whose target is named; a flag beats them; errors
    are one line (nothing is sent: the .edgerc is read before the first request)."""
    edgerc = tmp_path / "edgerc"
    edgerc.write_text("[default]\nclient_token = a\nclient_secret = b\naccess_token = c\n")
    monkeypatch.setenv("AKAMAI_EDGERC", str(edgerc))
    monkeypatch.setenv("AKAMAI_SECTION", "from-environment")
    pytester.makepyfile(
        test_gate="""
        from conformance.pytest_plugin import conformance_tests

        test_akamai = conformance_tests("akamai")
    """
    )
    target = "--dsconform-base-url=http://127.0.0.1:9"
    result = pytester.runpytest_inprocess(target, "-p", "no:cacheprovider", "-q", "-x")
    result.stdout.fnmatch_lines([f"*dsconform: error: {edgerc}: no section [[]from-environment]*"])
    result.stdout.no_fnmatch_line("*Traceback*")
    flagged = pytester.runpytest_inprocess(
        target, "--dsconform-section=from-flag", "-p", "no:cacheprovider", "-q", "-x"
    )
    flagged.stdout.fnmatch_lines([f"*dsconform: error: {edgerc}: no section [[]from-flag]*"])


# --- the options and their precedence ---------------------------------------------------------


def _run_flags() -> dict[str, argparse.Action]:
    from conformance.cli import _build_parser

    parser = _build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    run = commands.choices["run"]
    return {_long(a.option_strings): a for a in run._actions if a.option_strings}


def _long(option_strings: list[str]) -> str:
    """`--read-only` of (`--read-only`, `--no-read-only`); `--header` of (`-H`, `--header`)."""
    return next(s for s in option_strings if s.startswith("--"))


def test_every_run_flag_has_a_plugin_option_and_a_builder_default() -> None:
    cli_only = ("--help", "--api", "--quiet", "--show-settings", "--config")  # --config: its own
    flags = {f: a for f, a in _run_flags().items() if f not in cli_only}
    assert sorted(f"--{name}" for name in OPTIONS) == sorted(flags)
    assert sorted(DEFAULTS) == sorted(a.dest for a in flags.values())


def test_flag_beats_environment_beats_default(pytester: pytest.Pytester) -> None:
    environ = {"AZION_TOKEN": "env-token", "AKAMAI_SECTION": "env-section", "AKAMAI_EDGERC": "e"}
    plain = pytester.parseconfig()
    assert build_settings("akamai", option_values(plain), {}).section == "default"
    assert build_settings("akamai", option_values(plain), {}).edgerc is None
    from_env = build_settings("akamai", option_values(plain), environ)
    # $AKAMAI_EDGERC supplies credentials, never a target: only with a --base-url (issue 11).
    assert (from_env.section, from_env.edgerc) == ("env-section", None)
    # Each API reads its own variables only: $AZION_TOKEN is no credential of an Akamai run.
    assert from_env.token is None
    assert build_settings("azion", option_values(plain), environ).token == "env-token"
    targeted = build_settings("akamai", {"base_url": "http://127.0.0.1:1"}, environ)
    assert targeted.edgerc == Path("e")
    flagged = pytester.parseconfig(
        "--dsconform-section=flag-section",
        "--dsconform-token=flag-token",
        "--dsconform-edgerc=f",
        "--dsconform-rate-limit=20/1m",
        "--dsconform-domain-id=7",
        "--dsconform-domain-id=8",
        "--dsconform-read-only",
        "--dsconform-profile=minimal",
        "--dsconform-seed=0",
    )
    settings = build_settings("akamai", option_values(flagged), environ)
    assert (settings.section, settings.token, settings.edgerc) == (
        "flag-section",
        "flag-token",
        Path("f"),
    )
    assert settings.rate_limit == (20, 60.0)
    assert settings.domain_ids == (7, 8)
    assert settings.read_only
    assert settings.phases == ("scenarios",)  # the profile's phases
    # The CLI's defaults, field for field, when nothing is given.
    from conformance.settings import RunSettings

    assert build_settings("azion", {}, {}) == RunSettings(api="azion")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"scenarios": "templates,nope"}, "unknown azion scenario(s) nope"),
        ({"fault": ["x"], "base_url": "http://127.0.0.1:1"}, "--fault applies only"),
        ({"record": "a", "replay": "b"}, "exclude each other"),
        ({"workers": 2, "replay": "b"}, "--workers cannot be combined"),
        ({"replay": "b", "base_url": "http://127.0.0.1:1"}, "takes its target"),
    ],
)
def test_settings_the_run_cannot_honour_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        build_settings("azion", options, {})


def test_bad_option_values_are_usage_errors(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_gate=GATE)
    result = pytester.runpytest_inprocess("--dsconform-rate-limit=often", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--dsconform-rate-limit*expected N/PERIOD*"])


class _Captured(Exception):
    pass


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--token", "flag-token", "--section", "flag-section", "--edgerc", "f"],
        ["--profile", "minimal", "--scenarios", "templates", "--read-only", "--seed", "0"],
        ["--phases", "property,stateful", "--rate-limit", "5/1s", "--domain-id", "7"],
        ["--fault", "schema-version-2", "--max-examples", "3", "--timeout", "5", "--workers", "2"],
        ["--base-url", "http://127.0.0.1:1", "--allow-writes", "--view-token", "v"],
        ["--replay", "cassettes", "--baseline", "b.yaml", "--deadline", "9"],
    ],
)
def test_the_builder_gives_the_settings_the_cli_gives(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same flags and environment: `dsconform run` and `build_settings` agree field for field."""
    import conformance.runner.run
    from conformance.cli import _build_parser, _run_one

    environ = {"AZION_TOKEN": "env-token", "AKAMAI_SECTION": "env-section", "AKAMAI_EDGERC": "e"}
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    seen: list[Any] = []

    def capture(settings: Any, **_: Any) -> Any:
        seen.append(settings)
        raise _Captured

    monkeypatch.setattr(conformance.runner.run, "run_conformance", capture)
    args = _build_parser().parse_args(["run", "--api", "azion", "--quiet", *argv])
    with pytest.raises(_Captured):
        _run_one(args, "azion", args.report_dir, [])
    assert build_settings("azion", vars(args), environ) == seen[0]
