"""Secrets never reach disk: a hostile target plants them in every corner of its answers, and
the user's own credentials (a 6-character token among them) come back echoed; none of it may
appear in any report, cassette or line the CLI prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.apis import APIS
from conformance.apis.akamai.auth import edgegrid_auth
from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.azion.auth import AzionTokenAuth
from conformance.cassettes.recorder import target_secrets
from conformance.cassettes.secret_scan import scan_text
from conformance.engine.target import Target
from conformance.redaction import (
    PLACEHOLDER,
    SECRET_FIELDS,
    SECRET_HEADERS,
    is_secret_header,
    is_secret_name,
    redact_body_text,
    redact_headers,
    redact_json,
    redact_url,
    remember_credential,
    scrub_known_secrets,
    scrub_strings,
    secret_scope,
)
from conformance.reporting.writers import JUNIT_XML, REPORT_HTML, REPORT_JSON, SUMMARY_MD
from conformance.settings import RunSettings
from tests.support.hostile import PLANTED, hostile_body, hostile_server

DSCONFORM = str(Path(sys.executable).with_name("dsconform"))
# Six characters: under the 8 that "looks like a secret" needs, so only the credential rule
# (whole words and values) can catch it; mixed case, so no hex id or word contains it.
SHORT_TOKEN = "Zq7Kp2"
VIEW_TOKEN = "Vw3xQ"
EDGEGRID = {
    "client_token": "akab-ct-Q1w2e3r4",
    "client_secret": "Sx9Yt7",
    "access_token": "akab-at-R4t5y6u7",
}
RUN_BOUND = 300  # seconds; a run against the hostile target takes 20-45 s on a loaded machine


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [DSCONFORM, "run", *args], capture_output=True, text=True, timeout=RUN_BOUND, check=False
    )


def _leaks(needles: dict[str, str], *texts: tuple[str, str]) -> list[str]:
    return [
        f"{name} in {where}" for where, text in texts for name, v in needles.items() if v in text
    ]


def _written(*roots: Path) -> list[tuple[str, str]]:
    return [
        (str(path), path.read_text(encoding="utf-8", errors="replace"))
        for root in roots
        for path in sorted(root.rglob("*"))
        if path.is_file()
    ]


@pytest.mark.parametrize(
    ("api", "record"), [("azion", True), ("akamai", True), ("azion", False)], ids=str
)
def test_a_hostile_target_gets_no_secret_onto_disk_or_the_terminal(
    api: str, record: bool, tmp_path: Path
) -> None:
    reports, cassettes = tmp_path / "reports", tmp_path / "cassettes"
    needles = dict(PLANTED)
    if api == "azion":
        credentials = ["--token", SHORT_TOKEN, "--view-token", VIEW_TOKEN]
        needles |= {"--token": SHORT_TOKEN, "--view-token": VIEW_TOKEN}
    else:
        edgerc = tmp_path / "credentials" / ".edgerc"
        edgerc.parent.mkdir()
        edgerc.write_text(
            "[default]\n" + "".join(f"{k} = {v}\n" for k, v in EDGEGRID.items()), encoding="utf-8"
        )
        credentials = ["--edgerc", str(edgerc)]
        needles |= EDGEGRID
    with hostile_server() as url:
        result = _run(
            [
                "--api",
                api,
                "--base-url",
                url,
                *credentials,
                "--max-examples",
                "1",
                "--settle-timeout",
                "1",
                *(["--record", str(cassettes)] if record else []),
                "--report-dir",
                str(reports),
            ]
        )
    assert result.returncode == 1, result.stderr[-2000:]  # findings, not a crash
    assert "Traceback" not in result.stderr
    files = _written(reports, cassettes)
    names = {Path(where).name for where, _ in files}
    assert {REPORT_JSON, REPORT_HTML, SUMMARY_MD, JUNIT_XML} <= names
    if record:
        assert "run.json" in names
        assert sum(where.endswith(".yaml") for where, _ in files) >= 3
    leaks = _leaks(needles, ("stdout", result.stdout), ("stderr", result.stderr), *files)
    assert leaks == []
    # Not vacuous: the hostile answers did reach the report (their harmless parts intact).
    report = (reports / REPORT_JSON).read_text(encoding="utf-8")
    assert '\\"name\\": \\"kept\\"' in report
    assert PLACEHOLDER in report


def test_an_edgerc_without_a_section_header_is_refused_without_quoting_it(
    tmp_path: Path,
) -> None:
    edgerc = tmp_path / ".edgerc"
    edgerc.write_text(
        "".join(f"{k} = {v}\n" for k, v in reversed(EDGEGRID.items())), encoding="utf-8"
    )
    broken = tmp_path / "broken.edgerc"  # a line that is not `name = value`
    broken.write_text(f"[default]\nclient_secret {EDGEGRID['client_secret']}\n", encoding="utf-8")
    percent = tmp_path / "percent.edgerc"  # configparser's interpolation quotes the value
    percent.write_text("[default]\nclient_secret = Sx%9Yt7\n", encoding="utf-8")
    for path, secrets in (
        (edgerc, list(EDGEGRID.values())),
        (broken, [EDGEGRID["client_secret"]]),
        (percent, ["9Yt7"]),
    ):
        result = _run(
            ["--api", "akamai", "--edgerc", str(path), "--base-url", "http://127.0.0.1:9"]
        )
        assert result.returncode == 2
        assert not [s for s in secrets if s in result.stderr + result.stdout], result.stderr
        assert "Traceback" not in result.stderr
        line = result.stderr.strip()
        assert len(line.splitlines()) == 1, line
        assert "line" in line or "%" in line, line


# ------------------------------------------------------------------------------ the pipeline


@pytest.mark.parametrize(
    "name",
    [
        "api_key",
        "apiKey",
        "API-KEY",
        "Api Key",
        "password",
        "Password",
        "passwd",
        "privateKey",
        "client_secret",
        "clientSecret",
        "client-secret",
        "secretAccessKey",
        "access_token",
        "token",
        "secret",
        "credentials",
        "authorization",
        "refreshTokens",
        "subscription_key",
    ],
)
def test_secret_names_match_across_spellings(name: str) -> None:
    assert is_secret_name(name)
    assert redact_body_text(json.dumps({"outer": [{name: "v4lue-of-it"}]})) == json.dumps(
        {"outer": [{name: PLACEHOLDER}]}
    )


@pytest.mark.parametrize(
    "name", ["streamVersionKey", "object_key_prefix", "name", "keyId", "author", "pageToken"]
)
def test_identifiers_that_merely_contain_key_or_token_are_kept(name: str) -> None:
    assert not is_secret_name(name)


def test_headers_by_deny_list_and_pattern_but_not_rate_limit_counters() -> None:
    headers = {
        "X-Secret": "s1",
        "X-Api-Key": "s2",
        "Set-Cookie": "session=s3",
        "X-Upstream-Token": "s4",
        "Proxy-Authorization": "s5",
        "Ocp-Apim-Subscription-Key": "s6",
        "X-Forwarded-Thing": "Bearer s7",  # a credential by its form
        "X-RateLimit-Remaining": "19",
        "X-RateLimit-Next": "2026-01-01T00:00:00Z",
        "WWW-Authenticate": 'Token realm="api"',
        "Content-Type": "application/json",
    }
    redacted = redact_headers(headers)
    secret = [name for name, value in redacted.items() if value == PLACEHOLDER]
    assert secret == list(headers)[:7]
    assert not is_secret_header("X-Cache-Key")
    assert redacted["WWW-Authenticate"] == headers["WWW-Authenticate"]


def test_secrets_inside_strings_queries_and_messages() -> None:
    body = hostile_body("Token abcdefgh", "")
    text = redact_body_text(json.dumps(body))
    assert not [name for name, value in PLANTED.items() if value in text and "X-" not in name]
    assert (
        redact_url("/x?page=2&apiKey=k3y&sig=abc")
        == f"/x?page=2&apiKey={PLACEHOLDER}&sig={PLACEHOLDER}"
    )
    assert redact_url("https://bob:pw1@host/x") == f"https://{PLACEHOLDER}@host/x"
    # A check message quoting a body (cut mid-way) or a Python repr of one.
    message = 'not a map: \'{"apiKey": "k1", "credentials": {"pass": "k2"}, "Password": "k3'
    assert scrub_strings(message) == (
        f'not a map: \'{{"apiKey": "{PLACEHOLDER}", "credentials": "{PLACEHOLDER}", '
        f'"Password": "{PLACEHOLDER}'
    )
    assert scrub_strings("got {'privateKey': 'k4', 'n': 1}") == (
        f"got {{'privateKey': '{PLACEHOLDER}', 'n': 1}}"
    )


def test_short_credentials_go_where_they_stand_alone_and_english_survives() -> None:
    with secret_scope():
        for token in (SHORT_TOKEN, "k9", "a"):
            remember_credential(token)
        assert scrub_known_secrets(f"bad token {SHORT_TOKEN}.") == f"bad token {PLACEHOLDER}."
        assert scrub_known_secrets(f"x{SHORT_TOKEN}y") == f"x{SHORT_TOKEN}y"  # not a whole word
        # One or two characters: only as a value of its own.
        assert scrub_known_secrets("k9") == PLACEHOLDER
        assert scrub_known_secrets('{"t": "k9", "u": "a"}') == (
            f'{{"t": "{PLACEHOLDER}", "u": "{PLACEHOLDER}"}}'
        )
        assert scrub_known_secrets("?token=k9&x=1") == f"?token={PLACEHOLDER}&x=1"
        assert scrub_known_secrets("sent Token k9") == f"sent Token {PLACEHOLDER}"
        english = "a k9 unit is a required field; ok9 and k9x are ids"
        assert scrub_known_secrets(english) == english
        # The file scan judges the same way: a credential word is a leak, a fragment is not.
        assert scan_text(f"body: you sent {SHORT_TOKEN}\n", Path("f.yaml"))
        assert scan_text(f"id: q{SHORT_TOKEN}r\nnote: {english}\n", Path("f.yaml")) == []


def test_every_credential_the_run_holds_is_known_to_the_recorder() -> None:
    headers = {"X-Api-Key": "Bearer hdr9", "Accept": "application/json"}
    token, view = AzionTokenAuth("tk1"), AzionTokenAuth("v2")
    azion = Target("http://127.0.0.1:1", False, token, headers, view)
    found = set(target_secrets(azion, RunSettings(api="azion", token="tk1", view_token="v2")))
    assert found == {"tk1", "v2", "Bearer hdr9", "hdr9"}
    creds = EdgeGridCredentials(*EDGEGRID.values())
    akamai = Target("http://127.0.0.1:1", False, edgegrid_auth(creds))
    assert set(target_secrets(akamai, RunSettings(api="akamai"))) == set(EDGEGRID.values())


def test_redaction_takes_each_apis_secrets_from_its_definition() -> None:
    """What is secret in one API only (its headers, signature scheme, connector members, value
    maps, other names) is declared in its folder's definition; redaction unions the list."""
    declared = {
        "headers": [h for api in APIS.values() for h in api.secret_headers],
        "schemes": [s for api in APIS.values() for s in api.secret_auth_schemes],
        "members": [m for api in APIS.values() for m in api.secret_members],
        "maps": [m for api in APIS.values() for m in api.secret_value_maps],
        "names": [n for api in APIS.values() for n in api.secret_names],
    }
    assert all(declared.values()), declared  # each kind is declared by some API
    for header in declared["headers"]:
        assert header.lower() in SECRET_HEADERS and redact_headers({header: "v"}) == {
            header: PLACEHOLDER
        }
    for scheme in declared["schemes"]:
        assert redact_headers({"X-Anything": f"{scheme}SHA256 x"})["X-Anything"] == PLACEHOLDER
    assert set(declared["members"]) <= SECRET_FIELDS
    for member in declared["maps"]:
        assert redact_json({member: {"X-Custom": "plain"}}) == {member: {"X-Custom": PLACEHOLDER}}
    assert all(is_secret_name(name) for name in [*declared["members"], *declared["names"]])
