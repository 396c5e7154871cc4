"""`dsconform plan`: the requests each phase will make, printed before anything is sent.

Generated phases are bounded by arithmetic (operations x modes x examples); scenarios are
counted by running them against the embedded reference server on loopback, never the target.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from conformance.apis import APIS, get_api
from conformance.argument_types import phase_list, positive_int
from conformance.catalogue import load_catalogue
from conformance.engine.exchange import Exchange
from conformance.engine.filters import build_scope
from conformance.engine.results import ResultsCollector
from conformance.engine.stateful_phase import STEPS_PER_EXAMPLE
from conformance.exit_codes import ExitCode
from conformance.openapi_document import OpenApiDocument
from conformance.scenarios.registry import SCENARIOS
from conformance.settings import PHASES, PROFILES, READ_METHODS, RunSettings

MODES = 2  # positive and negative generation
DISCOVERY_REQUESTS = 12  # the stateful phase asks the target what it can build from


@dataclass(frozen=True, slots=True)
class PlanRow:
    phase: str
    item: str
    requests: int
    bound: bool  # True: an upper bound; False: counted on the reference server


def plan_rows(settings: RunSettings) -> list[PlanRow]:
    """Rows of the plan for one API, in phase order (--include/--exclude honoured as a run
    honours them: engine/filters.py)."""
    api = get_api(settings.api)
    document = OpenApiDocument.load(api.spec_path)
    catalogue = load_catalogue(api)
    scope = build_scope(
        catalogue,
        [op.operation_id for op in document.operations],
        settings.include,
        settings.exclude,
    )
    rows: list[PlanRow] = []
    if "property" in settings.phases:
        for op in document.operations:
            if settings.read_only and op.method.upper() not in READ_METHODS:
                continue
            if not scope.explores(catalogue, op.operation_id):
                continue
            rows.append(PlanRow("property", op.operation_id, MODES * settings.max_examples, True))
    stateful = not settings.read_only and not scope.stateful_reason(settings.api)
    if "stateful" in settings.phases and stateful:
        steps = settings.max_examples * STEPS_PER_EXAMPLE
        rows.append(
            PlanRow("stateful", "state machine (+ cleanup)", DISCOVERY_REQUESTS + 2 * steps, True)
        )
    if "scenarios" in settings.phases:
        counted = _count_scenarios(settings)
        for scenario in SCENARIOS[settings.api]:
            if settings.read_only and scenario.needs_writes:
                continue
            if scope.scenario_reason(settings.api, scenario.name, scenario.cites):
                continue
            rows.append(PlanRow("scenarios", scenario.name, counted.get(scenario.name, 0), False))
    return rows


def _count_scenarios(settings: RunSettings) -> Counter[str]:
    from conformance.engine.run import run_conformance

    counts: Counter[str] = Counter()

    def count(exchange: Exchange, collector: ResultsCollector) -> None:
        for label in exchange.labels or ("(cleanup)",):
            counts[label] += 1

    with tempfile.TemporaryDirectory() as scratch:
        run_conformance(
            RunSettings(
                api=settings.api,
                phases=("scenarios",),
                report_dir=Path(scratch),
                activation_delay=0.05,
                profile=settings.profile,
                include=settings.include,
                exclude=settings.exclude,
            ),
            on_exchange=count,
        )
    return counts


def render_plan(api: str, rows: list[PlanRow]) -> str:
    lines = [
        f"{api}: requests per phase (<= an upper bound; = counted against the embedded "
        "reference server, a real target may need a few more for polls and 429 waits)"
    ]
    for row in rows:
        mark = "<=" if row.bound else "= "
        lines.append(f"  {row.phase:10s} {row.item:34s} {mark} {row.requests:5d}")
    totals = Counter[str]()
    for row in rows:
        totals[row.phase] += row.requests
    for phase, total in totals.items():
        lines.append(f"  {phase:10s} {'total':34s}    {total:5d}")
    lines.append(f"  {'all':10s} {'total':34s}    {sum(totals.values()):5d}")
    return "\n".join(lines)


def add_plan_parser(commands: Any) -> None:
    plan = commands.add_parser("plan", help="print the requests a run would make, send nothing")
    plan.add_argument("--api", choices=[*sorted(APIS), "all"], required=True)
    plan.add_argument(
        "--phases", type=phase_list, default=None, help=f"comma-separated, from {','.join(PHASES)}"
    )
    plan.add_argument("--profile", choices=sorted(PROFILES), default="default")
    plan.add_argument("--max-examples", type=positive_int, default=10)
    plan.add_argument("--read-only", action="store_true")
    from conformance.cli import add_filter_flags

    add_filter_flags(plan)
    plan.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    from conformance.settings_builder import SettingsError, run_filters

    phases = args.phases or PROFILES[args.profile]
    names = sorted(APIS) if args.api == "all" else [args.api]
    try:  # every pattern checked before anything is counted
        filters = {name: run_filters(name, args.include, args.exclude) for name in names}
    except SettingsError as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    for name in names:
        settings = RunSettings(
            api=name,
            phases=phases,
            max_examples=args.max_examples,
            read_only=args.read_only,
            profile=args.profile,
            include=filters[name][0],
            exclude=filters[name][1],
        )
        print(render_plan(name, plan_rows(settings)))
    return ExitCode.OK
