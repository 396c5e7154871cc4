"""Bad input, flag by flag: exit 2, exactly one line on stderr, no traceback, and nothing sent.

Every `run` case that can name a target names a capture server on loopback that counts the
connections it gets: an input error must be found before the first request, so the count
stays zero (an unwritable report directory used to be found only after the whole run).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.exit_codes import ExitCode
from conformance.reporting.writers import LOCK_FILE
from tests.support.capture import Capture, capture_server

REPO = Path(__file__).resolve().parent.parent
SECRET = "planted-client-secret-Zq81"
EDGERC = (
    f"[default]\nclient_token = akab-ct\nclient_secret = {SECRET}\n"
    "access_token = akab-at\nhost = 127.0.0.1:9\n"
)

Setup = Callable[[Path], list[str]]


@pytest.fixture(scope="module")
def capture() -> Iterator[Capture]:
    with capture_server("127.0.0.1") as server:
        yield server


def _file(name: str, content: str | bytes) -> Setup:
    """A setup writing `content` to tmp/name and giving its path as the next argument."""

    def setup(tmp: Path) -> list[str]:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return [str(path)]

    return setup


def _replay(mutate: Callable[[dict[str, object]], object]) -> Setup:
    """A copy of the shipped Azion recording whose run.json `mutate` spoils."""

    def setup(tmp: Path) -> list[str]:
        root = tmp / "cassettes"
        shutil.copytree(REPO / "cassettes" / "azion", root / "azion")
        run_file = root / "azion" / "run.json"
        data = json.loads(run_file.read_text(encoding="utf-8"))
        result = mutate(data)
        text = result if isinstance(result, str) else json.dumps(data)
        run_file.write_text(text, encoding="utf-8")
        return [str(root)]

    return setup


def _set(key: str, value: object) -> Callable[[dict[str, object]], object]:
    def mutate(data: dict[str, object]) -> None:
        data[key] = value

    return mutate


def _drop(key: str) -> Callable[[dict[str, object]], object]:
    def mutate(data: dict[str, object]) -> None:
        data.pop(key, None)

    return mutate


def _a_file(tmp: Path) -> list[str]:
    path = tmp / "plain-file"
    path.write_text("x", encoding="utf-8")
    return [str(path)]


def _below_a_file(tmp: Path) -> list[str]:
    return [str(_a_file(tmp)[0] + "/reports")]


def _baseline(text: str) -> Setup:
    return _file("baseline.yaml", text)


ENTRY = "known_failures:\n  - requirement: AZION-CREATE-001\n    reason: known\n"
CAPTURE = "{capture}"
# (id, argv after `dsconform`, setup giving the argument that follows, expected text)
RUN = ["run", "--api", "azion", "--base-url", CAPTURE, "--quiet"]
RUN_AKAMAI = ["run", "--api", "akamai", "--base-url", CAPTURE, "--quiet"]
CASES: list[tuple[str, list[str], Setup | None, str]] = [
    # --api
    ("api-missing", ["run", "--base-url", CAPTURE], None, "--api"),
    ("api-unknown", ["run", "--api", "gcp"], None, "invalid choice"),
    ("api-all-base-url", ["run", "--api", "all", "--base-url", CAPTURE], None, "--api all"),
    # --base-url
    (
        "url-no-scheme",
        ["run", "--api", "azion", "--base-url", "127.0.0.1:8080"],
        None,
        "did you mean http://127.0.0.1:8080",
    ),
    ("url-ftp", ["run", "--api", "azion", "--base-url", "ftp://127.0.0.1/"], None, "scheme"),
    ("url-file", ["run", "--api", "azion", "--base-url", "file:///etc/passwd"], None, "scheme"),
    (
        "url-userinfo",
        ["run", "--api", "azion", "--base-url", "http://u:pw@127.0.0.1:9"],
        None,
        "user info",
    ),
    (
        "url-backslash",
        ["run", "--api", "azion", "--base-url", "http://127.0.0.1:9\\@x"],
        None,
        "backslash",
    ),
    (
        "url-space",
        ["run", "--api", "azion", "--base-url", "http://127.0.0.1:9 /x"],
        None,
        "whitespace",
    ),
    (
        "url-newline",
        ["run", "--api", "azion", "--base-url", "http://127.0.0.1:9\n"],
        None,
        "control character",
    ),
    ("url-empty", ["run", "--api", "azion", "--base-url", ""], None, "empty"),
    ("url-no-host", ["run", "--api", "azion", "--base-url", "http://"], None, "no host"),
    ("url-port", ["run", "--api", "azion", "--base-url", "http://127.0.0.1:99999"], None, "port"),
    (
        "url-query",
        ["run", "--api", "azion", "--base-url", "http://127.0.0.1:9/?a=1"],
        None,
        "query",
    ),
    # credentials
    ("token-empty", [*RUN, "--token", ""], None, "must not be empty"),
    ("view-token-empty", [*RUN, "--view-token", " "], None, "must not be empty"),
    ("token-for-akamai", [*RUN_AKAMAI, "--token", "abcdefgh"], None, "not an option of --api"),
    ("edgerc-for-azion", [*RUN, "--edgerc"], _file("edgerc", EDGERC), "not an option of --api"),
    ("edgerc-missing", [*RUN_AKAMAI, "--edgerc", "/nonexistent/.edgerc"], None, "not found"),
    ("edgerc-directory", [*RUN_AKAMAI, "--edgerc"], lambda tmp: [str(tmp)], "directory"),
    (
        "edgerc-not-utf8",
        [*RUN_AKAMAI, "--edgerc"],
        _file("edgerc", b"[default]\nclient_secret = \xff\xfe\n"),
        "UTF-8",
    ),
    (
        "edgerc-no-section-header",
        [*RUN_AKAMAI, "--edgerc"],
        _file("edgerc", EDGERC.split("\n", 1)[1]),
        "before any [section]",
    ),
    (
        "edgerc-unknown-section",
        [*RUN_AKAMAI, "--section", "prod", "--edgerc"],
        _file("edgerc", EDGERC),
        "no section [prod]",
    ),
    (
        "edgerc-missing-keys",
        [*RUN_AKAMAI, "--edgerc"],
        _file("edgerc", f"[default]\nclient_secret = {SECRET}\n"),
        "missing client_token",
    ),
    (
        "edgerc-unparsable",
        [*RUN_AKAMAI, "--edgerc"],
        _file("edgerc", f"[default]\n{SECRET}\n"),
        "cannot parse line(s) 2",
    ),
    (
        "edgerc-without-host",
        ["run", "--api", "akamai", "--quiet", "--edgerc"],
        _file("edgerc", EDGERC.replace("host = 127.0.0.1:9\n", "")),
        "no target",
    ),
    (
        "edgerc-bad-host",
        ["run", "--api", "akamai", "--quiet", "--edgerc"],
        _file("edgerc", EDGERC.replace("127.0.0.1:9", "u:pw@127.0.0.1:9")),
        "user info",
    ),
    ("section-empty", [*RUN_AKAMAI, "--section", ""], None, "must not be empty"),
    # --config
    ("config-missing", [*RUN, "--config", "/nonexistent/ds.toml"], None, "config file not found"),
    ("config-not-toml", [*RUN, "--config"], _file("ds.toml", "seed = \n"), "not valid TOML"),
    ("config-unknown-key", [*RUN, "--config"], _file("ds.toml", "sead = 1\n"), "unknown key"),
    # --report-dir
    ("report-dir-is-a-file", [*RUN, "--report-dir"], _a_file, "not a directory"),
    ("report-dir-below-a-file", [*RUN, "--report-dir"], _below_a_file, "not a directory"),
    (
        "report-dir-in-proc",
        [*RUN, "--report-dir", "/proc/dsconform-cannot-be/here"],
        None,
        "cannot create",
    ),
    # --phases, --profile, --scenarios
    ("phases-unknown", [*RUN, "--phases", "fuzz"], None, "unknown phase(s) fuzz"),
    ("phases-empty", [*RUN, "--phases", ","], None, "unknown phase(s)"),
    ("profile-unknown", [*RUN, "--profile", "huge"], None, "invalid choice"),
    ("scenarios-unknown", [*RUN, "--scenarios", "nope"], None, "unknown azion scenario(s) nope"),
    ("scenarios-empty", [*RUN, "--scenarios", ","], None, "scenario(s)"),
    (
        "scenarios-of-the-other-api",
        [*RUN, "--scenarios", "stream-lifecycle"],
        None,
        "unknown azion scenario(s)",
    ),
    # --domain-id
    ("domain-id-zero", [*RUN, "--domain-id", "0"], None, "positive id"),
    ("domain-id-text", [*RUN, "--domain-id", "abc"], None, "not a whole number"),
    ("domain-id-huge", [*RUN, "--domain-id", str(2**64)], None, "positive id"),
    # --rate-limit
    ("rate-zero", [*RUN, "--rate-limit", "0/1s"], None, "must be positive"),
    ("rate-zero-period", [*RUN, "--rate-limit", "5/0s"], None, "must be positive"),
    ("rate-nan", [*RUN, "--rate-limit", "5/nan"], None, "must be positive"),
    ("rate-inf", [*RUN, "--rate-limit", "5/inf"], None, "must be positive"),
    ("rate-text", [*RUN, "--rate-limit", "fast"], None, "N/PERIOD"),
    ("rate-huge", [*RUN, "--rate-limit", "5/1e300"], None, "at most"),
    # durations
    *[
        (f"{flag[2:]}-{value}", [*RUN, f"{flag}={value}"], None, expected)
        for flag in ("--timeout", "--deadline", "--settle-timeout")
        for value, expected in (
            ("nan", "finite"),
            ("inf", "finite"),
            ("-inf", "finite"),
            ("-1", "greater than 0"),
            ("0", "greater than 0"),
            ("abc", "not a number"),
            ("1e12", "at most"),
        )
    ],
    # counts
    ("max-examples-zero", [*RUN, "--max-examples", "0"], None, "at least 1"),
    ("max-examples-float", [*RUN, "--max-examples", "1.5"], None, "whole number"),
    ("max-examples-nan", [*RUN, "--max-examples", "nan"], None, "whole number"),
    ("max-examples-huge", [*RUN, "--max-examples", "100000000"], None, "at most"),
    ("seed-nan", [*RUN, "--seed", "nan"], None, "invalid int"),
    ("workers-zero", [*RUN, "--workers", "0"], None, "at least 1"),
    ("workers-huge", [*RUN, "--workers", "1000"], None, "at most 64"),
    ("workers-with-record", [*RUN, "--workers", "2", "--record", "x"], None, "--workers"),
    # --fault
    ("fault-with-base-url", [*RUN, "--fault", "rate-limit-missing"], None, "--fault applies"),
    (
        "fault-unknown",
        ["run", "--api", "azion", "--quiet", "--fault", "nope"],
        None,
        "unknown fault(s): nope",
    ),
    # --record / --replay
    ("record-is-a-file", [*RUN, "--record"], _a_file, "not a directory"),
    ("record-and-replay", [*RUN, "--record", "a", "--replay", "b"], None, "not allowed"),
    (
        "replay-missing",
        ["run", "--api", "azion", "--replay", "/nonexistent/cassettes"],
        None,
        "not found",
    ),
    ("replay-with-base-url", [*RUN, "--replay"], _replay(lambda d: None), "--replay takes"),
    (
        "replay-not-json",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(lambda d: "{not json"),
        "corrupt run file",
    ),
    (
        "replay-list",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(lambda d: "[1, 2]"),
        "not a dsconform run file",
    ),
    (
        "replay-base-url-number",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("base_url", 5)),
        "`base_url`",
    ),
    (
        "replay-base-url-trick",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("base_url", "http://127.0.0.2:1\\@127.0.0.1:9")),
        "`base_url`",
    ),
    (
        "replay-no-base-url",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_drop("base_url")),
        "`base_url`",
    ),
    (
        "replay-no-prefix",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_drop("run_prefix")),
        "`run_prefix`",
    ),
    (
        "replay-seed-text",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("seed", "zero")),
        "`seed`",
    ),
    (
        "replay-max-examples",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("max_examples", -1)),
        "`max_examples`",
    ),
    (
        "replay-phases",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("phases", "property")),
        "`phases`",
    ),
    (
        "replay-faults",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("faults", [1])),
        "`faults`",
    ),
    (
        "replay-headers",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("default_headers", ["Accept"])),
        "`default_headers`",
    ),
    (
        "replay-groups",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("groups", {"a": 1})),
        "groups",
    ),
    (
        "replay-clock",
        ["run", "--api", "azion", "--quiet", "--replay"],
        _replay(_set("clock_origin", "noon")),
        "`clock_origin`",
    ),
    # --baseline
    (
        "baseline-bad-date",
        [*RUN, "--baseline"],
        _baseline(ENTRY + "    expires: 2026-13-45\n"),
        "`expires` must be a date",
    ),
    (
        "baseline-text-date",
        [*RUN, "--baseline"],
        _baseline(ENTRY + "    expires: soon\n"),
        "`expires` must be a date",
    ),
    ("baseline-missing", [*RUN, "--baseline", "/nonexistent/baseline.yaml"], None, "not found"),
    ("baseline-not-yaml", [*RUN, "--baseline"], _baseline("known_failures: [\n"), "baseline"),
    ("baseline-not-utf8", [*RUN, "--baseline"], _file("b.yaml", b"\xff\xfe\x00"), "baseline"),
    ("baseline-no-list", [*RUN, "--baseline"], _baseline("known_failures: 3\n"), "list"),
    (
        "baseline-no-reason",
        [*RUN, "--baseline"],
        _baseline("known_failures:\n  - requirement: AZION-CREATE-001\n"),
        "`reason`",
    ),
    (
        "baseline-unknown-key",
        [*RUN, "--baseline"],
        _baseline(ENTRY + "    until: 1\n"),
        "unknown key",
    ),
    (
        "baseline-entry-text",
        [*RUN, "--baseline"],
        _baseline("known_failures: [x]\n"),
        "not a mapping",
    ),
    (
        "baseline-reason-mapping",
        [*RUN, "--baseline"],
        _baseline("known_failures:\n  - requirement: X\n    reason: {a: 1}\n"),
        "`reason`",
    ),
    (
        "baseline-requirement-list",
        [*RUN, "--baseline"],
        _baseline("known_failures:\n  - requirement: [a]\n    reason: r\n"),
        "`requirement`",
    ),
    # transport (issue 15): -H, TLS files, client certificates, the account key
    ("header-no-colon", [*RUN, "-H", f"Authorization Token {SECRET}"], None, "NAME:VALUE"),
    ("header-bad-name", [*RUN, "-H", f"X Key: {SECRET}"], None, "header name"),
    ("header-no-value", [*RUN, "-H", "X-Tenant:"], None, "no value"),
    ("header-newline", [*RUN, "-H", f"X-Key: a\r\nX-Evil: {SECRET}"], None, "control"),
    ("header-host", [*RUN, "-H", "Host: example.com"], None, "--base-url"),
    (
        "header-authorization-and-token",
        [*RUN, "--token", SECRET, "-H", f"Authorization: Bearer {SECRET}"],
        None,
        "give one of them",
    ),
    (
        "header-authorization-embedded",
        ["run", "--api", "azion", "--quiet", "-H", f"Authorization: Bearer {SECRET}"],
        None,
        "embedded reference server",
    ),
    (
        "header-authorization-and-edgerc",
        [*RUN_AKAMAI, "-H", f"Authorization: {SECRET}", "--edgerc"],
        _file("edgerc", EDGERC),
        "give one of them",
    ),
    ("ca-bundle-missing", [*RUN, "--ca-bundle", "/nonexistent/ca.pem"], None, "not found"),
    ("ca-bundle-not-pem", [*RUN, "--ca-bundle"], _file("ca.pem", "not a certificate"), "PEM"),
    (
        "ca-bundle-bad-pem",
        [*RUN, "--ca-bundle"],
        _file("ca.pem", "-----BEGIN CERTIFICATE-----\nZm9v\n-----END CERTIFICATE-----\n"),
        "OpenSSL cannot load",
    ),
    (
        "ca-bundle-and-no-verify",
        [*RUN, "--tls-verify", "false", "--ca-bundle"],
        _file("ca.pem", "x"),
        "exclude each other",
    ),
    ("tls-verify-word", [*RUN, "--tls-verify", "no"], None, "true or false"),
    ("client-key-alone", [*RUN, "--client-key"], _file("key.pem", "x"), "needs --client-cert"),
    ("client-cert-missing", [*RUN, "--client-cert", "/nonexistent/c.pem"], None, "not found"),
    ("client-cert-not-pem", [*RUN, "--client-cert"], _file("c.pem", "x"), "PEM certificate"),
    ("account-key-azion", [*RUN, "--account-key", "1-ABC:1-DEF"], None, "not an option of --api"),
    ("account-key-space", [*RUN_AKAMAI, "--account-key", "1 ABC"], None, "without spaces"),
    (
        "edgerc-max-body",
        [*RUN_AKAMAI, "--edgerc"],
        _file("edgerc", EDGERC + f"max_body = {SECRET}\n"),
        "max_body must be a whole number",
    ),
    (
        "sweep-ca-bundle-missing",
        ["sweep", "--api", "azion", "--base-url", CAPTURE, "--ca-bundle", "/nonexistent/ca"],
        None,
        "not found",
    ),
    # sweep
    ("sweep-no-scheme", ["sweep", "--api", "azion", "--base-url", "127.0.0.1:9"], None, "scheme"),
    (
        "sweep-backslash",
        ["sweep", "--api", "azion", "--base-url", "http://127.0.0.1:9\\@x"],
        None,
        "backslash",
    ),
    (
        "sweep-timeout-nan",
        ["sweep", "--api", "azion", "--base-url", CAPTURE, "--timeout", "nan"],
        None,
        "finite",
    ),
    (
        "sweep-short-prefix",
        ["sweep", "--api", "azion", "--base-url", CAPTURE, "--prefix", "ds"],
        None,
        "--prefix",
    ),
    ("sweep-no-target", ["sweep", "--api", "azion"], None, "needs a target"),
    (
        "sweep-token-empty",
        ["sweep", "--api", "azion", "--base-url", CAPTURE, "--token", ""],
        None,
        "must not be empty",
    ),
    (
        "sweep-edgerc-no-header",
        ["sweep", "--api", "akamai", "--base-url", CAPTURE, "--edgerc"],
        _file("edgerc", EDGERC.split("\n", 1)[1]),
        "before any [section]",
    ),
    # the other commands
    ("serve-port", ["serve", "--api", "azion", "--port", "99999"], None, "port"),
    ("serve-rate-window", ["serve", "--api", "azion", "--rate-window", "nan"], None, "finite"),
    ("serve-delay", ["serve", "--api", "azion", "--activation-delay", "inf"], None, "finite"),
    ("serve-rate-limit", ["serve", "--api", "azion", "--rate-limit", "5/0s"], None, "positive"),
    (
        "serve-rate-limit-and-window",
        ["serve", "--api", "azion", "--rate-limit", "5/1m", "--rate-window", "9"],
        None,
        "--rate-window",
    ),
    ("plan-max-examples", ["plan", "--api", "azion", "--max-examples", "0"], None, "at least 1"),
    ("plan-phases", ["plan", "--api", "azion", "--phases", "x"], None, "unknown phase"),
    ("report-missing", ["report", "/nonexistent/report"], None, "no such file"),
    ("diff-missing", ["diff", "/nonexistent/a", "/nonexistent/b"], None, "not found"),
    ("recheck-missing", ["recheck", "/nonexistent", "--api", "azion"], None, "no cassettes"),
    # --include, --exclude, --max-failures (issue 15)
    ("include-nothing", [*RUN, "--include", "AZION-NOPE-*"], None, "AZION-NOPE-* matches no azion"),
    ("exclude-other-api", [*RUN, "--exclude", "listStreams"], None, "matches no azion"),
    (
        "include-one-of-a-list",
        [*RUN, "--include", "AZION-AUTH-*,nope"],
        None,
        "--include nope matches no",
    ),
    ("max-failures-zero", [*RUN, "--max-failures", "0"], None, "must be at least 1"),
    ("max-failures-text", [*RUN, "--max-failures", "many"], None, "not a whole number"),
    (
        "plan-include-nothing",
        ["plan", "--api", "azion", "--include", "x*y"],
        None,
        "--include x*y matches no",
    ),
]


def _invoke(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str]:
    monkeypatch.delenv("AKAMAI_EDGERC", raising=False)
    monkeypatch.delenv("AZION_TOKEN", raising=False)
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "setup", "expected"),
    [pytest.param(argv, setup, expected, id=name) for name, argv, setup, expected in CASES],
)
def test_bad_input_is_one_line_exit_2_and_sends_nothing(
    argv: list[str],
    setup: Setup | None,
    expected: str,
    capture: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # a default report directory would land here
    argv = [capture.url if a == CAPTURE else a for a in argv]
    if setup is not None:
        argv = [*argv, *setup(tmp_path)]
    before = capture.connections
    code, err = _invoke(argv, capsys, monkeypatch)
    assert code == ExitCode.USAGE, err
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("dsconform: error:"), err
    assert expected in err
    assert SECRET not in err
    assert capture.connections == before, "a request was sent before the input error was found"
    assert not (tmp_path / "reports").exists(), "a report directory was made for a refused run"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to any directory")
def test_an_unwritable_report_dir_is_refused_before_the_run(
    capture: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    before = capture.connections
    argv = [capture.url if a == CAPTURE else a for a in RUN]
    code, err = _invoke([*argv, "--report-dir", str(locked)], capsys, monkeypatch)
    assert code == ExitCode.USAGE
    assert "not writable" in err and len(err.splitlines()) == 1
    assert capture.connections == before


def test_an_unwritable_report_dir_on_a_read_only_mount_is_refused(
    capture: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As root (CI containers), /proc/self is a directory nothing may be created in."""
    target = Path("/proc/self")
    if not target.is_dir():
        pytest.skip("no /proc")
    before = capture.connections
    argv = [capture.url if a == CAPTURE else a for a in RUN]
    code, err = _invoke([*argv, "--report-dir", str(target)], capsys, monkeypatch)
    assert code == ExitCode.USAGE, err
    assert "not writable" in err and len(err.splitlines()) == 1
    assert capture.connections == before
    assert not (target / LOCK_FILE).exists()


# The headline cases of issue 11, item 6, through the installed console script: what a user's
# terminal and a CI log see (exit status, one line, no traceback), not only main()'s return.
SCRIPT_CASES = [
    ["run", "--api", "azion", "--timeout", "nan"],
    ["run", "--api", "azion", "--deadline", "nan"],
    ["run", "--api", "azion", "--base-url", "127.0.0.1:8080"],
    ["run", "--api", "azion", "--base-url", "http://127.0.0.2:1\\@127.0.0.1:9"],
]


@pytest.mark.parametrize("argv", SCRIPT_CASES, ids=lambda a: " ".join(a[3:5]))
def test_the_console_script_prints_one_line(argv: list[str], tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("dsconform")
    done = subprocess.run(
        [str(script), *argv], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == ExitCode.USAGE
    assert "Traceback" not in done.stderr
    assert len(done.stderr.splitlines()) == 1, done.stderr


def test_console_script_edgerc_and_baseline_before_any_request(
    capture: Capture, tmp_path: Path
) -> None:
    script = Path(sys.executable).with_name("dsconform")
    edgerc = tmp_path / "edgerc"
    edgerc.write_text(EDGERC.split("\n", 1)[1], encoding="utf-8")
    baseline = tmp_path / "baseline.yaml"
    baseline.write_text(ENTRY + "    expires: 2026-13-45\n", encoding="utf-8")
    before = capture.connections
    for extra in (
        ["--api", "akamai", "--edgerc", str(edgerc)],
        ["--api", "azion", "--baseline", str(baseline)],
    ):
        done = subprocess.run(
            [str(script), "run", "--base-url", capture.url, *extra],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            env={k: v for k, v in os.environ.items() if k != "AKAMAI_EDGERC"},
        )
        assert done.returncode == ExitCode.USAGE, done.stderr
        assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
        assert SECRET not in done.stderr + done.stdout
    assert capture.connections == before


@pytest.mark.parametrize(
    "module", ["conformance.cassettes.samples", "conformance.cassettes.vendor_samples"]
)
@pytest.mark.parametrize("args", [["--help"], ["-x"], ["a", "b"]])
def test_generators_of_shipped_files_refuse_a_flag_instead_of_writing_under_it(
    module: str, args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`python -m ... --help` once wrote cassettes under a directory named `--help`."""
    monkeypatch.chdir(tmp_path)
    generator = __import__(module, fromlist=["main"])
    assert generator.main(args) == ExitCode.USAGE
    assert list(tmp_path.iterdir()) == []
