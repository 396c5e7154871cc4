"""The `dsconform` command line: flags in, an engine call, an exit code out."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from conformance import __version__
from conformance.apis import APIS, get_api
from conformance.exit_codes import ExitCode
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

    from conformance.reference.serve_command import add_serve_parser

    add_serve_parser(commands)
    return parser


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
