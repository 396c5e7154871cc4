"""A target that misbehaves on the wire gives a finding or a clean abort, never a hang."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conformance.cli import main
from conformance.engine.target_client import TargetClient, TargetError
from conformance.exit_codes import ExitCode
from tests.support.misbehaving import (
    Behaviour,
    garbage,
    hang,
    misbehaving_server,
    oversized,
    reset,
    stall_mid_body,
)


@pytest.mark.parametrize(
    "behaviour", [hang, reset, garbage, stall_mid_body], ids=lambda b: b.__name__
)
def test_broken_transport_aborts_cleanly_within_the_timeout(
    behaviour: Behaviour, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    with misbehaving_server(behaviour) as url:
        code = main(
            [
                "run",
                "--api",
                "azion",
                "--base-url",
                url,
                "--report-dir",
                str(tmp_path),
                "--phases",
                "property",
                "--max-examples",
                "2",
                "--timeout",
                "1",
                "--quiet",
            ]
        )
    assert time.monotonic() - started < 20
    err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert err.startswith("dsconform: error: run aborted: target unusable:")
    assert len(err.strip().splitlines()) == 1
    assert json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))["aborted"]


def test_oversized_body_is_capped_not_swallowed() -> None:
    with misbehaving_server(oversized) as url:
        client = TargetClient(url, timeout=5, max_body_bytes=64 * 1024)
        exchange = client.send("GET", "/data_streaming/templates", phase="test")
    assert exchange.response.truncated is True
    assert len(exchange.response.body) == 64 * 1024


def test_tls_to_a_plain_http_port_is_a_clean_target_error() -> None:
    with misbehaving_server(oversized) as url:
        client = TargetClient(url.replace("http://", "https://"), timeout=5)
        with pytest.raises(TargetError) as raised:
            client.send("GET", "/", phase="test")
    assert "SSL" in str(raised.value) or "ssl" in str(raised.value)
    assert len(str(raised.value).splitlines()) == 1
