"""`dsconform recheck DIR`: today's checks over yesterday's recordings, nothing sent.

A replay re-generates the run and so needs the spec that generated it; a recheck does not: it
takes every recorded interaction as it is and judges it with the current spec and catalogue.
When the contract changes, the recheck shows which recorded behaviour it now calls wrong; over
the seed-sample cassettes it shows how far the vendors' own documented examples conform.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from conformance import __version__
from conformance.apis import get_api
from conformance.cassettes.exchanges import exchanges_of
from conformance.cassettes.store import CassetteFile, read_api_cassettes
from conformance.catalogue import load_catalogue
from conformance.checks.base import CheckEnv
from conformance.checks.registry import CHECKS
from conformance.core.exchange import Exchange
from conformance.core.results import ResultsCollector
from conformance.engine.exchange_checker import ExchangeChecker
from conformance.exit_codes import ExitCode
from conformance.openapi_document import OpenApiDocument
from conformance.reporting import model
from conformance.reporting.json_report import build_report, write_report
from conformance.settings import RunSettings


@dataclass(slots=True)
class RecheckOutcome:
    """What a recheck produced: its report (report.json, written to `report_dir`), the exit
    code, and how many recorded interactions were judged in how long."""

    report: model.Report
    report_dir: Path
    exit_code: ExitCode
    interactions: int
    seconds: float


def _judge(
    cassettes: list[CassetteFile], document: OpenApiDocument, checker: ExchangeChecker
) -> dict[str, int]:
    """Every recorded interaction through the checks, its operation found by the spec; the
    number judged per phase."""
    by_phase: dict[str, int] = {}
    for cassette in cassettes:
        for recorded in exchanges_of(cassette):
            split = urlsplit(recorded.request.url)
            operation = document.operation_id_at(recorded.request.method, split.path)
            exchange = Exchange(
                recorded.request,
                recorded.response,
                operation,
                recorded.phase,
                0.0,
                recorded.labels,
            )
            by_phase[exchange.phase] = by_phase.get(exchange.phase, 0) + 1
            checker(exchange)
    return by_phase


def recheck(root: Path, api_name: str, report_dir: Path | None = None) -> RecheckOutcome:
    """Judge every recorded interaction of `root/<api>/` with today's checks and write the
    report; raises CassetteError for an unusable cassette directory."""
    began = time.monotonic()
    started = datetime.now(UTC)
    api = get_api(api_name)
    run, cassettes = read_api_cassettes(root, api.name)
    catalogue = load_catalogue(api)
    document = OpenApiDocument.load(api.spec_path)
    collector = ResultsCollector(catalogue)
    checker = ExchangeChecker(CHECKS[api.name], CheckEnv(document), collector)
    by_phase = _judge(cassettes, document, checker)
    total = sum(by_phase.values())
    report_dir = report_dir or Path("reports") / (
        f"recheck-{api.name}-{started.strftime('%Y%m%dT%H%M%SZ')}"
    )
    base_url = str((run or {}).get("base_url") or "")
    notes = [
        f"recheck of {total} recorded interaction(s) in {len(cassettes)} cassette(s) under "
        f"{root / api.name}: nothing was sent; the current spec and catalogue judged them",
        "scenario expectations and generated-data checks are not re-evaluated by a recheck "
        "(only the per-exchange checks are); `run --replay` re-runs those",
    ]
    if run is None:
        notes.append("no run.json: these cassettes were not recorded by a run (seed samples?)")
    report = build_report(
        settings=RunSettings(api=api.name, base_url=base_url or None, phases=()),
        api=api,
        target=model.Target(base_url=f"cassettes:{root / api.name}", embedded=False, faults=()),
        collector=collector,
        started=started,
        finished=datetime.now(UTC),
        aborted=None,
        requests=model.Requests(total=total, by_phase=by_phase, waited_seconds=0.0),
        phases=[{"name": "recheck", "seconds": round(time.monotonic() - began, 3)}],
        notes=notes,
        tool=f"dsconform {__version__}",
    )
    write_report(report.to_json(), report_dir)
    failed = report.verdict == "failed"  # deviations do not fail a recheck either
    return RecheckOutcome(
        report,
        report_dir,
        ExitCode.FINDINGS if failed else ExitCode.OK,
        total,
        time.monotonic() - began,
    )
