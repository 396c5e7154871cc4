"""Recorded runs: record then replay, redaction, corrupt cassettes, replay misses, recheck."""

from __future__ import annotations

import json
import shutil
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import yaml

from conformance.apis.akamai.reference.credentials import EdgeGridCredentials
from conformance.apis.azion.auth import AzionTokenAuth
from conformance.apis.azion.reference.credentials import Tokens
from conformance.cassettes.layout import RUN_FILE
from conformance.cassettes.recorder import CassetteRecorder
from conformance.cassettes.replay import CassetteReplayer, NetworkBlockedError, network_blocked
from conformance.cassettes.secret_scan import SecretLeakError, enforce_clean, scan_tree
from conformance.cli import main
from conformance.engine.target import Target
from conformance.exit_codes import ExitCode
from conformance.redaction import secret_scope
from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.reporting.json_report import report_schema
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings
from tests.support.http_server import serving_http

REPO = Path(__file__).resolve().parents[1]
SHIPPED = REPO / "cassettes"
QUICK = ("property", "stateful")


def verdicts(report: dict[str, Any]) -> dict[str, tuple[str, int, int]]:
    return {r["id"]: (r["status"], r["passes"], r["failures"]) for r in report["requirements"]}


def fingerprints(report: dict[str, Any]) -> set[str]:
    return {f["fingerprint"] for r in report["requirements"] for f in r["findings"]}


def record_and_replay(
    tmp_path: Path,
    api: str,
    phases: tuple[str, ...],
    examples: int = 2,
    scenarios: tuple[str, ...] | None = None,
) -> tuple[Any, Any]:
    recorded = run_conformance(
        RunSettings(
            api=api,
            phases=phases,
            scenarios=scenarios,
            max_examples=examples,
            record_dir=tmp_path / "cassettes",
            report_dir=tmp_path / "live",
        )
    )
    replayed = run_conformance(
        RunSettings(
            api=api,
            phases=phases,
            scenarios=scenarios,
            replay_dir=tmp_path / "cassettes",
            report_dir=tmp_path / "replay",
        )
    )
    return recorded, replayed


# ---------------------------------------------------------------------- record, then replay


def test_a_recording_of_a_remote_target_replays_without_the_credential_probe(
    tmp_path: Path,
) -> None:
    """The runner probes a remote target's credentials first, but not while recording: the
    replay does not probe, so a recorded probe would be an interaction it never plays."""
    with reference_server("azion", ReferenceConfig(credentials=Tokens("t0ken-remote"))) as url:
        recorded = run_conformance(
            RunSettings(
                api="azion",
                base_url=url,
                token="t0ken-remote",
                phases=("property",),
                max_examples=1,
                include=("listTemplates",),
                record_dir=tmp_path / "cassettes",
                report_dir=tmp_path / "live",
            )
        )
    assert recorded.report.aborted is None, recorded.report.notes
    assert "preflight" not in (recorded.report.requests.by_phase or {})
    replayed = run_conformance(
        RunSettings(
            api="azion",
            include=("listTemplates",),
            replay_dir=tmp_path / "cassettes",
            report_dir=tmp_path / "replay",
        )
    )
    assert replayed.report.aborted is None, replayed.report.notes


@pytest.mark.parametrize("api", ["azion", "akamai"])
def test_record_then_replay_gives_the_same_verdict(api: str, tmp_path: Path) -> None:
    recorded, replayed = record_and_replay(tmp_path, api, QUICK)
    live, again = recorded.report.to_json(), replayed.report.to_json()
    assert replayed.report.aborted is None, replayed.report.notes
    assert verdicts(again) == verdicts(live)
    assert fingerprints(again) == fingerprints(live)
    assert again["verdict"] == live["verdict"]
    assert replayed.exit_code == recorded.exit_code
    assert again["requests"]["by_phase"] == live["requests"]["by_phase"]
    jsonschema.validate(again, report_schema())
    # Named from the API and the group, never from a timestamp; one run file beside them.
    names = sorted(p.name for p in (tmp_path / "cassettes" / api).iterdir())
    assert RUN_FILE in names and "stateful.yaml" in names and "_unscoped.yaml" in names
    assert any(n.startswith("property-") for n in names)


def test_full_run_with_scenarios_replays_to_the_same_verdict(tmp_path: Path) -> None:
    # The rate-limit burst included: it stops on elapsed time, which the replay's clock must
    # reproduce from the recording alone, however loaded the machine is.
    recorded, replayed = record_and_replay(tmp_path, "azion", ("property", "stateful", "scenarios"))
    assert replayed.report.aborted is None, replayed.report.notes
    assert verdicts(replayed.report.to_json()) == verdicts(recorded.report.to_json())
    scenario_files = {p.stem for p in (tmp_path / "cassettes" / "azion").glob("*.yaml")}
    assert "streaming-lifecycle" in scenario_files


def test_replay_needs_no_network_and_no_server(tmp_path: Path) -> None:
    recorded = run_conformance(
        RunSettings(
            api="azion",
            phases=("property",),
            max_examples=1,
            record_dir=tmp_path / "c",
            report_dir=tmp_path / "r",
        )
    )
    assert recorded.report.requests.total > 0
    with network_blocked():
        with pytest.raises(NetworkBlockedError):
            socket.create_connection(("127.0.0.1", 9))
        replayed = run_conformance(
            RunSettings(
                api="azion",
                phases=("property",),
                replay_dir=tmp_path / "c",
                report_dir=tmp_path / "p",
            )
        )
    assert replayed.report.aborted is None
    assert verdicts(replayed.report.to_json()) == verdicts(recorded.report.to_json())


def test_replay_cli_prints_the_verdict_and_exits_like_the_live_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = main(
        [
            "run",
            "--api",
            "azion",
            "--phases",
            "property",
            "--max-examples",
            "1",
            "--record",
            str(tmp_path / "c"),
            "--report-dir",
            str(tmp_path / "live"),
        ]
    )
    replay = main(
        [
            "run",
            "--api",
            "azion",
            "--replay",
            str(tmp_path / "c"),
            "--report-dir",
            str(tmp_path / "replay"),
        ]
    )
    assert replay == live
    out = capsys.readouterr()
    assert "Traceback" not in out.err


# ---------------------------------------------------------------------- redaction

PLANTED = {
    "azion_token": "azTOKEN-9f8e7d6c5b4a39281706f5e4d3c2b1a0",
    "view_token": "azVIEW-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
    "client_secret": "EGsecret+Qw3rTy7UiOp9AsDfGhJkL1ZxCvBnM2=",
    "client_token": "akab-planted-client-token-1234567890",
    "access_token": "akab-planted-access-token-0987654321",
    "cookie": "SESSION-cookie-5f4e3d2c1b0a99887766",
    "accessKey": "AKIAPLANTEDACCESSKEY77",
    "secretAccessKey": "planted/secretAccessKey+with/slashes99",
    "authToken": "planted-datadog-authToken-5544332211",
    "eventCollectorToken": "planted-splunk-hec-token-6677889900",
    "secret_key": "planted-azion-s3-secret-key-13579",
    "access_key": "planted-azion-s3-access-key-24680",
    "api_key": "planted-azion-elastic-api-key-11223",
    "service_account_key": '{"private_key": "planted-gcp-service-account-key-998877"}',
    "custom_header": "planted-custom-header-value-443322",
}


class _EchoHandler(BaseHTTPRequestHandler):
    """Echoes the JSON body back, leaks secrets in a message, and sets a secret cookie."""

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        answer = json.dumps(
            {
                "results": body,
                "message": f"stored key {PLANTED['secretAccessKey']} for you",
                "auth_seen": self.headers.get("Authorization"),
                "generated": {"token": "server-side-generated-token-31415926"},
            }
        ).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Set-Cookie", f"session={PLANTED['cookie']}; HttpOnly")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def echo_server() -> Iterator[str]:
    with serving_http(ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)) as url:
        yield url


def planted_body() -> dict[str, Any]:
    return {
        "connectors": [
            {
                "connectorType": "S3",
                "accessKey": PLANTED["accessKey"],
                "secretAccessKey": PLANTED["secretAccessKey"],
            },
            {"connectorType": "DATADOG", "authToken": PLANTED["authToken"]},
            {"connectorType": "SPLUNK", "eventCollectorToken": PLANTED["eventCollectorToken"]},
        ],
        "endpoint": {
            "endpoint_type": "s3",
            "secret_key": PLANTED["secret_key"],
            "access_key": PLANTED["access_key"],
            "api_key": PLANTED["api_key"],
            "service_account_key": PLANTED["service_account_key"],
            "headers": {"X-Custom": PLANTED["custom_header"]},
        },
    }


def assert_nothing_planted_under(*roots: Path) -> None:
    needles = [*PLANTED.values(), "server-side-generated-token-31415926"]
    for root in roots:
        for path in root.rglob("*"):
            if path.is_file():
                text = path.read_text(encoding="utf-8", errors="replace")
                for needle in needles:
                    assert needle not in text, f"{needle!r} leaked into {path}"


def test_planted_secrets_in_every_redacted_place_reach_no_cassette(tmp_path: Path) -> None:
    root = tmp_path / "cassettes"
    recorder = CassetteRecorder(root, "azion")
    target = Target("http://unused", False, AzionTokenAuth(PLANTED["azion_token"]))
    settings = RunSettings(api="azion", phases=("scenarios",))
    with (
        echo_server() as url,
        secret_scope(),
        recorder.attached(settings, target, "p"),
        recorder.group("echo"),
    ):
        if True:
            response = requests.post(
                f"{url}/data_streaming/streamings?token={PLANTED['access_token']}",
                json=planted_body(),
                headers={
                    "Authorization": f"Token {PLANTED['azion_token']}",
                    "X-Akamai-ACS-Auth-Data": PLANTED["client_token"],
                    "X-Trace": f"EG1-HMAC-SHA256 client_token={PLANTED['client_token']};"
                    f"access_token={PLANTED['access_token']}",
                },
                timeout=5,
            )
            assert response.status_code == 201
    assert (root / "azion" / "echo.yaml").is_file()
    assert_nothing_planted_under(root)
    text = (root / "azion" / "echo.yaml").read_text(encoding="utf-8")
    assert "<redacted>" in text
    assert "<redacted:sent-" in text  # echoes of sent secrets stay recognisable
    assert "<redacted-in-response>" in text  # a secret the run never sent
    assert scan_tree(root) == []


def test_replay_puts_echoed_secrets_back_from_the_numbered_placeholders(tmp_path: Path) -> None:
    root = tmp_path / "cassettes"
    recorder = CassetteRecorder(root, "azion")
    target = Target("http://unused", False, None)
    settings = RunSettings(api="azion", phases=("scenarios",))
    with echo_server() as url, secret_scope(), recorder.attached(settings, target, "p"):
        base = url
        with recorder.group("echo"):
            requests.post(f"{url}/x", json=planted_body(), timeout=5)
    run = json.loads((root / "azion" / RUN_FILE).read_text())
    assert run["base_url"] == "http://unused"
    replayer = CassetteReplayer(root, "azion")
    with secret_scope(), replayer.attached(settings, target, "p"), replayer.group("echo"):
        answer = requests.post(f"{base}/x", json=planted_body(), timeout=5).json()
    assert answer["results"]["connectors"][0]["secretAccessKey"] == PLANTED["secretAccessKey"]
    assert answer["results"]["endpoint"]["headers"]["X-Custom"] == PLANTED["custom_header"]
    assert answer["generated"]["token"] == "<redacted-in-response>"
    assert replayer.finish()[0] is None


def test_planted_credentials_of_real_runs_reach_no_cassette_or_report(tmp_path: Path) -> None:
    azion = ReferenceConfig(
        credentials=Tokens(PLANTED["azion_token"], PLANTED["view_token"]), activation_delay=0.05
    )
    with reference_server("azion", azion) as url:
        code = main(
            [
                "run",
                "--api",
                "azion",
                "--base-url",
                url,
                "--token",
                PLANTED["azion_token"],
                "--view-token",
                PLANTED["view_token"],
                "--phases",
                "property,stateful,scenarios",
                "--max-examples",
                "1",
                "--record",
                str(tmp_path / "cassettes"),
                "--report-dir",
                str(tmp_path / "reports" / "azion"),
            ]
        )
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    creds = EdgeGridCredentials(
        PLANTED["client_token"], PLANTED["client_secret"], PLANTED["access_token"]
    )
    akamai = ReferenceConfig(
        credentials=creds, activation_delay=0.05, rate_limit=10_000, rate_window=1.0
    )
    edgerc = tmp_path / "edgerc"
    edgerc.write_text(
        "[default]\n"
        f"client_token = {PLANTED['client_token']}\nclient_secret = {PLANTED['client_secret']}\n"
        f"access_token = {PLANTED['access_token']}\nhost = akab-planted.luna.akamaiapis.net\n",
        encoding="utf-8",
    )
    with reference_server("akamai", akamai) as url:
        code = main(
            [
                "run",
                "--api",
                "akamai",
                "--base-url",
                url,
                "--edgerc",
                str(edgerc),
                "--phases",
                "property,stateful",
                "--max-examples",
                "1",
                "--record",
                str(tmp_path / "cassettes"),
                "--report-dir",
                str(tmp_path / "reports" / "akamai"),
            ]
        )
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    assert (tmp_path / "cassettes" / "akamai" / RUN_FILE).is_file()
    assert_nothing_planted_under(tmp_path / "cassettes", tmp_path / "reports")


def test_the_scan_refuses_a_file_holding_a_high_entropy_token(tmp_path: Path) -> None:
    path = tmp_path / "leaky.yaml"
    path.write_text("body: 'signed with keyRByBkBSTwPNZeBgxwGZ0q89J58D0ylhNLeqPa8a8='\n")
    with pytest.raises(SecretLeakError, match="high-entropy"):
        enforce_clean(path)
    assert not path.exists()
    clean = tmp_path / "clean.yaml"
    clean.write_text(
        "uri: http://127.0.0.1:1/datastream-config-api/v1/log/streams/7050\n"
        "id: 123e4567-e89b-12d3-a456-426614174000\n"
    )
    enforce_clean(clean)
    assert clean.exists()


# ---------------------------------------------------------------------- unusable cassettes


@pytest.fixture(scope="module")
def small_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("small") / "cassettes"
    run_conformance(
        RunSettings(
            api="azion",
            phases=("property",),
            max_examples=1,
            record_dir=root,
            report_dir=root.parent / "report",
        )
    )
    return root


def _copy(recording: Path, tmp_path: Path) -> Path:
    target = tmp_path / "cassettes"
    shutil.copytree(recording, target)
    return target


def _cli_replay(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(
        ["run", "--api", "azion", "--replay", str(root), "--report-dir", str(tmp_path / "replay")]
    )
    return code, capsys.readouterr().err


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "drop-interactions"])
def test_a_corrupt_or_truncated_cassette_is_one_clear_error(
    damage: str, small_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(small_recording, tmp_path)
    victim = root / "azion" / "property-createStreaming.yaml"
    text = victim.read_text(encoding="utf-8")
    if damage == "truncate":
        victim.write_text(text[: len(text) // 2], encoding="utf-8")
    elif damage == "garbage":
        victim.write_text("interactions: [ {request: \n  - ::: }", encoding="utf-8")
    elif damage == "empty":
        victim.write_text("", encoding="utf-8")
    else:  # valid YAML, but fewer interactions than its metadata says
        data = yaml.safe_load(text)
        data["interactions"] = data["interactions"][:1]
        victim.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, err = _cli_replay(root, tmp_path, capsys)
    assert code == ExitCode.USAGE
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "property-createStreaming.yaml" in lines[0]
    assert any(word in lines[0] for word in ("truncated", "corrupt", "empty")), lines[0]
    # recheck refuses it the same way
    code = main(["recheck", str(root), "--api", "azion", "--report-dir", str(tmp_path / "rc")])
    assert code == ExitCode.USAGE
    assert "Traceback" not in capsys.readouterr().err


def test_a_missing_or_corrupt_run_file_is_one_clear_error(
    small_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, err = _cli_replay(tmp_path / "nowhere", tmp_path, capsys)
    assert code == ExitCode.USAGE and "not found" in err and "Traceback" not in err
    root = _copy(small_recording, tmp_path)
    (root / "azion" / RUN_FILE).write_text('{"format": 1, "api": ', encoding="utf-8")
    code, err = _cli_replay(root, tmp_path, capsys)
    assert code == ExitCode.USAGE and "run.json" in err and "Traceback" not in err


def test_a_request_the_cassette_lacks_is_a_replay_miss_naming_it(
    small_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _copy(small_recording, tmp_path)
    victim = root / "azion" / "property-getTemplate.yaml"
    data = yaml.safe_load(victim.read_text(encoding="utf-8"))
    first = data["interactions"][0]["request"]
    first["uri"] = first["uri"].replace("/data_streaming/templates", "/data_streaming/elsewhere")
    victim.write_text(yaml.safe_dump(data), encoding="utf-8")
    code, err = _cli_replay(root, tmp_path, capsys)
    assert code == ExitCode.USAGE
    assert "Traceback" not in err
    assert "replay miss in property-getTemplate.yaml" in err
    assert "/data_streaming/elsewhere" in err  # what the cassette expected there
    report = json.loads((tmp_path / "replay" / "report.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "error"
    assert any("replay miss" in note for note in report["notes"])
    # the other groups still replayed
    assert report["requests"]["total"] > 0


def test_record_and_replay_exclude_each_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--api", "azion", "--record", str(tmp_path), "--replay", str(tmp_path)])
    assert exit_info.value.code == ExitCode.USAGE
    code = main(["run", "--api", "azion", "--replay", str(tmp_path), "--base-url", "http://x"])
    assert code == ExitCode.USAGE
    assert "Traceback" not in capsys.readouterr().err


# ---------------------------------------------------------------------- recheck


def test_recheck_judges_recorded_behaviour_with_the_current_contract(
    small_recording: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["recheck", str(small_recording), "--api", "azion", "--report-dir", str(tmp_path / "ok")]
    )
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    before = json.loads((tmp_path / "ok" / "report.json").read_text(encoding="utf-8"))
    jsonschema.validate(before, report_schema())
    assert before["requests"]["total"] > 0
    # A recorded behaviour that the contract calls wrong: an envelope without `results`.
    root = _copy(small_recording, tmp_path)
    victim = root / "azion" / "property-listTemplates.yaml"
    data = yaml.safe_load(victim.read_text(encoding="utf-8"))
    for item in data["interactions"]:
        if item["response"]["status"]["code"] == 200:
            item["response"]["body"]["string"] = json.dumps({"count": 1, "items": []})
    victim.write_text(yaml.safe_dump(data), encoding="utf-8")
    code = main(["recheck", str(root), "--api", "azion", "--report-dir", str(tmp_path / "bad")])
    out = capsys.readouterr().out
    assert code == ExitCode.FINDINGS
    after = json.loads((tmp_path / "bad" / "report.json").read_text(encoding="utf-8"))
    newly_failed = {r["id"] for r in after["requirements"] if r["status"] == "failed"} - {
        r["id"] for r in before["requirements"] if r["status"] == "failed"
    }
    assert newly_failed, out
    assert "FAILED" in out


# ---------------------------------------------------------------------- shipped cassettes


@pytest.mark.parametrize("api", ["akamai", "azion"])
def test_shipped_samples_recheck_cleanly(api: str, tmp_path: Path) -> None:
    root = SHIPPED / "samples"
    if not (root / api).is_dir():
        pytest.skip("no shipped sample cassettes")
    code = main(["recheck", str(root), "--api", api, "--report-dir", str(tmp_path)])
    assert code in (ExitCode.OK, ExitCode.FINDINGS)
    assert scan_tree(root / api) == []


@pytest.mark.parametrize("api", ["akamai", "azion"])
def test_shipped_recording_replays_to_its_recorded_verdict(api: str, tmp_path: Path) -> None:
    root = SHIPPED
    if not (root / api / RUN_FILE).is_file():
        pytest.skip("no shipped recording")
    assert scan_tree(root / api) == []
    outcome = run_conformance(RunSettings(api=api, replay_dir=root, report_dir=tmp_path))
    expected = json.loads((root / api / "verdict.json").read_text(encoding="utf-8"))
    assert outcome.report.aborted is None, (
        "the shipped cassettes no longer match the suite (scenarios or generation changed); "
        f"re-record them: python bench/replay.py --record. Notes: {outcome.report.notes}"
    )
    assert verdicts(outcome.report.to_json()) == {
        k: tuple(v) for k, v in expected["verdicts"].items()
    }


def test_a_minimal_recording_replays_as_recorded_without_naming_the_profile_again(
    tmp_path: Path,
) -> None:
    """The profile decides what is sent, so the recording carries it (before: a replay ran
    the default profile over a minimal recording and missed)."""
    root = tmp_path / "cassettes"
    live = run_conformance(
        RunSettings(
            api="azion",
            phases=("scenarios",),
            profile="minimal",
            record_dir=root,
            report_dir=tmp_path / "live",
        )
    )
    assert json.loads((root / "azion" / "run.json").read_text())["profile"] == "minimal"
    replayed = run_conformance(
        RunSettings(api="azion", replay_dir=root, report_dir=tmp_path / "replay")
    )
    assert replayed.report.aborted is None
    statuses = {r.id: r.status for r in live.report.requirements}
    assert {r.id: r.status for r in replayed.report.requirements} == statuses
