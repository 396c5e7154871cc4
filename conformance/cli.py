"""The `dsconform` command line: flags in, an engine call, an exit code out."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from conformance import __version__
from conformance.apis import APIS, get_api
from conformance.engine.target import TargetConfigError
from conformance.exit_codes import ExitCode
from conformance.settings import ENVIRONMENT, PHASES, RunSettings
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
    run.add_argument("--api", choices=sorted(APIS), required=True)
    run.add_argument("--base-url", help="the target; without it, the embedded reference server")
    run.add_argument("--token", help=f"Azion token (or ${ENVIRONMENT['token']})")
    run.add_argument("--view-token", help="Azion view-only token, for the permission checks")
    run.add_argument("--edgerc", type=Path, help="Akamai .edgerc file (EdgeGrid credentials)")
    run.add_argument("--section", default=None, help="section of the .edgerc (default: default)")
    run.add_argument("--report-dir", type=Path, help="default: reports/<api>-<UTC timestamp>/")
    run.add_argument(
        "--phases",
        type=_phase_list,
        default=PHASES,
        help=f"comma-separated, from {','.join(PHASES)} (default: all)",
    )
    run.add_argument(
        "--max-examples",
        type=_positive_int,
        default=10,
        help="generated cases per operation and mode (default 10)",
    )
    run.add_argument("--seed", type=int, default=0, help="generation seed (default 0)")
    run.add_argument("--workers", type=_positive_int, default=1)
    run.add_argument(
        "--timeout", type=_positive_float, default=30.0, help="seconds per request (default 30)"
    )
    run.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="NAME",
        help="embedded target only: inject a reference-server fault",
    )
    run.set_defaults(handler=_run)

    from conformance.reference.serve_command import add_serve_parser

    add_serve_parser(commands)
    return parser


def _phase_list(text: str) -> tuple[str, ...]:
    phases = tuple(p.strip() for p in text.split(",") if p.strip())
    unknown = [p for p in phases if p not in PHASES]
    if unknown or not phases:
        raise argparse.ArgumentTypeError(
            f"unknown phase(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PHASES)}"
        )
    return phases


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be greater than 0, got {text}")
    return value


def _run(args: argparse.Namespace) -> int:
    from conformance.engine.run import run_conformance
    from conformance.reference.faults import UnknownFaultError

    if args.fault and args.base_url:
        raise _UsageError("--fault applies only to the embedded reference server (no --base-url)")
    settings = RunSettings(
        api=args.api,
        base_url=args.base_url,
        token=args.token or os.environ.get(ENVIRONMENT["token"]),
        view_token=args.view_token,
        edgerc=args.edgerc or _env_path(ENVIRONMENT["edgerc"]),
        section=args.section or os.environ.get(ENVIRONMENT["section"]) or "default",
        report_dir=args.report_dir,
        phases=args.phases,
        max_examples=args.max_examples,
        seed=args.seed,
        workers=args.workers,
        timeout=args.timeout,
        faults=tuple(args.fault),
    )
    try:
        outcome = run_conformance(settings)
    except UnknownFaultError as exc:
        raise _UsageError(str(exc)) from None
    except TargetConfigError as exc:
        raise _UsageError(str(exc)) from None
    report = outcome.report
    counts = ", ".join(f"{n} {status}" for status, n in report["counts"].items())
    print(
        f"{report['api']}: {report['verdict'].upper()} ({counts}; "
        f"{report['requests']['total']} requests) against {report['target']['base_url']}"
    )
    if report["aborted"]:
        print(f"dsconform: error: run aborted: {report['aborted']}", file=sys.stderr)
    for requirement in report["requirements"]:
        if requirement["status"] == "failed":
            first = requirement["findings"][0]["message"] if requirement["findings"] else ""
            print(f"  FAILED {requirement['id']}: {first[:160]}")
    print(f"report: {outcome.report_dir / 'report.json'}")
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


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = _build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args))
    except (ContractFileError, _UsageError) as exc:
        print(f"dsconform: error: {exc}", file=sys.stderr)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        print("dsconform: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
