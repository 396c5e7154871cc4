"""The config file (dsconform.toml, pyproject.toml [tool.dsconform]) and the one precedence
flag > environment > file > default; `dsconform config`; schemathesis reads no file of its own."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.cli import _build_parser, main
from conformance.config_file import ConfigFile, ConfigFileError, load_config
from conformance.exit_codes import ExitCode
from conformance.run_options import OPTIONS_BY_NAME, RUN_OPTIONS
from conformance.settings_builder import (
    SettingsError,
    build_settings,
    resolve_options,
)
from tests.support.capture import Capture, capture_server

SECRET = "file-token-Zq81-not-for-print"


@pytest.fixture(scope="module")
def capture() -> Iterator[Capture]:
    with capture_server("127.0.0.1") as server:
        yield server


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZION_TOKEN", "AKAMAI_EDGERC", "AKAMAI_SECTION", "SCHEMATHESIS_HOOKS"):
        monkeypatch.delenv(name, raising=False)


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> ConfigFile:
    _write(tmp_path, "dsconform.toml", text)
    config = load_config(None, tmp_path, environ or {})
    assert config is not None
    return config


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


# --- precedence -------------------------------------------------------------------------------

FILE = """
section = "file-common"
max-examples = 3
[akamai]
section = "file-akamai"
[azion]
max-examples = 4
"""


@pytest.mark.parametrize(
    ("api", "flags", "environ", "expected"),
    [
        # section has a variable (AKAMAI_SECTION): flag > env > file's API table > common > default
        ("akamai", {"section": "flag"}, {"AKAMAI_SECTION": "env"}, ("flag", "flag")),
        ("akamai", {}, {"AKAMAI_SECTION": "env"}, ("env", "env AKAMAI_SECTION")),
        ("akamai", {}, {}, ("file-akamai", "file {path} [akamai]")),
        ("azion", {}, {}, ("file-common", "file {path}")),
        ("azion", {}, {"AKAMAI_SECTION": ""}, ("file-common", "file {path}")),  # empty: unset
    ],
)
def test_flag_beats_environment_beats_file_beats_default(
    tmp_path: Path,
    api: str,
    flags: dict[str, Any],
    environ: dict[str, str],
    expected: tuple[str, str],
) -> None:
    config = _load(tmp_path, FILE)
    resolved = resolve_options(api, flags, environ, config)["section"]
    value, source = expected
    assert (resolved.value, resolved.source) == (value, source.format(path=config.path))
    assert build_settings(api, flags, environ, config).section == value


def test_an_api_table_beats_the_common_one_and_the_default_comes_last(tmp_path: Path) -> None:
    config = _load(tmp_path, FILE)
    assert build_settings("azion", {}, {}, config).max_examples == 4
    assert build_settings("akamai", {}, {}, config).max_examples == 3
    assert build_settings("akamai", {"max_examples": 9}, {}, config).max_examples == 9
    assert build_settings("akamai", {}, {}, None).max_examples == 10
    assert resolve_options("akamai", {}, {}, config)["seed"].source == "default"


def test_a_flag_can_switch_off_what_the_file_switched_on(tmp_path: Path) -> None:
    config = _load(tmp_path, "read-only = true\n")
    assert build_settings("azion", {}, {}, config).read_only
    args = _build_parser().parse_args(["run", "--api", "azion", "--no-read-only"])
    assert not build_settings("azion", vars(args), {}, config).read_only


def test_the_environment_never_supplies_a_target_but_the_file_may(tmp_path: Path) -> None:
    """$AKAMAI_EDGERC counts only once a flag or the file names the base URL (issue 11)."""
    environ = {"AKAMAI_EDGERC": "/env/edgerc"}
    assert build_settings("akamai", {}, environ, None).edgerc is None
    config = _load(tmp_path, '[akamai]\nbase-url = "http://127.0.0.1:9"\n', environ)
    settings = build_settings("akamai", {}, environ, config)
    assert (settings.base_url, settings.edgerc) == ("http://127.0.0.1:9", Path("/env/edgerc"))
    with_edgerc = _load(tmp_path, 'edgerc = "creds/edgerc"\n', environ)
    # The file's .edgerc (its host the target) is taken: the variable has no target to join.
    assert build_settings("akamai", {}, environ, with_edgerc).edgerc == tmp_path / "creds/edgerc"


def test_relative_paths_are_relative_to_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    config = _load(tmp_path, 'report-dir = "out"\nbaseline = "~/known.yaml"\n')
    settings = build_settings("azion", {}, {}, config)
    assert settings.report_dir == tmp_path / "out"
    assert settings.baseline == Path("~/known.yaml").expanduser()


def test_values_take_the_shapes_toml_gives_them(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        'phases = ["property", "stateful"]\ndomain_id = [7, 8]\nrate-limit = "20/1m"\n'
        'timeout = 2.5\nfail-on = "must"\n[azion]\nscenarios = ["templates"]\n',
    )
    settings = build_settings("azion", {}, {}, config)
    assert settings.phases == ("property", "stateful")
    assert settings.domain_ids == (7, 8)
    assert settings.rate_limit == (20, 60.0)
    assert (settings.timeout, settings.fail_on, settings.scenarios) == (2.5, "must", ("templates",))


# --- ${ENV} ------------------------------------------------------------------------------------


def test_variables_are_substituted_and_dollar_dollar_escapes(tmp_path: Path) -> None:
    config = _load(
        tmp_path,
        'token = "${TOKEN_VAR}"\nview-token = "$${LITERAL}-${TOKEN_VAR}"\n',
        {"TOKEN_VAR": SECRET},
    )
    settings = build_settings("azion", {}, {}, config)
    assert (settings.token, settings.view_token) == (SECRET, f"${{LITERAL}}-{SECRET}")
    assert resolve_options("azion", {}, {}, config)["token"].source.endswith("${TOKEN_VAR}")


def test_a_missing_variable_is_an_error_when_its_value_is_used(tmp_path: Path) -> None:
    config = _load(tmp_path, '[azion]\ntoken = "${NOT_SET_ANYWHERE}"\n')
    with pytest.raises(SettingsError, match=r"\[azion\] token: environment variable NOT_SET_"):
        build_settings("azion", {}, {}, config)
    # A flag (or the variable that beats the file) makes it irrelevant; so does another API.
    assert build_settings("azion", {"token": "flag-token"}, {}, config).token == "flag-token"
    assert build_settings("azion", {}, {"AZION_TOKEN": "env-tok"}, config).token == "env-tok"
    assert build_settings("akamai", {}, {}, config).token is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('base-url = "${TARGET}"\n', "base-url: names the target and takes no ${...}"),
        ('[akamai]\nedgerc = "${HOME}/.edgerc"\n', "edgerc: names the target"),
        ('token = "${UNCLOSED"\n', "token: malformed ${...}"),
        ('token = "${1BAD}"\n', "token: malformed ${...}"),
    ],
)
def test_variables_cannot_name_the_target_and_must_be_well_formed(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(ConfigFileError, match=message.replace("$", r"\$").replace("{", r"\{")):
        _load(tmp_path, text, {"TARGET": "http://127.0.0.1:9", "HOME": "/home/x"})


# --- bad files: one line, exit 2, before any request -------------------------------------------

BAD_FILES = [
    ("malformed", "max-examples = \n", "not valid TOML: "),
    ("not-utf8", b"token = '\xff'\n", "not UTF-8"),
    ("unknown-key", "max-example = 3\n", "unknown key 'max-example' (did you mean max-examples?)"),
    ("unknown-key-in-api-table", "[azion]\nsead = 1\n", "[azion] unknown key 'sead'"),
    ("nested-api-table", "[azion.akamai]\nseed = 1\n", "[azion] unknown key 'akamai'"),
    ("api-not-a-table", "azion = 3\n", "'azion' must be a table"),
    ("tool-table", "[tool.dsconform]\nseed = 1\n", "takes the keys at its top level"),
    ("twice", "max-examples = 1\nmax_examples = 2\n", "are the same key"),
    ("zero", "max-examples = 0\n", "max-examples: must be at least 1"),
    ("bool-for-number", "seed = true\n", "seed: expected text or a number, got a boolean"),
    ("text-for-switch", 'read-only = "yes"\n', "read-only: must be true or false"),
    ("bad-phase", 'phases = ["fuzz"]\n', "phases: unknown phase(s) fuzz"),
    ("bad-choice", 'fail-on = "some"\n', "fail-on: must be one of explicit, must, all"),
    ("bad-url", 'base-url = "ftp://127.0.0.1/"\n', "base-url: "),
    ("table-for-value", "[timeout]\nx = 1\n", "timeout: expected text or a number, got a table"),
    ("fault-with-target", 'fault = ["x"]\nbase-url = "{capture}"\n', "--fault applies only"),
]


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(content, expected, id=name) for name, content, expected in BAD_FILES],
)
@pytest.mark.parametrize("command", ["run", "config"])
def test_a_bad_file_is_one_line_exit_2_and_sends_nothing(
    content: str | bytes,
    expected: str,
    command: str,
    capture: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "dsconform.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content.replace("{capture}", capture.url), encoding="utf-8")
    before = capture.connections
    argv = [command, "--api", "azion"]
    if "base-url" not in str(content):  # else the file names the target
        argv += ["--base-url", capture.url]
    code, _, err = _cli(argv, capsys)
    assert code == ExitCode.USAGE, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("dsconform: error: "), err
    assert str(path) in err and expected in err, err
    assert capture.connections == before
    assert not (tmp_path / "reports").exists()


# --- which file --------------------------------------------------------------------------------


def test_dsconform_toml_beats_pyproject_in_one_directory(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", "[tool.dsconform]\nseed = 1\n[tool.other]\nx = 1\n")
    config = load_config(None, tmp_path, {})
    assert config is not None and config.path == tmp_path / "pyproject.toml"
    assert build_settings("azion", {}, {}, config).seed == 1
    _write(tmp_path, "dsconform.toml", "seed = 2\n")
    config = load_config(None, tmp_path, {})
    assert config is not None and config.path == tmp_path / "dsconform.toml"
    assert config.shadowed == tmp_path / "pyproject.toml"
    assert build_settings("azion", {}, {}, config).seed == 2


def test_a_pyproject_without_our_table_is_no_config_file(tmp_path: Path) -> None:
    _write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")
    assert load_config(None, tmp_path, {}) is None
    _write(tmp_path, "pyproject.toml", "[project\n")  # broken, but it may hold our table
    with pytest.raises(ConfigFileError, match=r"pyproject\.toml: not valid TOML"):
        load_config(None, tmp_path, {})
    _write(tmp_path, "dsconform.toml", "seed = 1\n")  # it is never read: this file wins
    config = load_config(None, tmp_path, {})
    assert config is not None and config.shadowed is None


def test_the_search_goes_up_to_the_checkout_root_and_no_further(tmp_path: Path) -> None:
    outer, checkout = tmp_path, tmp_path / "checkout"
    deep = checkout / "a" / "b"
    deep.mkdir(parents=True)
    _write(outer, "dsconform.toml", "seed = 1\n")  # above the checkout: never read from inside
    assert load_config(None, deep, {}) is None  # no .git: the current directory only
    (checkout / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")  # a worktree's
    assert load_config(None, deep, {}) is None
    _write(checkout, "pyproject.toml", "[tool.dsconform.azion]\nseed = 3\n")
    config = load_config(None, deep, {})
    assert config is not None and config.path == checkout / "pyproject.toml"
    assert build_settings("azion", {}, {}, config).seed == 3
    _write(checkout / "a", "dsconform.toml", "seed = 4\n")  # nearer wins
    config = load_config(None, deep, {})
    assert config is not None and config.path == checkout / "a" / "dsconform.toml"


def test_config_names_the_file(tmp_path: Path) -> None:
    _write(tmp_path, "dsconform.toml", "seed = 1\n")
    other = _write(tmp_path, "ci.toml", "seed = 5\n")
    config = load_config(other, tmp_path, {})
    assert config is not None and build_settings("azion", {}, {}, config).seed == 5
    assert load_config("ci.toml", tmp_path, {}) == config  # relative to the current directory
    (tmp_path / "x").mkdir()
    named = _write(tmp_path / "x", "pyproject.toml", "[tool.dsconform]\nseed = 6\n")
    config = load_config(named, tmp_path, {})
    assert config is not None and build_settings("azion", {}, {}, config).seed == 6
    empty = load_config("/dev/null", tmp_path, {})
    assert empty is not None and not empty.has_values
    with pytest.raises(ConfigFileError, match="config file not found"):
        load_config(tmp_path / "nope.toml", tmp_path, {})
    _write(tmp_path / "x", "pyproject.toml", "[tool.other]\n")
    with pytest.raises(ConfigFileError, match=r"no \[tool.dsconform\] table"):
        load_config(named, tmp_path, {})


# --- dsconform config / run --show-settings ----------------------------------------------------


@pytest.mark.parametrize("argv", [["config"], ["run", "--show-settings"]])
def test_the_effective_settings_are_printed_with_sources_and_no_secret(
    argv: list[str],
    capture: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FILE_TOKEN", SECRET)
    monkeypatch.setenv("AKAMAI_SECTION", "env-section")
    _write(
        tmp_path,
        "dsconform.toml",
        f'max-examples = 3\nseed = 4\n[azion]\nbase-url = "{capture.url}"\n'
        'token = "${FILE_TOKEN}"\nview-token = "literal-view-token-in-file"\n',
    )
    before = capture.connections
    code, out, err = _cli([*argv, "--api", "all", "--seed", "9"], capsys)
    assert code == ExitCode.OK, err
    assert SECRET not in out + err and "literal-view-token-in-file" not in out + err
    rows = {
        (api, line.split()[0]): line.split(maxsplit=2)[1:]
        for api, block in zip(("akamai", "azion"), out.split("azion settings"), strict=True)
        for line in block.splitlines()[1:]
        if line.startswith("  ")
    }
    path = tmp_path / "dsconform.toml"
    assert rows["azion", "base-url"] == [capture.url, f"file {path} [azion]"]
    assert rows["azion", "token"] == ["<redacted>", f"file {path} [azion] ${{FILE_TOKEN}}"]
    assert rows["azion", "view-token"] == ["<redacted>", f"file {path} [azion]"]
    assert rows["akamai", "token"] == ["none", "default"]
    assert rows["akamai", "max-examples"] == ["3", f"file {path}"]
    assert rows["akamai", "seed"] == ["9", "flag"]
    assert rows["akamai", "section"] == ["env-section", "env AKAMAI_SECTION"]
    assert rows["azion", "timeout"] == ["30", "default"]
    assert {name for _, name in rows} == set(OPTIONS_BY_NAME)
    assert capture.connections == before
    assert not (tmp_path / "reports").exists()


def test_a_run_takes_the_file_and_names_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--api all` with the common table's report-dir: DIR/<api>/ and a combined report, as
    with `--report-dir DIR`; each API's table picks its own scenarios."""
    monkeypatch.chdir(tmp_path)
    _write(
        tmp_path,
        "dsconform.toml",
        'profile = "minimal"\nreport-dir = "r"\n[azion]\nscenarios = "templates"\n'
        '[akamai]\nscenarios = ["auth-and-methods"]\n',
    )
    code, out, err = _cli(["run", "--api", "all", "--quiet"], capsys)
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err  # one scenario: some blocked
    assert err.splitlines()[0] == f"dsconform: settings from {tmp_path / 'dsconform.toml'}"
    assert f"combined report: {tmp_path / 'r' / 'report.html'}" in out
    for api, scenario in (("azion", "templates"), ("akamai", "auth-and-methods")):
        report = json.loads((tmp_path / "r" / api / "report.json").read_text(encoding="utf-8"))
        assert report["settings"]["scenarios"] == [scenario]
        assert report["settings"]["profile"] == "minimal"


# --- the pytest plugin reads the same file -----------------------------------------------------


def test_the_pytest_plugin_reads_the_same_file(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_gate="""
        from conformance.pytest_plugin import conformance_tests

        test_azion = conformance_tests("azion")
    """
    )
    pytester.makefile(".toml", dsconform='profile = "minimal"\n[azion]\nscenarios = "templatez"\n')
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-q", "-x")
    result.stdout.fnmatch_lines(["*dsconform: error: unknown azion scenario(s) templatez*"])
    flagged = pytester.runpytest_inprocess(
        "--dsconform-scenarios=templates", "-p", "no:cacheprovider", "-q"
    )
    assert flagged.ret == pytest.ExitCode.OK, flagged.stdout.str()
    report_dir = flagged.stdout.str().split("dsconform: azion report in ", 1)[1].split()[0]
    report = Path(report_dir) / "report.json"
    settings = json.loads(report.read_text(encoding="utf-8"))["settings"]
    assert (settings["profile"], settings["scenarios"]) == ("minimal", ["templates"])
    broken = pytester.runpytest_inprocess(
        "--dsconform-config=missing.toml", "-p", "no:cacheprovider", "-q", "-x"
    )
    broken.stdout.fnmatch_lines(["*dsconform: error: *missing.toml: config file not found*"])


# --- one table ---------------------------------------------------------------------------------


def test_every_run_flag_comes_from_the_table_and_its_help_names_env_and_default() -> None:
    parser = _build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command in ("run", "config"):
        actions = [a for a in commands.choices[command]._actions if a.option_strings]
        own = {"--help", "--api", "--config", "--quiet", "--show-settings"}
        for action in actions:
            flag = next(s for s in action.option_strings if s.startswith("--"))
            if flag in own:
                continue
            option = OPTIONS_BY_NAME.get(flag[2:])
            assert option is not None, f"{command} {flag} is not a row of RUN_OPTIONS"
            assert action.default is None, f"{flag}: a default hides the file's value"
            assert action.help is not None and "default: " in action.help, flag
            if option.env:
                assert f"env {option.env}" in action.help, flag
    assert len({o.name for o in RUN_OPTIONS}) == len(RUN_OPTIONS)


# --- schemathesis reads no file of its own ------------------------------------------------------

HOOK = """
import schemathesis

@schemathesis.hook
def map_headers(ctx, headers):
    return {**(headers or {}), "X-Stray-Hook": "1"}
"""


def _stray_run(directory: Path, capture: Capture) -> tuple[int, set[str]]:
    """A short run from `directory` (its working directory): exit code, header names sent."""
    seen = len(capture.requests)
    argv = ["run", "--api", "azion", "--base-url", capture.url, "--phases", "property,stateful"]
    argv += ["--max-examples", "1", "--quiet", "--report-dir", str(directory / "r")]
    err = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(directory)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            code = main(argv)
    assert "Traceback" not in err.getvalue()
    with capture.lock:
        headers = {k.lower() for _, _, h in capture.requests[seen:] for k in h}
    return code, headers


@pytest.fixture(scope="module")
def clean_run(capture: Capture, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, set[str]]:
    result = _stray_run(tmp_path_factory.mktemp("clean"), capture)
    assert result[1], "the run sent nothing: no header to compare"
    return result


STRAYS = {
    "headers": ('[headers]\nX-Stray = "from-the-working-directory"\n', False),
    "invalid": ("headers = 5\n", False),  # before: exit 4, schemathesis' ConfigError
    "not-toml": ("[[[headers\n", False),  # before: exit 4, TOMLDecodeError
    "hooks": ("", True),  # $SCHEMATHESIS_HOOKS: a module whose hook adds a header
}


@pytest.mark.parametrize("stray", sorted(STRAYS))
def test_a_stray_schemathesis_config_changes_nothing(
    stray: str,
    clean_run: tuple[int, set[str]],
    capture: Capture,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Before the fix: the headers went into our requests, an invalid file ended in exit 4."""
    from schemathesis.hooks import GLOBAL_HOOK_DISPATCHER

    text, hooks = STRAYS[stray]
    if text:
        _write(tmp_path, "schemathesis.toml", text)
    if hooks:
        monkeypatch.setenv("SCHEMATHESIS_HOOKS", str(_write(tmp_path, "stray_hooks.py", HOOK)))
    try:
        assert _stray_run(tmp_path, capture) == clean_run
    finally:
        GLOBAL_HOOK_DISPATCHER.unregister_all()  # had it been loaded, no other test inherits it


def test_the_readme_example_is_a_working_config_file(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    block = readme.split("    # dsconform.toml", 1)[1].split("\n\n- ", 1)[0]
    text = "\n".join(line[4:] for line in block.splitlines()[1:])
    config = _load(tmp_path, text, {"AZION_CI_TOKEN": SECRET})
    azion = build_settings("azion", {}, {}, config)
    assert (azion.base_url, azion.token, azion.profile) == (
        "https://api.azionapi.net",
        SECRET,
        "minimal",
    )
    akamai = build_settings("akamai", {}, {}, config)
    assert akamai.edgerc == Path("~/.edgerc").expanduser() and akamai.section == "ci"
    assert akamai.report_dir == tmp_path / "reports" / "ci"
    assert akamai.rate_limit == (20, 60.0) and akamai.phases == ("scenarios",)


def test_a_crash_log_scrubs_the_token_the_file_gave(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import conformance.runner.run

    def crash(*_: Any, **__: Any) -> Any:
        raise RuntimeError(f"our bug, holding {SECRET}")

    monkeypatch.setattr(conformance.runner.run, "run_conformance", crash)
    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "dsconform.toml", f'[azion]\ntoken = "{SECRET}"\n')
    code, _, err = _cli(["run", "--api", "azion", "--quiet", "--report-dir", "r"], capsys)
    assert code == ExitCode.INTERNAL, err
    logs = list((tmp_path / "r").glob("dsconform-crash-*.log"))
    assert len(logs) == 1
    text = logs[0].read_text(encoding="utf-8")
    assert "our bug, holding" in text and SECRET not in text


# --- plan and sweep read the same file ---------------------------------------------------------


def test_plan_and_sweep_read_the_same_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`plan` counts with the file's settings; `sweep` takes its target and token from it, and
    a broken file is the same one-line exit 2 for both."""
    from conformance.apis.azion.reference.credentials import DEFAULT_TOKEN
    from conformance.reference.config import ReferenceConfig
    from conformance.reference.launcher import reference_server

    monkeypatch.chdir(tmp_path)
    _write(tmp_path, "dsconform.toml", 'max-examples = 3\nphases = "property"\n')
    code, out, err = _cli(["plan", "--api", "azion"], capsys)
    assert code == ExitCode.OK, err
    rows = [line.split() for line in out.splitlines() if line.strip().startswith("property ")]
    assert ["property", "listStreamings", "<=", "6"] in rows, out  # 2 modes x the file's 3
    with reference_server("azion", ReferenceConfig()) as base_url:
        _write(
            tmp_path,
            "dsconform.toml",
            f'[azion]\nbase-url = "{base_url}"\ntoken = "{DEFAULT_TOKEN}"\n',
        )
        code, out, err = _cli(["sweep", "--api", "azion", "--dry-run"], capsys)
    assert code == ExitCode.OK, err
    assert "sweep: 0 found" in out
    _write(tmp_path, "dsconform.toml", "max-examples = [\n")
    for argv in (["plan", "--api", "azion"], ["sweep", "--api", "azion"]):
        code, out, err = _cli(argv, capsys)
        assert code == ExitCode.USAGE
        assert len(err.strip().splitlines()) == 1 and "dsconform.toml" in err, err
