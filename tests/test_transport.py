"""Transport options (issue 15): `-H`, TLS with a CA of our own, client certificates, proxy
and CA variables as `requests` users expect, and the request watchdog over TLS and proxies."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from conformance.apis.azion.reference.credentials import Tokens
from conformance.cli import main
from conformance.core.target_client import TargetClient, TargetError
from conformance.engine.target import open_target
from conformance.exit_codes import ExitCode
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.settings import RunSettings
from conformance.settings_builder import build_settings
from tests.support.capture import capture_server
from tests.support.http_server import serving_http
from tests.support.misbehaving import _drip, _read_request, serving
from tests.support.tls import TUNNELLED_HOST, Pki, connect_proxy, make_pki, tls_terminator

TOKEN = "transport-test-token-7f3a9c2e41"
VIEW_TOKEN = "transport-view-token-0b8d6e5a13"
GATEWAY_KEY = "gw-key-Zq81-5d0c7b2a9e"
# A name that is never resolved: the client hands it to the proxy, which answers itself.
REMOTE = "http://dsconform-target.invalid"
NETWORK_VARIABLES = (
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "SSL_CERT_FILE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "NO_PROXY",
)


@pytest.fixture(autouse=True)
def _no_network_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*NETWORK_VARIABLES, *(n.lower() for n in NETWORK_VARIABLES)):
        monkeypatch.delenv(name, raising=False)
    for name in ("AZION_TOKEN", "AKAMAI_EDGERC", "AKAMAI_SECTION", "AKAMAI_EDGERC_SECTION"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def azion_url() -> Iterator[str]:
    config = ReferenceConfig(
        credentials=Tokens(TOKEN, VIEW_TOKEN), rate_limit=50, rate_window=1.0, activation_delay=0.1
    )
    with reference_server("azion", config) as url:
        yield url


def _run(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> tuple[int, str, Path]:
    report_dir = tmp_path / f"report-{time.monotonic_ns()}"
    code = main(["run", "--quiet", "--report-dir", str(report_dir), *argv])
    return code, capsys.readouterr().err, report_dir


# Every Azion scenario but the rate-limit burst, which over the test's TLS terminator (slower
# than the reference server's 50-a-second refill) would send hundreds of requests for its 429.
SCENARIOS = "auth-and-accept,streaming-lifecycle,endpoint-types,validation,templates"


def _azion(url: str, *extra: str) -> list[str]:
    """A minimal Azion run (74 requests, about 4 s over TLS) against `url`."""
    return ["--api", "azion", "--base-url", url, "--token", TOKEN, "--view-token", VIEW_TOKEN,
            "--profile", "minimal", "--scenarios", SCENARIOS, *extra]  # fmt: skip


def _client(settings: RunSettings) -> tuple[TargetClient, object]:
    context = open_target(settings)
    target = context.__enter__()
    client = TargetClient(
        target.base_url,
        auth=target.auth,
        default_headers=target.default_headers,
        timeout=settings.timeout,
        transport=target.transport,
    )
    return client, context


def _get(settings: RunSettings, path: str = "/data_streaming/templates") -> int:
    client, context = _client(settings)
    try:
        return client.send("GET", path, phase="test").response.status
    finally:
        client.close()
        context.__exit__(None, None, None)  # type: ignore[attr-defined]


def _settings(url: str, **options: object) -> RunSettings:
    return build_settings("azion", {"base_url": url, "token": TOKEN, **options}, {})


# --- TLS --------------------------------------------------------------------------------------


def test_a_run_over_tls_trusts_the_ca_given_by_ca_bundle(
    pki: Pki, azion_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with tls_terminator(azion_url, pki) as https:
        code, err, report_dir = _run(_azion(https, "--ca-bundle", str(pki.ca)), capsys, tmp_path)
    assert code == ExitCode.OK, err
    report = json.loads((report_dir / "report.json").read_text("utf-8"))
    assert report["target"]["base_url"] == https
    assert report["counts"]["passed"] > 0


def test_without_the_ca_the_same_run_is_one_tls_error_line(
    pki: Pki, azion_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with tls_terminator(azion_url, pki) as https:
        code, err, _ = _run(_azion(https), capsys, tmp_path)
    assert code == ExitCode.USAGE
    assert len(err.splitlines()) == 1, err
    assert "CERTIFICATE_VERIFY_FAILED" in err and "--ca-bundle" in err
    assert "Traceback" not in err


def test_tls_verify_false_runs_and_warns_once(
    pki: Pki, azion_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with tls_terminator(azion_url, pki) as https:
        code, err, _ = _run(_azion(https, "--tls-verify", "false"), capsys, tmp_path)
    assert code == ExitCode.OK, err
    assert err.splitlines() == [line for line in err.splitlines() if "warning" in line]
    assert len(err.splitlines()) == 1 and "--tls-verify false" in err
    assert "InsecureRequestWarning" not in err


@pytest.mark.parametrize(
    ("variable", "variable_ca", "flag_ca", "works"),
    [
        ("REQUESTS_CA_BUNDLE", "right", None, True),
        ("CURL_CA_BUNDLE", "right", None, True),
        ("SSL_CERT_FILE", "right", None, True),
        ("REQUESTS_CA_BUNDLE", "right", "wrong", False),  # the flag beats the variable
        ("SSL_CERT_FILE", "wrong", "right", True),
        (None, None, "right", True),
        (None, None, None, False),  # certifi's bundle does not know our CA
    ],
)
def test_ca_variables_are_honoured_and_the_flag_beats_them(
    pki: Pki,
    azion_url: str,
    monkeypatch: pytest.MonkeyPatch,
    variable: str | None,
    variable_ca: str | None,
    flag_ca: str | None,
    works: bool,
) -> None:
    cas = {"right": str(pki.ca), "wrong": str(pki.other_ca)}
    if variable is not None and variable_ca is not None:
        monkeypatch.setenv(variable, cas[variable_ca])
    with tls_terminator(azion_url, pki) as https:
        settings = _settings(https, ca_bundle=cas[flag_ca] if flag_ca else None)
        if works:
            assert _get(settings) == 200
        else:
            with pytest.raises(TargetError, match="CERTIFICATE_VERIFY_FAILED"):
                _get(settings)


def test_a_client_certificate_the_target_requires(pki: Pki, azion_url: str) -> None:
    with tls_terminator(azion_url, pki, require_client_cert=True) as https:
        pair = {"client_cert": str(pki.client_cert), "client_key": str(pki.client_key)}
        assert _get(_settings(https, ca_bundle=str(pki.ca), **pair)) == 200
        combined = {"client_cert": str(pki.client_combined)}
        assert _get(_settings(https, ca_bundle=str(pki.ca), **combined)) == 200
        with pytest.raises(TargetError, match="client certificate"):
            _get(_settings(https, ca_bundle=str(pki.ca)))


def _drip_status_line(conn: socket.socket) -> None:
    """A status line one byte every half second (9 s), then an empty answer: without the
    watchdog a request takes all of it, since no single read waits longer than the timeout."""
    _read_request(conn)
    _drip(conn, b"HTTP/1.1 200 OK\r\n")
    conn.sendall(b"Content-Length: 0\r\n\r\n")


def test_the_watchdog_bounds_a_request_dripping_over_tls(pki: Pki) -> None:
    with serving(_drip_status_line) as drip, tls_terminator(drip.url, pki) as https:
        settings = _settings(https, ca_bundle=str(pki.ca), timeout=1.0)
        began = time.monotonic()
        with pytest.raises(TargetError):
            _get(settings)
        assert time.monotonic() - began < 4


def test_the_watchdog_bounds_a_request_dripping_through_a_proxy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with serving(_drip_status_line) as drip:
        monkeypatch.setenv("HTTP_PROXY", drip.url)
        settings = build_settings("azion", {"base_url": REMOTE, "timeout": 1.0}, {})
        began = time.monotonic()
        with pytest.raises(TargetError):
            _get(settings)
        assert drip.connections >= 1
        assert time.monotonic() - began < 4  # unwatched, urllib3's per-read timeout never trips


# --- headers ----------------------------------------------------------------------------------


class _EchoingHandler(BaseHTTPRequestHandler):
    """Answers 400 quoting every request header back: a target that echoes a credential."""

    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[dict[str, str]]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.seen.append(dict(self.headers))
        quoted = "; ".join(f"{k} was {v}" for k, v in self.headers.items())
        body = json.dumps({"title": "refused", "status": 400, "detail": quoted}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, format: str, *args: object) -> None:
        return


def test_headers_reach_the_target_and_a_credential_one_no_output_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`X-Gateway-Key` is a credential by its name, `X-Custom` by its value's form; the target
    quotes both back in its bodies, and no file the run writes may hold either value."""
    cassettes = tmp_path / "cassettes"
    custom = f"Bearer {GATEWAY_KEY[::-1]}"
    _EchoingHandler.seen = []
    with serving_http(ThreadingHTTPServer(("127.0.0.1", 0), _EchoingHandler)) as url:
        argv = [
            "--api", "azion", "--base-url", url, "--profile", "minimal",
            "--scenarios", "auth-and-accept,templates", "--record", str(cassettes),
            "-H", f"X-Gateway-Key: {GATEWAY_KEY}", "-H", "X-Tenant:acme",
            "-H", f"X-Custom: {custom}",
        ]  # fmt: skip
        code, err, report_dir = _run(argv, capsys, tmp_path)
    assert code in (ExitCode.OK, ExitCode.FINDINGS, ExitCode.INCOMPLETE), err
    assert _EchoingHandler.seen
    for headers in _EchoingHandler.seen:
        assert headers.get("X-Gateway-Key") == GATEWAY_KEY
        assert headers.get("X-Tenant") == "acme"
        assert headers.get("X-Custom") == custom
    written = [p for p in (*report_dir.rglob("*"), *cassettes.rglob("*")) if p.is_file()]
    assert len(written) > 4
    recorded = "".join(p.read_text("utf-8") for p in cassettes.rglob("*.yaml"))
    assert "X-Tenant was acme" in recorded  # the echo is recorded; only the secrets go
    for path in written:
        text = path.read_text("utf-8", "replace")
        for secret in (GATEWAY_KEY, GATEWAY_KEY[::-1]):
            assert secret not in text, path
    settings = json.loads((report_dir / "report.json").read_text("utf-8"))["settings"]
    assert settings["headers"] == [
        "X-Gateway-Key: <redacted>",
        "X-Tenant: acme",
        "X-Custom: <redacted>",
    ]
    assert GATEWAY_KEY not in err


def test_authorization_header_is_the_credential_when_nothing_else_signs() -> None:
    with capture_server() as capture:
        settings = build_settings(
            "azion", {"base_url": capture.url, "header": [("Authorization", "Bearer abc123xyz")]}
        )
        client, context = _client(settings)
        try:
            client.send("GET", "/a", phase="test")
            client.send("GET", "/b", phase="test", auth=False)  # a missing-credentials probe
        finally:
            client.close()
            context.__exit__(None, None, None)  # type: ignore[attr-defined]
    (_, _, signed), (_, _, unsigned) = capture.requests
    assert signed["Authorization"] == "Bearer abc123xyz"
    assert "Authorization" not in unsigned


# --- proxies ----------------------------------------------------------------------------------


def test_a_proxy_variable_is_honoured_and_the_run_stays_read_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with capture_server() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        argv = ["--api", "azion", "--base-url", REMOTE, "--token", TOKEN, "--profile",
                "minimal", "--scenarios", "templates"]  # fmt: skip
        code, err, report_dir = _run(argv, capsys, tmp_path)
    assert proxy.requests, err
    assert all(path.startswith(f"{REMOTE}/") for _, path, _ in proxy.requests)
    assert proxy.methods == {"GET"}  # not loopback: writes are off without --allow-writes
    notes = json.loads((report_dir / "report.json").read_text("utf-8"))["notes"]
    assert any("not a loopback address" in note for note in notes)
    assert code != ExitCode.INTERNAL


def test_https_proxy_tunnels_a_tls_run_with_our_ca(
    pki: Pki, azion_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corporate setup: HTTPS_PROXY and a private CA; the CONNECT names the target's host."""
    with tls_terminator(azion_url, pki) as https, connect_proxy(https) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        settings = _settings(f"https://{TUNNELLED_HOST}", ca_bundle=str(pki.ca))
        assert _get(settings) == 200
    # (NO_PROXY is not tried: a direct connection would look the name up in the DNS.)
    assert proxy.requests == [f"CONNECT {TUNNELLED_HOST}:443 HTTP/1.0"]


def test_a_loopback_target_is_never_reached_through_a_proxy(
    azion_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Writes go to a loopback target by default because it is this machine; through a proxy,
    127.0.0.1 would be the proxy's own loopback, so the client connects directly."""
    with capture_server() as proxy:
        for variable in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
            monkeypatch.setenv(variable, proxy.url)
        argv = ["--api", "azion", "--base-url", azion_url, "--token", TOKEN, "--profile",
                "minimal", "--scenarios", "streaming-lifecycle"]  # fmt: skip
        code, err, report_dir = _run(argv, capsys, tmp_path)
    assert proxy.connections == 0
    assert code in (ExitCode.OK, ExitCode.INCOMPLETE), err  # one scenario: some rules unjudged
    report = json.loads((report_dir / "report.json").read_text("utf-8"))
    assert not any("not a loopback address" in note for note in report["notes"])
    created = report["requirements"]
    assert any(r["id"] == "AZION-CREATE-002" and r["status"] == "passed" for r in created)


def test_the_crash_log_holds_no_header_credential_nor_account_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from conformance.crash_log import CRASH_PREFIX
    from conformance.runner import run as engine_run

    account_key = "1-7QPXR2:1-4LMNB"

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"simulated bug holding {GATEWAY_KEY} and {account_key}")

    monkeypatch.setattr(engine_run, "run_conformance", boom)
    report_dir = tmp_path / "r"
    argv = ["run", "--api", "akamai", "--base-url", "http://127.0.0.1:9",
            "--account-key", account_key, "-H", f"X-Gateway-Key: {GATEWAY_KEY}",
            "--report-dir", str(report_dir)]  # fmt: skip
    assert main(argv) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    (log,) = report_dir.glob(f"{CRASH_PREFIX}*.log")
    text = log.read_text(encoding="utf-8") + err
    assert "simulated bug holding" in text
    assert GATEWAY_KEY not in text and account_key not in text


def test_transport_settings_come_from_the_config_file_too(tmp_path: Path) -> None:
    from conformance.config_file import load_config

    (tmp_path / "dsconform.toml").write_text(
        'header = ["X-Tenant: acme", "X-Gateway-Key: ${GATEWAY}"]\n'
        'tls-verify = "false"\n'
        '[akamai]\naccount-key = "1-FILE:1-KEY"\n',
        encoding="utf-8",
    )
    config = load_config(None, tmp_path, {"GATEWAY": GATEWAY_KEY})
    assert config is not None
    settings = build_settings("akamai", {}, {}, config)
    assert settings.headers == (("X-Tenant", "acme"), ("X-Gateway-Key", GATEWAY_KEY))
    assert (settings.tls_verify, settings.account_key) == (False, "1-FILE:1-KEY")
    flagged = build_settings("akamai", {"tls_verify": "true", "account_key": "1-A:1-B"}, {}, config)
    assert (flagged.tls_verify, flagged.account_key) == (True, "1-A:1-B")
    assert settings.redacted()["account_key"] == "<redacted>"
