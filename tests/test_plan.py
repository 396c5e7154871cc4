"""`dsconform plan` against what a run really sends: its bounds hold, and are not far off."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conformance.core.exchange import Exchange
from conformance.core.results import ResultsCollector
from conformance.engine.ownership import ABSENT_ID
from conformance.plan import ABSENCE_CHECK, plan_rows
from conformance.runner.run import run_conformance
from conformance.settings import RunSettings

# A small run's plan may promise at most this much more than the run sends (twice, plus a
# little: hypothesis sends fewer cases than max_examples where an operation has few inputs).
SLACK_FACTOR = 2.0
SLACK = 10


@pytest.mark.parametrize("api", ["akamai", "azion"])
def test_the_plan_bounds_a_small_run_and_counts_the_absence_checks(
    api: str, tmp_path: Path
) -> None:
    """Issue 11: the ownership guard's GETs of the absent id were in no row of the plan."""
    settings = RunSettings(
        api=api, phases=("property", "stateful"), max_examples=2, report_dir=tmp_path
    )
    sent: Counter[tuple[str, str]] = Counter()  # (phase, operation or "absence check")

    def count(exchange: Exchange, collector: ResultsCollector) -> None:
        absent = exchange.request.method == "GET" and exchange.request.url.rstrip("/").endswith(
            f"/{ABSENT_ID}"
        )
        item = ABSENCE_CHECK if absent else str(exchange.operation_id)
        sent[(exchange.phase, item)] += 1

    outcome = run_conformance(settings, on_exchange=count)
    assert outcome.report.aborted is None
    rows = {(row.phase, row.item): row.requests for row in plan_rows(settings)}
    assert sent[("property", ABSENCE_CHECK)] >= 1  # the run did check: the row is no guess
    for (phase, item), number in sent.items():
        if phase == "property":
            assert number <= rows[(phase, item)], (phase, item, number)
    assert sent[("stateful", ABSENCE_CHECK)] <= rows[("stateful", ABSENCE_CHECK)]
    planned, real = sum(rows.values()), sum(sent.values())
    assert real <= planned <= SLACK_FACTOR * real + SLACK, (real, planned)
