"""What differs per API about reaching a target lives behind its definition: the run options it
takes, its variables, its `access.py` (how requests are signed). An API whose folder has no
access.py runs unsigned, and the shared code names no API to get there."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from akamai.edgegrid import EdgeGridAuth

from conformance.apis import APIS, AZION
from conformance.apis.azion.auth import AzionTokenAuth
from conformance.cassettes.replay import PlaceholderAuth, placeholder_auth
from conformance.core.target_client import HeaderAuth
from conformance.crash_log import _credentials
from conformance.engine.target import open_target, target_access
from conformance.redaction import PLACEHOLDER
from conformance.settings import RunSettings
from conformance.settings_builder import SettingsError, build_settings, foreign_option

BARE = "bare"  # an API that takes no credentials: no access.py, no options, no variables


@pytest.fixture
def bare_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A third API in the list whose folder (tests/support) has no access.py."""
    definition = dataclasses.replace(
        AZION, name=BARE, package="tests.support", options={}, environment={}, examples=()
    )
    monkeypatch.setitem(APIS, BARE, definition)
    yield BARE


def test_an_api_without_access_is_reached_unsigned_with_its_headers(bare_api: str) -> None:
    settings = RunSettings(api=bare_api, base_url="http://127.0.0.1:9")
    with open_target(settings) as target:
        assert (target.auth, target.view_auth, target.embedded) == (None, None, False)
        assert target.default_headers == dict(AZION.request_headers)
    signed = dataclasses.replace(settings, headers=(("Authorization", "Bearer k-123"),))
    with open_target(signed) as target:  # -H Authorization is the credential then
        assert isinstance(target.auth, HeaderAuth) and target.auth.header_value == "Bearer k-123"


def test_an_api_without_access_takes_no_credential_option_nor_variable(bare_api: str) -> None:
    refusal = foreign_option(bare_api, {"token": "t", "edgerc": None})
    assert refusal == "--token is not an option of --api bare (it takes none of them)"
    assert foreign_option(bare_api, {"base_url": "http://127.0.0.1:9"}) is None
    with pytest.raises(SettingsError, match="--account-key is not an option of --api bare"):
        build_settings(bare_api, {"account_key": "1-A:1-B"}, {})
    environ = {"AZION_TOKEN": "env-token", "AKAMAI_EDGERC": "e", "AKAMAI_SECTION": "s"}
    settings = build_settings(bare_api, {"base_url": "http://127.0.0.1:9"}, environ)
    assert (settings.token, settings.edgerc, settings.section) == (None, None, "default")
    assert target_access(bare_api).names_target(settings) is False


def test_another_apis_option_is_refused_naming_what_this_one_takes() -> None:
    assert foreign_option("azion", {"edgerc": "f"}) == (
        "--edgerc is not an option of --api azion (it takes --token, --view-token, --domain-id)"
    )
    assert foreign_option("akamai", {"view_token": "v"}) == (
        "--view-token is not an option of --api akamai (it takes --edgerc, --section, "
        "--account-key)"
    )
    assert foreign_option("akamai", {"edgerc": "f", "section": "s", "account_key": "k"}) is None


SWEEP_NOTHING = ["--prefix", "dsconform-x", "--base-url", "http://127.0.0.1:9", "--dry-run"]


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--api", "azion", "--edgerc", "/dev/null", "--show-settings"],
        ["config", "--api", "azion", "--edgerc", "/dev/null"],
        ["sweep", "--api", "azion", "--edgerc", "/dev/null", *SWEEP_NOTHING],
        ["sweep", "--api", "akamai", "--token", "t", *SWEEP_NOTHING],
    ],
)
def test_every_command_refuses_another_apis_option_as_run_does(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`config`, `run --show-settings` and `sweep` ignored `--edgerc` under --api azion: a
    sweep would then have run without the credentials the user meant (it tried the target)."""
    from conformance.cli import main

    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "is not an option of --api" in err


def test_a_replay_signs_with_a_placeholder_of_the_recorded_kind(bare_api: str) -> None:
    token = placeholder_auth("azion", "AzionTokenAuth")
    assert isinstance(token, AzionTokenAuth) and token.token == PLACEHOLDER
    assert isinstance(placeholder_auth("akamai", "EdgeGridAuth"), EdgeGridAuth)
    assert isinstance(placeholder_auth("azion", "HeaderAuth"), PlaceholderAuth)
    assert isinstance(placeholder_auth(bare_api, "HeaderAuth"), PlaceholderAuth)
    assert placeholder_auth("akamai", None) is None


def test_a_crash_log_scrubs_the_edgerc_a_variable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    edgerc = tmp_path / "edgerc"
    edgerc.write_text(
        "[ci]\nclient_token = akab-crash-ct\nclient_secret = crash-secret-Zq81\n"
        "access_token = akab-crash-at\nhost = 127.0.0.1:9\naccount_key = 1-CRASH:1-KEY\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("AKAMAI_EDGERC", str(edgerc))
    monkeypatch.setenv("AKAMAI_EDGERC_SECTION", "ci")  # read before $AKAMAI_SECTION
    monkeypatch.setenv("AKAMAI_SECTION", "missing")
    monkeypatch.setenv("AZION_TOKEN", "azion-crash-token")
    found = _credentials(argparse.Namespace(view_token="view-crash-token"))
    wanted = {"akab-crash-ct", "crash-secret-Zq81", "akab-crash-at", "1-CRASH:1-KEY"}
    assert wanted | {"azion-crash-token", "view-crash-token"} <= found


def _serve_args(*argv: str) -> argparse.Namespace:
    from conformance.cli import _build_parser

    return _build_parser().parse_args(["serve", *argv])


def test_serve_takes_each_apis_credential_flags_from_its_folder(bare_api: str) -> None:
    import requests

    from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
    from conformance.apis.azion.reference.credentials import Tokens
    from conformance.reference.config import ReferenceConfig
    from conformance.reference.launcher import reference_server
    from conformance.reference.serve_command import _server_credentials

    signed = _server_credentials(_serve_args("--api", "akamai", "--edgegrid", "ct", "cs", "at"))
    assert signed == EdgeGridCredentials("ct", "cs", "at")
    assert _server_credentials(_serve_args("--api", "akamai")) is None  # the header's form only
    args = _serve_args("--api", "azion", "--token", "edit-7", "--view-token", "view-7")
    assert _server_credentials(args) == Tokens("edit-7", "view-7")
    config = ReferenceConfig(credentials=_server_credentials(args))
    accept = {"Accept": "application/json; version=3"}
    with reference_server("azion", config) as base_url, requests.Session() as session:
        session.trust_env = False  # loopback only, whatever proxy the environment names
        for token, status in (("edit-7", 200), ("view-7", 200), ("dsconform-edit-token", 401)):
            answer = session.get(
                f"{base_url}/data_streaming/streamings",
                headers={**accept, "Authorization": f"Token {token}"},
                timeout=10,
            )
            assert answer.status_code == status, token
    bare = argparse.Namespace(api=bare_api, token="t", edgegrid=None)
    assert _server_credentials(bare) is None  # no serving.py: a server without credentials
