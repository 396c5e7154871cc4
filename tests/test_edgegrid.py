"""EdgeGrid the Akamai way (issue 15): the .edgerc read and signed for by edgegrid-python
(`max_body`, `headers_to_sign`), `AKAMAI_EDGERC_SECTION`, and the account switch key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from akamai.edgegrid import EdgeGridAuth
from akamai.edgegrid.edgegrid import EdgeGridAuthHeaders

from conformance.apis.akamai.auth import read_edgerc
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.akamai.reference.edgegrid_verify import parse_authorization
from conformance.cli import main
from conformance.core.target_client import TargetClient
from conformance.exit_codes import ExitCode
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.settings_builder import build_settings
from tests.support.capture import capture_server

CREDS = EdgeGridCredentials(
    "akab-client-token-3f9c", "edgegrid-test-secret-Qm7Zr2Xw9", "akab-access-token-8d1e"
)
ACCOUNT_KEY = "1-5BYUG1:1-8BYUX"
STREAMS = "/datastream-config-api/v1/log/streams"


@pytest.fixture(autouse=True)
def _no_akamai_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AKAMAI_EDGERC", "AKAMAI_SECTION", "AKAMAI_EDGERC_SECTION", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


def _edgerc(tmp_path: Path, extra: str = "", section: str = "default") -> Path:
    path = tmp_path / f"edgerc-{section}-{abs(hash(extra))}"
    path.write_text(
        f"[{section}]\nclient_token = {CREDS.client_token}\n"
        f"client_secret = {CREDS.client_secret}\naccess_token = {CREDS.access_token}\n"
        f"host = akab-host.luna.akamaiapis.net\n{extra}",
        encoding="utf-8",
    )
    return path


@contextmanager
def _akamai_client(base_url: str, edgerc: Path, **options: Any) -> Iterator[TargetClient]:
    from conformance.engine.target import open_target

    settings = build_settings("akamai", {"base_url": base_url, "edgerc": edgerc, **options}, {})
    with open_target(settings) as target:
        client = TargetClient(target.base_url, auth=target.auth, transport=target.transport)
        try:
            yield client
        finally:
            client.close()


# --- the .edgerc ------------------------------------------------------------------------------


def test_the_edgerc_is_read_by_edgegrid_python_with_max_body_and_headers_to_sign(
    tmp_path: Path,
) -> None:
    extra = "max-body = 2048\nheaders_to_sign = X-Signed,X-Other\naccount_key = " + ACCOUNT_KEY
    section = read_edgerc(_edgerc(tmp_path, extra + "\n"), "default")
    assert isinstance(section.auth, EdgeGridAuth)
    assert section.auth.ah.max_body == 2048
    assert section.auth.ah.headers_to_sign == ["x-signed", "x-other"]
    assert section.credentials.max_body == 2048
    assert section.account_key == ACCOUNT_KEY
    assert section.host == "akab-host.luna.akamaiapis.net"


def test_akamai_edgerc_section_is_honoured_before_akamai_section() -> None:
    both = {"AKAMAI_EDGERC_SECTION": "from-akamai-cli", "AKAMAI_SECTION": "from-dsconform"}
    assert build_settings("akamai", {}, both).section == "from-akamai-cli"
    assert build_settings("akamai", {}, {"AKAMAI_SECTION": "ours"}).section == "ours"
    assert build_settings("akamai", {"section": "flag"}, both).section == "flag"
    assert build_settings("akamai", {}, {}).section == "default"


def test_a_run_reads_the_section_akamai_edgerc_section_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    edgerc = tmp_path / "edgerc"
    edgerc.write_text(
        _edgerc(tmp_path, section="staging").read_text("utf-8").replace("client_secret", "x")
        + "\n"
        + _edgerc(tmp_path, section="prod").read_text("utf-8"),
        encoding="utf-8",
    )
    monkeypatch.setenv("AKAMAI_EDGERC_SECTION", "staging")  # lacks client_secret: refused
    with capture_server() as capture:
        code = main(["run", "--api", "akamai", "--base-url", capture.url, "--edgerc", str(edgerc)])
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE and "[staging]: missing client_secret" in err
    assert CREDS.client_secret not in err


# --- signing ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_max_body_server() -> Iterator[str]:
    """An Akamai reference server whose API hashes only the first 1024 bytes of a POST."""
    small = EdgeGridCredentials(
        CREDS.client_token, CREDS.client_secret, CREDS.access_token, max_body=1024
    )
    config = ReferenceConfig(credentials=small, rate_limit=1000, rate_window=1.0)
    with reference_server("akamai", config) as url:
        yield url


@pytest.mark.parametrize(("max_body", "signed"), [(1024, True), (None, False)])
def test_a_large_post_signed_with_the_edgerc_max_body_verifies(
    tmp_path: Path, small_max_body_server: str, max_body: int | None, signed: bool
) -> None:
    edgerc = _edgerc(tmp_path, f"max_body = {max_body}\n" if max_body else "")
    body = {"streamName": "x" * 5000, "groupId": 1}
    with _akamai_client(small_max_body_server, edgerc) as client:
        answer = client.send("POST", STREAMS, phase="test", json=body).response
    assert len(json.dumps(body)) > 4 * 1024
    if signed:  # the body is judged (400 or 201), the signature was accepted
        assert answer.status != 401, answer.body
    else:  # edgegrid-python's default 131072 hashes the whole body: not what this API signs
        assert answer.status == 401 and "signature" in answer.body


def test_headers_to_sign_are_part_of_the_signature(tmp_path: Path) -> None:
    edgerc = _edgerc(tmp_path, "headers_to_sign = X-Signed\n")
    signed_header = [("X-Signed", "one  two")]
    with (
        capture_server() as capture,
        _akamai_client(capture.url, edgerc, header=signed_header) as client,
    ):
        client.send("GET", "/datastream-config-api/v1/log/groups", phase="test")
    ((method, path, headers),) = capture.requests
    header = parse_authorization(headers["Authorization"])

    @dataclass
    class Request:
        method: str
        url: str
        headers: dict[str, str]
        body: bytes = b""

    request = Request(method, f"{capture.url}{path}", {k.lower(): v for k, v in headers.items()})
    request.headers["host"] = headers["Host"]

    def signature(signed_headers: list[str]) -> str:
        signer = EdgeGridAuthHeaders(
            CREDS.client_token,
            CREDS.client_secret,
            CREDS.access_token,
            headers_to_sign=signed_headers,
        )
        value: str = signer.sign_request(request, header.timestamp, header.unsigned)
        return value

    assert header.signature == signature(["X-Signed"])
    assert header.signature != signature([])


# --- the account switch key -------------------------------------------------------------------


def test_account_key_from_the_edgerc_rides_on_every_request_and_the_flag_wins(
    tmp_path: Path,
) -> None:
    edgerc = _edgerc(tmp_path, f"account_key = {ACCOUNT_KEY}\n")
    with capture_server() as capture:
        with _akamai_client(capture.url, edgerc) as client:
            client.send("GET", STREAMS, phase="test", params={"groupId": "7"})
            client.send("GET", "/datastream-config-api/v1/log/groups", phase="test", auth=False)
        with _akamai_client(capture.url, edgerc, account_key="1-FLAG:1-KEY") as client:
            client.send("PUT", f"{STREAMS}/1", phase="test", json={"a": 1})
    keys = [
        parse_qs(urlsplit(path).query).get("accountSwitchKey") for _, path, _ in capture.requests
    ]
    assert keys == [[ACCOUNT_KEY], [ACCOUNT_KEY], ["1-FLAG:1-KEY"]]
    assert "groupId=7" in capture.requests[0][1]


def test_account_switch_key_on_every_signed_request_of_a_run_and_in_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The embedded server checks every signature, the query included, and the spec's
    validators meet the extra parameter; the recording shows it on each request, redacted."""
    cassettes, reports = tmp_path / "cassettes", tmp_path / "report"
    argv = ["run", "--api", "akamai", "--account-key", ACCOUNT_KEY, "--quiet",
            "--phases", "property,scenarios", "--max-examples", "1",
            "--record", str(cassettes), "--report-dir", str(reports)]  # fmt: skip
    code = main(argv)
    err = capsys.readouterr().err
    assert code == ExitCode.OK, err
    report = json.loads((reports / "report.json").read_text("utf-8"))
    assert report["counts"]["failed"] == 0 and report["counts"]["passed"] > 100
    # The recording replays: its redacted accountSwitchKey rides on every replayed request.
    replayed_dir = tmp_path / "replayed"
    replay = ["run", "--api", "akamai", "--replay", str(cassettes), "--quiet"]
    assert main([*replay, "--report-dir", str(replayed_dir)]) == ExitCode.OK
    replayed = json.loads((replayed_dir / "report.json").read_text("utf-8"))
    assert replayed["counts"] == report["counts"]
    uris = [
        line.split("uri: ", 1)[1]
        for cassette in cassettes.rglob("*.yaml")
        for line in cassette.read_text("utf-8").splitlines()
        if line.strip().startswith("uri: ")
    ]
    assert len(uris) == report["requests"]["total"] > 30
    assert all("accountSwitchKey=<redacted>" in uri for uri in uris)
    encoded = ACCOUNT_KEY.replace(":", "%3A")
    for path in [*cassettes.rglob("*"), *reports.rglob("*"), *replayed_dir.rglob("*")]:
        if path.is_file():
            text = path.read_text("utf-8", "replace")
            assert ACCOUNT_KEY not in text and encoded not in text, path
    assert report["settings"]["account_key"] == "<redacted>"


def test_the_account_key_is_scrubbed_as_sent_in_a_url_too() -> None:
    from conformance.cassettes.recorder import target_secrets
    from conformance.engine.target import Target
    from conformance.redaction import redact_body_text, remember_credential, secret_scope
    from conformance.settings import RunSettings
    from conformance.transport import Transport

    target = Target("http://127.0.0.1:1", False, None, transport=Transport(account_key=ACCOUNT_KEY))
    echoed = json.dumps({"detail": f"unknown account 1-5BYUG1%3A1-8BYUX, {ACCOUNT_KEY}"})
    with secret_scope():
        for value in target_secrets(target, RunSettings(api="akamai")):
            remember_credential(value)
        scrubbed = redact_body_text(echoed)
    assert "5BYUG1" not in scrubbed and "<redacted>" in scrubbed
