"""A run deletes everything it created, however the target answered the create."""

from __future__ import annotations

from pathlib import Path

import requests

from conformance.reference.config import ReferenceConfig
from conformance.reference.launcher import reference_server
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings

TOKEN = "dsconform-edit-token"
HEADERS = {"Authorization": f"Token {TOKEN}", "Accept": "application/json; version=3"}


def test_a_create_answered_200_is_still_cleaned_up(tmp_path: Path) -> None:
    """The documented create answer is 201; a target answering 200 made the streaming all the
    same, and a run that only counted 201s as creates left every one behind."""
    config = ReferenceConfig(faults=frozenset({"create-status-200"}), activation_delay=0.0)
    with reference_server("azion", config) as base_url:
        settings = RunSettings(
            api="azion",
            base_url=base_url,
            token=TOKEN,
            report_dir=tmp_path / "report",
            profile="minimal",
            settle_timeout=5.0,
        )
        outcome = run_conformance(settings)
        answer = requests.get(f"{base_url}/data_streaming/streamings", headers=HEADERS, timeout=10)
    statuses = {r.id: r.status for r in outcome.report.requirements}
    assert statuses["AZION-CREATE-001"] == "failed"  # the fault was met
    assert answer.status_code == 200
    assert answer.json()["results"] == []
