"""`dsconform plan`: the requests each phase will make, printed before anything is sent.

Generated phases are bounded by arithmetic (operations x modes x examples); scenarios are
counted by running them against the embedded reference server on loopback, never the target.
"""

from __future__ import annotations

import argparse
import copy
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from conformance.apis import APIS, get_api
from conformance.exit_codes import ExitCode
from conformance.settings import READ_METHODS, RunSettings

# The engine, the scenarios and the spec load when a plan is made: `dsconform --help` builds
# this command's parser and must stay light.
if TYPE_CHECKING:
    from conformance.core.exchange import Exchange
    from conformance.core.results import ResultsCollector

MODES = 2  # positive and negative generation
# The run flags that decide a plan (copied from run's parser: the same values and help).
RUN_FLAGS = (
    "--config",
    "--phases",
    "--profile",
    "--max-examples",
    "--read-only",
    "--include",
    "--exclude",
)
DISCOVERY_REQUESTS = 12  # the stateful phase asks the target what it can build from
# The ownership guard's GET of the id it aims foreign writes at (engine/ownership.py): one per
# phase and process while the target answers it 404, one more for every ABSENT_PROOF_SECONDS
# the phase lasts (the proof expires).
ABSENCE_CHECK = "absence check (ownership)"


@dataclass(frozen=True, slots=True)
class PlanRow:
    phase: str
    item: str
    requests: int
    bound: bool  # True: an upper bound; False: counted on the reference server


def plan_rows(settings: RunSettings) -> list[PlanRow]:
    """Rows of the plan for one API, in phase order (--include/--exclude honoured as a run
    honours them: engine/filters.py)."""
    from conformance.catalogue import load_catalogue
    from conformance.engine.filters import settings_scope
    from conformance.engine.stateful_phase import STEPS_PER_EXAMPLE
    from conformance.openapi_document import OpenApiDocument
    from conformance.scenarios.registry import SCENARIOS

    api = get_api(settings.api)
    document = OpenApiDocument.load(api.spec_path)
    catalogue = load_catalogue(api)
    scope = settings_scope(settings, catalogue, document)
    rows: list[PlanRow] = []
    explored: list[Any] = []
    if "property" in settings.phases:
        for op in document.operations:
            if settings.read_only and op.method.upper() not in READ_METHODS:
                continue
            if not scope.explores(catalogue, op.operation_id):
                continue
            rows.append(PlanRow("property", op.operation_id, MODES * settings.max_examples, True))
            explored.append(op)
        if _writes_items(settings.api, explored):
            rows.append(PlanRow("property", ABSENCE_CHECK, settings.workers, True))
    stateful = not settings.read_only and not scope.stateful_reason(settings.api)
    if "stateful" in settings.phases and stateful:
        steps = settings.max_examples * STEPS_PER_EXAMPLE
        rows.append(
            PlanRow("stateful", "state machine (+ cleanup)", DISCOVERY_REQUESTS + 2 * steps, True)
        )
        if _writes_items(settings.api, document.operations):
            rows.append(PlanRow("stateful", ABSENCE_CHECK, 1, True))
    if "scenarios" in settings.phases:
        counted = _count_scenarios(settings)
        for scenario in SCENARIOS[settings.api]:
            if settings.read_only and scenario.needs_writes:
                continue
            if scope.scenario_reason(settings.api, scenario.name, scenario.cites):
                continue
            rows.append(PlanRow("scenarios", scenario.name, counted.get(scenario.name, 0), False))
    return rows


def _writes_items(api: str, operations: Sequence[Any]) -> bool:
    """Whether any of `operations` writes to one resource: a generated case of it naming an id
    the run did not create goes to an id proven absent by a GET first (engine/ownership.py)."""
    from conformance.engine.ownership import id_parameter

    return any(
        op.method.upper() not in READ_METHODS and id_parameter(api, op.path) for op in operations
    )


def _count_scenarios(settings: RunSettings) -> Counter[str]:
    from conformance.runner.run import run_conformance

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
    if any(row.item == ABSENCE_CHECK for row in rows):
        from conformance.engine.ownership import ABSENT_ID, ABSENT_PROOF_SECONDS

        lines.append(
            f"  ({ABSENCE_CHECK}: a GET of id {ABSENT_ID}, one more for every "
            f"{ABSENT_PROOF_SECONDS / 60:g} minutes its phase lasts)"
        )
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


def add_plan_parser(commands: Any, run: argparse.ArgumentParser) -> None:
    """Register the `plan` subcommand on the CLI's subparsers."""
    plan = commands.add_parser(
        "plan",
        help="print the requests a run would make, send nothing",
        description="Print the requests each phase of a run would make, before anything is "
        "sent: generated phases as upper bounds, scenarios counted against the embedded "
        "reference server (never the target). Takes run's flags of the same names.",
    )
    plan.add_argument(
        "--api", choices=[*sorted(APIS), "all"], required=True, help="the API, or all"
    )
    for action in run._actions:  # the run's own flags: the same values, defaults and help
        if set(action.option_strings) & set(RUN_FLAGS):
            plan._add_action(copy.copy(action))
    plan.set_defaults(handler=run_plan)


def run_plan(args: argparse.Namespace) -> int:
    from conformance.config_file import ConfigFileError, config_of_command
    from conformance.settings_builder import SettingsError, build_settings

    names = sorted(APIS) if args.api == "all" else [args.api]
    try:  # every value checked before anything is counted
        config = config_of_command(args.config)
        plans = [build_settings(name, vars(args), config=config) for name in names]
    except (ConfigFileError, SettingsError) as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    for settings in plans:
        print(render_plan(settings.api, plan_rows(settings)))
    return ExitCode.OK
