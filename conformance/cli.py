"""The `dsconform` command line: flags in, an engine call, an exit code out."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

# Only light imports here: the parser must build (and `--help` answer) without loading the
# engine, schemathesis, hypothesis, the servers or the report templates; tests/test_cli_help.py
# checks it. Each command imports what it needs when it runs.
from conformance import __version__
from conformance.apis import APIS, get_api
from conformance.exit_codes import ExitCode, exit_status_help
from conformance.gating.diff import add_diff_parser
from conformance.runner.recheck_command import add_recheck_parser
from conformance.settings import ENVIRONMENT, RunSettings
from conformance.spec_files import ContractFileError

if TYPE_CHECKING:
    from conformance.config_file import ConfigFile
    from conformance.reporting.model import Report


def _description() -> str:
    """What dsconform is, naming every API of the list."""
    titles = " and the ".join(api.title for api in APIS.values())
    return textwrap.fill(
        f"Contract and conformance tests for the {titles}. Point `run` at a target (the "
        "vendor's endpoint, a mock, a gateway) and get a verdict per documented requirement, "
        "each failure with the request and response that show it. Without --base-url, a run "
        "checks an embedded reference server.",
        width=80,
    )


def _examples() -> str:
    """`dsconform --help`'s examples: a run of every API, each API's own, a diff."""
    examples = [
        (
            "run --api all",
            "every API against its embedded reference server, reports under reports/",
        ),
        *(example for api in APIS.values() for example in api.examples),
        (
            "diff old/report.json new/report.json",
            "new, fixed and still-failing findings (exit 1 when anything new fails)",
        ),
    ]
    return "\n".join(f"  dsconform {command}\n      {what}" for command, what in examples)


def _variables() -> str:
    """Every API's environment variables (`settings.ENVIRONMENT`), each with the flag it
    supplies, in reading order."""
    lines = []
    for name, variables in ENVIRONMENT.items():
        for variable, later in zip(variables, (*variables[1:], None), strict=True):
            before = f", before ${later}" if later else ""
            lines.append(f"  {variable:16s} the default of --{name.replace('_', '-')}{before}")
    return "\n".join(lines)


def _epilog() -> str:
    """Examples, the environment variables and the exit-status table, for `dsconform --help`."""
    from conformance.transport import environment_help  # issue 15: CA bundles, proxies

    return (
        f"examples:\n{_examples()}\n\n"
        "environment (a flag beats its variable; `COMMAND --help` says which read it):\n"
        f"{_variables()}\n{environment_help()}\n\n"
        "config file: run's settings from dsconform.toml or pyproject.toml [tool.dsconform]\n"
        "  (keys = run's long flag names), beaten by flags and variables; `dsconform config\n"
        "  --api X` shows each setting's source\n\n"
        "exit status (of run; the other commands: 0 done, 1 findings, 2 usage, 4 a bug):\n"
        f"{exit_status_help()}\n"
    )


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(ExitCode.USAGE, f"dsconform: error: {message} (see --help)\n")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="dsconform",
        description=_description(),
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"dsconform {__version__}")
    commands = parser.add_subparsers(
        title="commands", dest="command", required=True, parser_class=_Parser, metavar="COMMAND"
    )
    _add_lint_parser(commands)
    run = _add_run_parser(commands)
    _add_config_parser(commands)
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


def _add_lint_parser(commands: Any) -> None:
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


def _add_run_parser(commands: Any) -> argparse.ArgumentParser:
    run: argparse.ArgumentParser = commands.add_parser(
        "run",
        help="run the conformance suite against a target",
        description="Check a target against one API's contract (or every API's: --api all) and "
        "write report.json, report.html, summary.md and junit.xml to the report directory. A "
        "flag beats its environment variable, which beats the config file (dsconform.toml or "
        "pyproject.toml [tool.dsconform]), which beats the default; exit codes: dsconform "
        "--help.",
    )
    _add_run_flags(run)
    run.add_argument(
        "--show-settings",
        action="store_true",
        help="print the effective settings and where each comes from, then exit (sends nothing)",
    )
    run.add_argument(
        "--quiet", action="store_true", help="no progress display; a one-line summary at the end"
    )
    run.set_defaults(handler=_run)
    return run


def _add_config_parser(commands: Any) -> None:
    config = commands.add_parser(
        "config",
        help="show the effective run settings and the source of each (flag, env, file, default)",
        description="Print the settings `dsconform run` would use with the same flags, each "
        "with its source: flag, env VAR, file PATH [table], or default. Secrets are redacted; "
        "nothing is sent. Exit 2 when the settings (or the config file) are unusable.",
    )
    _add_run_flags(config)
    config.set_defaults(handler=_show_settings)


def _add_run_flags(parser: argparse.ArgumentParser) -> None:
    """`--api`, `--config` and every option of `run_options.RUN_OPTIONS`."""
    from conformance.run_options import add_run_options

    parser.add_argument(
        "--api",
        choices=[*sorted(APIS), "all"],
        required=True,
        help="the API to check, or all (one report per API)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="read settings from this TOML file (/dev/null: none) instead of the "
        "dsconform.toml or pyproject.toml [tool.dsconform] found from the current directory",
    )
    add_run_options(parser)


def _config_file(args: argparse.Namespace) -> ConfigFile | None:
    """The command's config file, loaded once (a problem with it is a usage error)."""
    from conformance.config_file import ConfigFileError, config_of_command

    if "config_file" not in vars(args):
        try:
            args.config_file = config_of_command(args.config)
        except ConfigFileError as exc:
            raise _UsageError(str(exc)) from None
    config: ConfigFile | None = args.config_file
    return config


def _show_settings(args: argparse.Namespace) -> int:
    from conformance.settings_builder import SettingsError, settings_table

    names = sorted(APIS) if args.api == "all" else [args.api]
    _refuse_misplaced_flags(args, names)  # what `run` would refuse is not shown as its settings
    config = _config_file(args)
    try:
        for name in names:
            print("\n".join(settings_table(name, vars(args), os.environ, config)))
    except SettingsError as exc:
        raise _UsageError(_naming_the_file(str(exc), config)) from None
    return ExitCode.OK


def _run(args: argparse.Namespace) -> int:
    if args.show_settings:
        return _show_settings(args)
    names = sorted(APIS) if args.api == "all" else [args.api]
    _refuse_misplaced_flags(args, names)
    codes = []
    reports: list[Report] = []
    with ExitStack() as held:  # every report and record directory, ours until the runs end
        report_dirs, combined = _preflight(args, names, held)
        config = _config_file(args)
        if config is not None and config.has_values:
            print(f"dsconform: settings from {config.path}", file=sys.stderr)
        args.crash_log_dir = report_dirs[names[0]]  # where a crash log goes (exit 4)
        for name in names:
            codes.append(_run_one(args, name, report_dirs[name], reports))
            if codes[-1] in SIGNAL_CODES:  # a stop signal ends the whole command, not one API
                break
        if combined is not None and len(reports) > 1:
            from conformance.reporting.writers import write_combined

            print(f"combined report: {write_combined(reports, combined)[0]}")
        # A CI job summary (GitHub Actions), once per command; never fails the run.
        from conformance.reporting.writers import append_step_summary

        warning = append_step_summary(reports, [report_dirs[r.api] for r in reports])
        if warning:
            print(f"dsconform: {_printable(warning)}", file=sys.stderr)
    # The worst outcome wins: a signal, unusable (2), findings (1), incomplete (3), ok.
    return max(codes, key=_severity)


def _refuse_misplaced_flags(args: argparse.Namespace, names: list[str]) -> None:
    """Flags that name a target under `--api all`, or that only another API takes."""
    from conformance.run_options import RUN_OPTIONS
    from conformance.settings_builder import foreign_option

    targets = [option for option in RUN_OPTIONS if option.names_target]
    if len(names) > 1 and (args.fault or any(getattr(args, o.dest) for o in targets)):
        drop = "/".join(f"--{option.name}" for option in targets)
        raise _UsageError(f"--api all runs the embedded reference servers: drop {drop}/--fault")
    refusal = foreign_option(names[0], vars(args)) if len(names) == 1 else None
    if refusal is not None:
        raise _UsageError(refusal)


def _severity(code: int) -> tuple[bool, bool, bool, bool, int]:
    """Orders exit codes for `--api all`: signals > usage 2 > findings 1 > incomplete 3 > 0."""
    return (
        code in SIGNAL_CODES,
        code == ExitCode.USAGE,
        code == ExitCode.FINDINGS,
        code == ExitCode.INCOMPLETE,
        code,
    )


def _preflight(
    args: argparse.Namespace, names: list[str], held: ExitStack
) -> tuple[dict[str, Path], Path | None]:
    """Every input error before the first request of any API's run: flags, files read
    (baseline, cassettes, .edgerc), then the directories written, claimed for the whole run.
    Returns each API's report directory and, when every API was given the same one (`--api
    all --report-dir DIR`), that directory for the combined report (each API in DIR/<api>/)."""
    from conformance.preflight import PreflightError, check_inputs, claim_outputs
    from conformance.reporting.writers import OutputDirError, claimed_directory

    given = {name: _run_settings(args, name).report_dir for name in names}
    shared = given[names[0]] if len(names) > 1 and len(set(given.values())) == 1 else None
    wanted = {name: shared / name for name in names} if shared is not None else given
    try:
        for name in names:
            check_inputs(_run_settings(args, name, wanted[name]))
        if shared is not None:
            held.enter_context(claimed_directory(shared, "--report-dir"))
        dirs = {
            name: claim_outputs(_run_settings(args, name, wanted[name]), held) for name in names
        }
    except (PreflightError, OutputDirError) as exc:
        raise _UsageError(str(exc)) from None
    return dirs, shared


def _run_settings(
    args: argparse.Namespace, api: str, report_dir: Path | None = None
) -> RunSettings:
    """The run's settings from the one builder the pytest plugin uses too (`report_dir`, when
    given, replaces what the flags and the config file say)."""
    from conformance.settings_builder import SettingsError, build_settings

    options = {**vars(args), **({"report_dir": report_dir} if report_dir is not None else {})}
    config = _config_file(args)
    try:
        return build_settings(api, options, os.environ, config)
    except SettingsError as exc:
        raise _UsageError(_naming_the_file(str(exc), config)) from None


def _naming_the_file(message: str, config: ConfigFile | None) -> str:
    """A settings error, with the config file named when it may have contributed."""
    if config is None or not config.has_values or str(config.path) in message:
        return message
    return f"{message} (with settings from {config.path})"


def _run_one(
    args: argparse.Namespace, api: str, report_dir: Path | None, reports: list[Report]
) -> int:
    from conformance.engine.target import TargetConfigError
    from conformance.reference.faults import UnknownFaultError
    from conformance.reporting.terminal_report import print_summary
    from conformance.reporting.writers import REPORT_FILES
    from conformance.runner.progress import RunProgress
    from conformance.runner.run import run_conformance

    settings = _run_settings(args, api, report_dir)
    from conformance.cassettes.secret_scan import SecretLeakError
    from conformance.cassettes.store import CassetteError
    from conformance.gating.findings import GatingInputError

    try:
        with RunProgress(api, quiet=args.quiet) as progress:
            outcome = run_conformance(
                settings, listeners=[progress.handle], on_exchange=progress.on_exchange
            )
    except (UnknownFaultError, TargetConfigError) as exc:
        raise _UsageError(str(exc)) from None
    except (CassetteError, SecretLeakError, GatingInputError) as exc:
        raise _UsageError(str(exc)) from None
    report = outcome.report
    reports.append(report)
    report_files = [outcome.report_dir / name for name in REPORT_FILES]
    print_summary(report, report_files, quiet=args.quiet)
    if report.aborted:
        print(f"dsconform: error: run aborted: {_printable(report.aborted)}", file=sys.stderr)
    elif report.incomplete and outcome.exit_code == ExitCode.INCOMPLETE:
        print(f"dsconform: incomplete: {_printable(report.incomplete)}", file=sys.stderr)
    if outcome.baseline is not None:
        print(outcome.baseline.render())
    return int(outcome.exit_code)


def _lint(args: argparse.Namespace) -> int:
    from conformance.lint import lint_api

    if (args.spec or args.catalogue) and args.api == "all":
        choices = " or ".join(f"--api {name}" for name in sorted(APIS))
        raise _UsageError(f"--spec and --catalogue need {choices}")
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
    from conformance.core.stopping import RunInterrupted, signals_as_interrupts

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
