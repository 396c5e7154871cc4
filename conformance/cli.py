"""The `dsconform` command line: flags in, an engine call, an exit code out."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn

# Only light imports here: the parser must build (and `--help` answer) without loading the
# engine, schemathesis, hypothesis, the servers or the report templates; tests/test_cli_help.py
# checks it. Each command imports what it needs when it runs.
from conformance import __version__
from conformance.apis import APIS, get_api
from conformance.argument_types import (
    base_url,
    identifier,
    non_empty,
    phase_list,
    positive_float,
    positive_int,
    rate,
    worker_count,
)
from conformance.cassettes.commands import add_recheck_parser
from conformance.cassettes.commands import add_run_flags as add_cassette_run_flags
from conformance.exit_codes import ExitCode, exit_status_help
from conformance.gating.diff import add_diff_parser
from conformance.settings import ENVIRONMENT, PHASES, PROFILES, RunSettings
from conformance.spec_files import ContractFileError

DESCRIPTION = """\
Contract and conformance tests for the Akamai DataStream 2 Configuration API v1
and the Azion Data Streaming API v3. Point `run` at a target (the vendor's
endpoint, a mock, a gateway) and get a verdict per documented requirement, each
failure with the request and response that show it. Without --base-url, a run
checks an embedded reference server."""

EXAMPLES = """\
  dsconform run --api all
      both APIs against the embedded reference servers, reports under reports/
  dsconform run --api azion --base-url https://api.azionapi.net --read-only
      a real account (token from $AZION_TOKEN), GET requests only
  dsconform run --api akamai --edgerc ~/.edgerc --profile minimal --rate-limit 20/60s
      the target is the .edgerc section's host; each observable requirement once
  dsconform plan --api akamai --profile minimal
      the requests such a run would send, before sending any
  dsconform diff old/report.json new/report.json
      new, fixed and still-failing findings (exit 1 when anything new fails)"""


def _epilog() -> str:
    """Examples, the environment variables and the exit-status table, for `dsconform --help`."""
    variables = "\n".join(
        f"  {variable:17s}the default of --{name.replace('_', '-')}"
        for name, variable in ENVIRONMENT.items()
    )
    from conformance.transport import environment_help  # issue 15: section, CA, proxies

    variables += f"\n{environment_help()}"
    return (
        f"examples:\n{EXAMPLES}\n\n"
        "environment (a flag beats its variable; `COMMAND --help` says which read it):\n"
        f"{variables}\n\n"
        "exit status (of run; the other commands: 0 done, 1 findings, 2 usage, 4 a bug):\n"
        f"{exit_status_help()}\n"
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"dsconform: error: {message} (see --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dsconform",
        description=DESCRIPTION,
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dsconform {__version__}")
    commands = parser.add_subparsers(
        title="commands", dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )

    lint = commands.add_parser(
        "lint",
        help="validate the specs, their examples and the catalogues",
        description="Validate each API's OpenAPI spec (every example against its schema) and "
        "requirement catalogue (unique IDs, quotes found verbatim in the vendor document, a "
        "basis on every requirement), and that every observable requirement is cited by a "
        "check or scenario. Exit 1 when anything is wrong.",
    )
    lint.add_argument(
        "--api",
        choices=[*sorted(APIS), "all"],
        default="all",
        help="the API to lint (default: all)",
    )
    lint.add_argument(
        "--spec",
        type=Path,
        metavar="FILE",
        help="lint this spec file instead of the shipped one (needs one --api)",
    )
    lint.add_argument(
        "--catalogue",
        type=Path,
        metavar="FILE",
        help="lint this catalogue instead of the shipped one (needs one --api)",
    )
    lint.set_defaults(handler=_lint)

    run = commands.add_parser(
        "run",
        help="run the conformance suite against a target",
        description="Check a target against one API's contract (or both: --api all) and write "
        "report.json, report.html, summary.md and junit.xml to the report directory. A flag "
        "beats its environment variable, which beats the default; exit codes: dsconform --help.",
    )
    run.add_argument(
        "--api",
        choices=[*sorted(APIS), "all"],
        required=True,
        help="the API to check, or all (one report per API)",
    )
    run.add_argument(
        "--base-url",
        type=base_url,
        help="the target (http:// or https://); without it, the embedded reference server",
    )
    run.add_argument("--token", type=non_empty, help=f"Azion token (or ${ENVIRONMENT['token']})")
    run.add_argument(
        "--view-token", type=non_empty, help="Azion view-only token, for the permission checks"
    )
    run.add_argument(
        "--edgerc",
        type=Path,
        help=f"Akamai .edgerc file (EdgeGrid credentials; without --base-url the target is its "
        f"host); ${ENVIRONMENT['edgerc']} is read only with --base-url (default: none, unsigned)",
    )
    run.add_argument(
        "--section",
        type=non_empty,
        default=None,
        help="section of the .edgerc (or $AKAMAI_EDGERC_SECTION, then "
        f"${ENVIRONMENT['section']}; default: default)",
    )
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
        type=identifier,
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
    run.add_argument(
        "--workers",
        type=worker_count,
        default=1,
        metavar="N",
        help="processes sharing the property phase and one rate budget, at most 64 (default 1)",
    )
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
    run.add_argument(
        "--fail-on",
        choices=("explicit", "must", "all"),
        default="explicit",
        help="which failed requirements fail the run (exit 1): explicit MUSTs (default), every "
        "MUST, or all; the other failures are reported as deviations",
    )
    add_filter_flags(run)
    run.add_argument(
        "--max-failures",
        type=positive_int,
        metavar="N",
        help="stop after N failed requirements the --fail-on policy covers (deviations do not "
        "count), clean up, report the rest as untested (out-of-scope), exit 1 (default: never)",
    )
    add_cassette_run_flags(run)
    from conformance.transport import add_transport_flags  # -H, TLS, client cert, account key

    add_transport_flags(run)
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

    add_plan_parser(commands, run)
    return parser


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    """`--include`/`--exclude` of `run` and `plan` (engine/filters.py has the rules)."""
    for flag, verb in (("--include", "only"), ("--exclude", "not")):
        parser.add_argument(
            flag,
            action="append",
            default=[],
            metavar="PATTERNS",
            help=f"{verb} the requirements (AKAMAI-RATE-*) or operations (listStreams) these "
            "comma-separated globs match, ignoring case (repeatable; include first, then "
            "exclude; default: everything)",
        )


def _run(args: argparse.Namespace) -> int:
    if args.fault and args.base_url:
        raise _UsageError("--fault applies only to the embedded reference server (no --base-url)")
    names = sorted(APIS) if args.api == "all" else [args.api]
    if len(names) > 1 and (args.base_url or args.fault or args.edgerc):
        raise _UsageError(
            "--api all runs the embedded reference servers: drop --base-url/--fault/--edgerc"
        )
    if args.api == "azion" and args.edgerc:
        raise _UsageError("--edgerc is Akamai's (EdgeGrid): an Azion run takes --token")
    if args.api == "akamai" and (args.token or args.view_token):
        raise _UsageError("--token and --view-token are Azion's: an Akamai run takes --edgerc")
    if args.workers > 1 and (args.record or args.replay):
        raise _UsageError("--workers cannot be combined with --record or --replay")
    if args.replay and (args.base_url or args.fault):
        raise _UsageError("--replay takes its target from the cassettes: drop --base-url/--fault")
    codes = []
    reports: list[dict[str, Any]] = []
    with ExitStack() as held:  # every report and record directory, ours until the runs end
        report_dirs = _preflight(args, names, held)
        args.crash_log_dir = report_dirs[names[0]]  # where a crash log goes (exit 4)
        for name in names:
            codes.append(_run_one(args, name, report_dirs[name], reports))
            if codes[-1] in SIGNAL_CODES:  # a stop signal ends the whole command, not one API
                break
        if args.report_dir is not None and len(reports) > 1:
            from conformance.reporting.writers import write_combined

            print(f"combined report: {write_combined(reports, args.report_dir)[0]}")
        # A CI job summary (GitHub Actions), once per command; never fails the run.
        from conformance.reporting.writers import append_step_summary

        warning = append_step_summary(reports, [report_dirs[r["api"]] for r in reports])
        if warning:
            print(f"dsconform: {_printable(warning)}", file=sys.stderr)
    # The worst outcome wins: a signal, unusable (2), findings (1), incomplete (3), ok.
    return max(codes, key=_severity)


def _severity(code: int) -> tuple[bool, bool, bool, bool, int]:
    """Orders exit codes for `--api all`: signals > usage 2 > findings 1 > incomplete 3 > 0."""
    return (
        code in SIGNAL_CODES,
        code == ExitCode.USAGE,
        code == ExitCode.FINDINGS,
        code == ExitCode.INCOMPLETE,
        code,
    )


def _preflight(args: argparse.Namespace, names: list[str], held: ExitStack) -> dict[str, Path]:
    """Every input error before the first request of any API's run: flags, files read
    (baseline, cassettes, .edgerc), then the directories written, claimed for the whole run."""
    from conformance.preflight import PreflightError, check_inputs, claim_outputs
    from conformance.reporting.writers import OutputDirError, claimed_directory

    wanted = {
        name: args.report_dir / name
        if args.report_dir is not None and len(names) > 1
        else args.report_dir
        for name in names
    }
    try:
        for name in names:
            check_inputs(_run_settings(args, name, wanted[name]))
        if args.report_dir is not None and len(names) > 1:
            held.enter_context(claimed_directory(args.report_dir, "--report-dir"))
        return {
            name: claim_outputs(_run_settings(args, name, wanted[name]), held) for name in names
        }
    except (PreflightError, OutputDirError) as exc:
        raise _UsageError(str(exc)) from None


def _run_settings(args: argparse.Namespace, api: str, report_dir: Path | None) -> RunSettings:
    """The run's settings from the one builder the pytest plugin uses too."""
    from conformance.settings_builder import SettingsError, build_settings

    try:
        return build_settings(api, {**vars(args), "report_dir": report_dir}, os.environ)
    except SettingsError as exc:
        raise _UsageError(str(exc)) from None


def _run_one(
    args: argparse.Namespace, api: str, report_dir: Path | None, reports: list[dict[str, Any]]
) -> int:
    from conformance.engine.run import run_conformance
    from conformance.engine.target import TargetConfigError
    from conformance.reference.faults import UnknownFaultError
    from conformance.reporting.progress import RunProgress, print_summary
    from conformance.reporting.writers import REPORT_FILES

    settings = _run_settings(args, api, report_dir)
    from conformance.cassettes.secret_scan import SecretLeakError
    from conformance.cassettes.store import CassetteError
    from conformance.gating.findings import GatingInputError

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
        print(f"dsconform: error: run aborted: {_printable(report['aborted'])}", file=sys.stderr)
    elif report.get("incomplete") and outcome.exit_code == ExitCode.INCOMPLETE:
        print(f"dsconform: incomplete: {_printable(report['incomplete'])}", file=sys.stderr)
    if outcome.baseline is not None:
        print(outcome.baseline.render())
    return int(outcome.exit_code)


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


def _printable(text: object) -> str:
    """Target-controlled text made safe for a terminal: control characters (ESC sequences
    could move the cursor or retitle the window) become U+FFFD, on one line."""
    return _CONTROL.sub("\ufffd", " ".join(str(text).splitlines()))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


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
    except Exception:  # our own bug: one line naming the log, the traceback only in it
        from conformance.crash_log import report_internal_error

        return report_internal_error(args)


if __name__ == "__main__":
    sys.exit(main())
