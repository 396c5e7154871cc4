"""The write guard and the target (issue 11, items 4 and 5): one URL parser decides where
requests go and whether writes may go there, and only the command line names a target.

A capture server on 127.0.0.2 (another loopback address) counts every connection it gets: URL
tricks and an exported AKAMAI_EDGERC must not reach it; naming it on the command line must.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from conformance.cli import main
from conformance.core.target_client import TargetClient
from conformance.engine.target import open_target
from conformance.exit_codes import ExitCode
from conformance.runner.run import is_loopback, safety_rules
from conformance.settings import RunSettings
from conformance.settings_builder import build_settings
from conformance.target_url import TargetUrlError, parse_target_url
from tests.support.capture import Capture, capture_server

ELSEWHERE = "127.0.0.2"
EDGEGRID_PREFIX = "EG1-HMAC-SHA256"
QUICK = ["--phases", "property", "--max-examples", "1", "--quiet"]


@pytest.fixture
def elsewhere() -> Iterator[Capture]:
    with capture_server(ELSEWHERE) as server:
        yield server


def _edgerc(tmp_path: Path, host: str) -> Path:
    path = tmp_path / "edgerc"
    path.write_text(
        "[default]\nclient_token = akab-client-token-1\nclient_secret = "
        "c2VjcmV0LW9mLXRoZS13cml0ZS1ndWFyZA==\naccess_token = akab-access-token-1\n"
        f"host = {host}\n",
        encoding="utf-8",
    )
    return path


def _tricks(port: int) -> list[str]:
    """URLs that name 127.0.0.2:port to some parser and something else to another."""
    there = f"{ELSEWHERE}:{port}"
    return [
        f"http://{there}\\@127.0.0.1:9",  # the issue's: urllib3 connects to 127.0.0.2
        f"http://{there}\\\\@127.0.0.1:9",
        f"http://{there}/\\@127.0.0.1:9",
        f"http://127.0.0.1:9@{there}",  # user info
        f"http://user:s3cr3t-pw@{there}",
        f"http://{there}#@127.0.0.1:9",
        f"http://{there}?@127.0.0.1:9",
        f"http://{there} @127.0.0.1:9",
        f"http://{there}\t@127.0.0.1:9",
        f"http://{ELSEWHERE}%3A{port}@127.0.0.1:9",
        f" http://{there}",
        f"http://{there}\n",
        f"{there}",  # no scheme
        f"//{there}",
        f"ws://{there}",
    ]


def _run_argv(api: str, url: str, tmp_path: Path) -> list[str]:
    return ["run", "--api", api, "--base-url", url, "--report-dir", str(tmp_path / "r"), *QUICK]


def _call(argv: list[str]) -> int:
    try:
        return main(argv)
    except SystemExit as exc:  # argparse refusals
        return int(exc.code or 0)


def test_url_tricks_are_refused_and_reach_nothing(
    elsewhere: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    for url in _tricks(elsewhere.port):
        for argv in (
            _run_argv("azion", url, tmp_path),
            _run_argv("akamai", url, tmp_path),
            ["sweep", "--api", "azion", "--base-url", url],
        ):
            code = _call(argv)
            err = capsys.readouterr().err
            assert code == ExitCode.USAGE, (url, err)
            assert len(err.splitlines()) == 1 and "Traceback" not in err, err
            assert "s3cr3t-pw" not in err, err  # user info is never echoed
    assert elsewhere.connections == 0
    assert not (tmp_path / "r").exists()


def test_naming_the_other_address_reaches_it_with_writes(
    elsewhere: Capture, tmp_path: Path
) -> None:
    """The positive control: the same server, named plainly, gets the run (127.0.0.2 is on
    loopback, so writes are on)."""
    code = main(_run_argv("azion", elsewhere.url, tmp_path))
    assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE)  # a verdict, not 2
    assert elsewhere.connections > 0
    assert {"GET", "POST"} <= elsewhere.methods
    report = json.loads((tmp_path / "r" / "report.json").read_text(encoding="utf-8"))
    assert report["target"]["base_url"] == elsewhere.url


def test_loopback_judgement_and_connection_come_from_one_parse(elsewhere: Capture) -> None:
    """What the write guard judges is the URL the client sends to, and a refused URL is
    never judged loopback."""
    for url in _tricks(elsewhere.port):
        assert not is_loopback(url), url
    settings_ = RunSettings(api="azion", base_url=f"HTTP://{ELSEWHERE}:{elsewhere.port}/")
    with open_target(settings_) as target:
        assert target.base_url == elsewhere.url
        client = TargetClient(target.base_url, rules=safety_rules(settings_, target, []))
        assert client.read_only is False
        prepared = client.prepare("GET", "/data_streaming/streamings")
        assert parse_url(prepared.url).host == ELSEWHERE
        client.close()
    for remote in ("http://127.0.0.1.example.com", "http://localhost.example.com:80"):
        with open_target(RunSettings(api="azion", base_url=remote)) as target:
            rules = safety_rules(RunSettings(api="azion", base_url=remote), target, [])
            assert rules.read_only is True, remote


_URL_PIECES = st.lists(
    st.sampled_from(
        [
            "http://",
            "https://",
            "HTTP://",
            "127.0.0.1",
            "127.0.0.2",
            "localhost",
            "[::1]",
            "example.com",
            ":",
            "8080",
            "@",
            "\\",
            "/",
            "?",
            "#",
            "%",
            "%40",
            "%2F",
            " ",
            "\t",
            ".",
            "[",
            "]",
            "user",
            "\x00",
            "。",
        ]
    ),
    min_size=1,
    max_size=8,
).map("".join)


@settings(max_examples=400, deadline=None)
@given(_URL_PIECES | st.text(string.printable, max_size=40))
def test_an_accepted_url_means_the_same_host_to_every_parser(text: str) -> None:
    try:
        parsed = parse_target_url(text)
    except TargetUrlError:
        assert not is_loopback(text)
        return
    # urllib3 (what requests connects with) reads the same host and port, from our URL and
    # from the user's text alike; and requests sends to it.
    for url in (parsed.url, text):
        theirs = parse_url(url)
        assert (theirs.host or "").strip("[]").lower() in (parsed.host, f"{parsed.host}")
        assert theirs.port == parsed.port
        assert theirs.auth is None
    prepared = requests.Request("GET", parsed.url + "/x").prepare()
    assert parse_url(prepared.url).host.strip("[]").lower() == parsed.host  # type: ignore[union-attr]
    assert is_loopback(text) == parsed.is_loopback


def test_an_exported_edgerc_does_not_retarget_a_run(
    elsewhere: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 11, item 5: AKAMAI_EDGERC names a host; the command line does not."""
    for host in (f"{ELSEWHERE}:{elsewhere.port}", elsewhere.url):
        monkeypatch.setenv("AKAMAI_EDGERC", str(_edgerc(tmp_path, host)))
        code = main(["run", "--api", "akamai", "--report-dir", str(tmp_path / "one"), *QUICK])
        assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE)  # a verdict, not 2
        report = json.loads((tmp_path / "one" / "report.json").read_text(encoding="utf-8"))
        assert report["target"]["embedded"] is True
        assert report["requests"]["total"] > 0
    assert elsewhere.connections == 0


def test_an_exported_edgerc_does_not_retarget_api_all(
    elsewhere: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AKAMAI_EDGERC", str(_edgerc(tmp_path, elsewhere.url)))
    monkeypatch.setenv("AKAMAI_SECTION", "default")
    code = main(["run", "--api", "all", "--report-dir", str(tmp_path / "all"), *QUICK])
    assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE)  # a verdict, not 2
    for api in ("akamai", "azion"):
        report = json.loads((tmp_path / "all" / api / "report.json").read_text(encoding="utf-8"))
        assert report["target"]["embedded"] is True
    assert elsewhere.connections == 0


def test_an_exported_edgerc_signs_for_a_named_base_url(
    elsewhere: Capture, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The variable still supplies credentials: for the target the command line names."""
    monkeypatch.setenv("AKAMAI_EDGERC", str(_edgerc(tmp_path, "akab-x.luna.akamaiapis.net")))
    code = main(_run_argv("akamai", elsewhere.url, tmp_path))
    assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE)  # a verdict, not 2
    assert elsewhere.connections > 0
    with elsewhere.lock:
        signed = [h.get("Authorization", "") for _, _, h in elsewhere.requests]
    assert signed and all(a.startswith(EDGEGRID_PREFIX) for a in signed if a)


def test_an_edgerc_flag_names_its_host(elsewhere: Capture, tmp_path: Path) -> None:
    """`--edgerc FILE` on the command line is the user naming that file's host."""
    edgerc = _edgerc(tmp_path, elsewhere.url)
    argv = ["run", "--api", "akamai", "--edgerc", str(edgerc)]
    code = main([*argv, "--report-dir", str(tmp_path / "r"), *QUICK])
    assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE)  # a verdict, not 2
    assert elsewhere.connections > 0


def test_sweep_takes_no_target_from_the_environment(
    elsewhere: Capture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AKAMAI_EDGERC", str(_edgerc(tmp_path, elsewhere.url)))
    assert main(["sweep", "--api", "akamai", "--dry-run"]) == ExitCode.USAGE
    assert "needs a target" in capsys.readouterr().err
    assert elsewhere.connections == 0


def test_the_variable_is_credentials_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    edgerc = _edgerc(tmp_path, "example.com")
    monkeypatch.setenv("AKAMAI_EDGERC", str(edgerc))

    def edgerc_for_run(flag: Path | None, base_url: str | None) -> Path | None:
        return build_settings("akamai", {"edgerc": flag, "base_url": base_url}).edgerc

    assert edgerc_for_run(None, None) is None
    assert edgerc_for_run(None, "http://127.0.0.1:1") == edgerc
    flag = tmp_path / "other"
    assert edgerc_for_run(flag, None) == flag


@pytest.mark.parametrize(
    ("text", "url", "loopback"),
    [
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080", True),
        ("HTTP://LocalHost:80/base/", "http://localhost:80/base", True),
        ("http://127.9.9.9", "http://127.9.9.9", True),
        ("http://[::1]:8080/", "http://[::1]:8080", True),
        ("https://api.azionapi.net", "https://api.azionapi.net", False),
        ("https://akab-x.luna.akamaiapis.net/", "https://akab-x.luna.akamaiapis.net", False),
        ("http://[::ffff:127.0.0.1]", "http://[::ffff:7f00:1]", False),  # mapped: not judged
        ("http://2130706433", "http://2130706433", False),  # 127.0.0.1 to a resolver: not judged
        ("http://localhost.", "http://localhost.", False),
    ],
)
def test_accepted_urls_are_normalised(text: str, url: str, loopback: bool) -> None:
    parsed = parse_target_url(text)
    assert parsed.url == url
    assert parsed.is_loopback is loopback
    assert parse_target_url(parsed.url) == parsed  # idempotent: the client's URL parses alike
