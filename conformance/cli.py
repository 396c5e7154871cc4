"""The `dsconform` command line: flags in, an engine call, an exit code out."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from conformance import __version__
from conformance.apis import APIS, get_api
from conformance.argument_types import phase_list, positive_float, positive_int, rate
from conformance.cassettes.commands import add_recheck_parser
from conformance.cassettes.commands import add_run_flags as add_cassette_run_flags
from conformance.engine.target import TargetConfigError
from conformance.exit_codes import ExitCode
from conformance.gating.diff import add_diff_parser
from conformance.settings import ENVIRONMENT, PHASES, PROFILES, RunSettings
from conformance.spec_files import ContractFileError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"dsconform: error: {message} (see --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="dsconform", description=__doc__)
    parser.add_argument("--version", action="version", version=f"dsconform {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    lint = commands.add_parser("lint", help="validate the specs, their examples and the catalogues")
    lint.add_argument("--api", choices=[*sorted(APIS), "all"], default="all")
    lint.add_argument("--spec", type=Path, help="lint this spec file instead (needs one --api)")
    lint.add_argument(
        "--catalogue", type=Path, help="lint this catalogue instead (needs one --api)"
    )
    lint.set_defaults(handler=_lint)

    run = commands.add_parser("run", help="run the conformance suite against a target")
    run.add_argument(
        "--api",
        choices=[*sorted(APIS), "all"],
        required=True,
        help="the API to check, or all (one report per API)",
    )
    run.add_argument("--base-url", help="the target; without it, the embedded reference server")
    run.add_argument("--token", help=f"Azion token (or ${ENVIRONMENT['token']})")
    run.add_argument("--view-token", help="Azion view-only token, for the permission checks")
    run.add_argument("--edgerc", type=Path, help="Akamai .edgerc file (EdgeGrid credentials)")
    run.add_argument("--section", default=None, help="section of the .edgerc (default: default)")
    run.add_argument("--report-dir", type=Path, help="default: reports/<api>-<UTC timestamp>/")
    run.add_argument(
        "--phases",
        type=phase_list,
        default=None,
        help=f"comma-separated, from {','.join(PHASES)} (default: the profile's)",
    )
    run.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="default",
        help="default: all phases; minimal: the scenarios only, the fewest requests",
    )
    run.add_argument(
        "--domain-id",
        type=int,
        action="append",
        default=[],
        metavar="ID",
        help="Azion: a domain of the account that test streamings may name "
        "(repeatable; default: the seed's sample id)",
    )
    run.add_argument(
        "--scenarios",
        metavar="NAMES",
        help="comma-separated scenario names to run (default: all of the API's)",
    )
    run.add_argument(
        "--read-only",
        action="store_true",
        help="send only GET requests; what needs writes is skipped, not failed",
    )
    run.add_argument(
        "--allow-writes",
        action="store_true",
        help="allow writes to a target that is not on loopback",
    )
    run.add_argument(
        "--rate-limit",
        type=rate,
        metavar="N/PERIOD",
        help="at most N requests per PERIOD (e.g. 20/60s, 5/1s, 100/1m)",
    )
    run.add_argument(
        "--deadline",
        type=positive_float,
        metavar="SECONDS",
        help="stop the run (exit 2, partial report) after this long, a request in flight too",
    )
    run.add_argument(
        "--max-examples",
        type=positive_int,
        default=10,
        help="generated cases per operation and mode (default 10)",
    )
    run.add_argument("--seed", type=int, default=0, help="generation seed (default 0)")
    run.add_argument("--workers", type=positive_int, default=1)
    run.add_argument(
        "--timeout",
        type=positive_float,
        default=30.0,
        help="seconds per request: connect, headers and the full body (default 30)",
    )
    run.add_argument(
        "--settle-timeout",
        type=positive_float,
        default=60.0,
        metavar="SECONDS",
        help="how long a scenario waits for an activation or deletion to finish (default 60; "
        "Akamai documents about 90 minutes for an activation)",
    )
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="embedded target only: inject a reference-server fault",
    )
    add_cassette_run_flags(run)
    run.add_argument(
        "--quiet", action="store_true", help="no progress display; a one-line summary at the end"
    )
    run.set_defaults(handler=_run)

    add_recheck_parser(commands)
    add_diff_parser(commands)
    from conformance.reference.serve_command import add_serve_parser

    add_serve_parser(commands)
    from conformance.reporting.report_command import add_report_parser

    add_report_parser(commands)
    from conformance.sweep import add_sweep_parser

    add_sweep_parser(commands)
    from conformance.plan import add_plan_parser

    add_plan_parser(commands)
    return parser


def _scenario_list(api: str, text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    from conformance.scenarios.registry import SCENARIOS

    names = tuple(n.strip() for n in text.split(",") if n.strip())
    known = [s.name for s in SCENARIOS[api]]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise _UsageError(
            f"unknown {api} scenario(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(known)}"
        )
    return names


def _run(args: argparse.Namespace) -> int:
    if args.fault and args.base_url:
        raise _UsageError("--fault applies only to the embedded reference server (no --base-url)")
    names = sorted(APIS) if args.api == "all" else [args.api]
    if len(names) > 1 and (args.base_url or args.fault):
        raise _UsageError("--api all runs the embedded reference servers: drop --base-url/--fault")
    codes = []
    reports: list[dict[str, Any]] = []
    for name in names:
        report_dir = args.report_dir
        if report_dir is not None and len(names) > 1:
            report_dir = report_dir / name
        codes.append(_run_one(args, name, report_dir, reports))
        if codes[-1] in SIGNAL_CODES:  # a stop signal ends the whole command, not one API
            break
    if args.report_dir is not None and len(reports) > 1:
        from conformance.reporting.writers import write_combined

        print(f"combined report: {write_combined(reports, args.report_dir)[0]}")
    # The worst outcome wins: unusable (2) over findings (1) over clean (0).
    return max(codes, key=lambda c: (c in SIGNAL_CODES, c == ExitCode.USAGE, c))


def _run_one(
    args: argparse.Namespace, api: str, report_dir: Path | None, reports: list[dict[str, Any]]
) -> int:
    from conformance.engine.run import run_conformance
    from conformance.reference.faults import UnknownFaultError
    from conformance.reporting.progress import RunProgress, print_summary
    from conformance.reporting.writers import REPORT_FILES

    settings = RunSettings(
        api=api,
        base_url=args.base_url,
        token=args.token or os.environ.get(ENVIRONMENT["token"]),
        view_token=args.view_token,
        edgerc=args.edgerc or _env_path(ENVIRONMENT["edgerc"]),
        section=args.section or os.environ.get(ENVIRONMENT["section"]) or "default",
        report_dir=report_dir,
        phases=args.phases or PROFILES[args.profile],
        profile=args.profile,
        scenarios=_scenario_list(api, args.scenarios),
        domain_ids=tuple(args.domain_id),
        read_only=args.read_only,
        allow_writes=args.allow_writes,
        rate_limit=args.rate_limit,
        deadline=args.deadline,
        max_examples=args.max_examples,
        seed=args.seed,
        workers=args.workers,
        timeout=args.timeout,
        settle_timeout=args.settle_timeout,
        faults=tuple(args.fault),
        record_dir=args.record,
        replay_dir=args.replay,
        baseline=args.baseline,
    )
    from conformance.cassettes.secret_scan import SecretLeakError
    from conformance.cassettes.store import CassetteError
    from conformance.gating.findings import GatingInputError

    if args.workers > 1 and (args.record or args.replay):
        raise _UsageError("--workers cannot be combined with --record or --replay")
    if args.replay and (args.base_url or args.fault):
        raise _UsageError("--replay takes its target from the cassettes: drop --base-url/--fault")
    try:
        with RunProgress(api, quiet=args.quiet) as progress:
            outcome = run_conformance(
                settings, on_event=progress.on_event, on_exchange=progress.on_exchange
            )
    except (UnknownFaultError, TargetConfigError) as exc:
        raise _UsageError(str(exc)) from None
    except (CassetteError, SecretLeakError, GatingInputError) as exc:
        raise _UsageError(str(exc)) from None
    report = outcome.report
    reports.append(report)
    report_files = [outcome.report_dir / name for name in REPORT_FILES]
    print_summary(report, report_files, quiet=args.quiet)
    if report["aborted"]:
        print(f"dsconform: error: run aborted: {report['aborted']}", file=sys.stderr)
    if outcome.baseline is not None:
        print(outcome.baseline.render())
    return int(outcome.exit_code)


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None


def _lint(args: argparse.Namespace) -> int:
    from conformance.lint import lint_api

    if (args.spec or args.catalogue) and args.api == "all":
        raise _UsageError("--spec and --catalogue need --api akamai or --api azion")
    names = sorted(APIS) if args.api == "all" else [args.api]
    total = 0
    for name in names:
        problems = lint_api(get_api(name), spec=args.spec, catalogue=args.catalogue)
        for problem in problems:
            print(problem)
        total += len(problems)
    print(f"lint: {total} problem(s) in {', '.join(names)}")
    return ExitCode.FINDINGS if total else ExitCode.OK


class _UsageError(Exception):
    pass


SIGNAL_CODES = (ExitCode.INTERRUPTED, ExitCode.SIGTERM, ExitCode.SIGHUP)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    from conformance.engine.stopping import RunInterrupted, signals_as_interrupts

    # `run`: SIGTERM and SIGHUP end it like Ctrl-C (the engine handles them during a run).
    signals = signals_as_interrupts() if args.command == "run" else contextlib.nullcontext()
    try:
        with signals:
            return int(args.handler(args))
    except (ContractFileError, _UsageError) as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt as exc:
        code = exc.exit_code if isinstance(exc, RunInterrupted) else ExitCode.INTERRUPTED
        print("dsconform: interrupted", file=sys.stderr)
        return code
    except BrokenPipeError:
        # The reader went away (`dsconform ... | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OK


if __name__ == "__main__":
    sys.exit(main())
