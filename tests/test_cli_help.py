"""The command line explains itself: help on every flag, its variable and default, the
exit-status table README shows, a fast `--help`, and README's flag table kept true."""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from conformance.apis import APIS
from conformance.argument_types import rate
from conformance.cli import _build_parser
from conformance.exit_codes import EXIT_STATUS, ExitCode
from conformance.settings import ENVIRONMENT

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
# Options that share a settings name without reading its variable, and why.
NOT_FROM_ENVIRONMENT = {
    ("serve", "token"): "the token the reference server accepts, not a credential we send",
}
# What `--help` must not load: the engine and every heavy dependency of a command.
HEAVY = (
    "schemathesis",
    "hypothesis",
    "starlette",
    "uvicorn",
    "jinja2",
    "vcr",
    "requests",
    "httpx",
    "yaml",
    "jsonschema",
    "openapi_spec_validator",
    "conformance.engine",
    "conformance.core",
    "conformance.checks",
    "conformance.scenarios",
)


def _commands(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:  # type: ignore[type-arg]
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def _subparsers() -> dict[str, argparse.ArgumentParser]:
    return dict(_commands(_build_parser()).choices)


def _options(parser: argparse.ArgumentParser) -> Iterator[argparse.Action]:
    for action in parser._actions:
        if not isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            yield action


def _help_of(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """An option's help as `--help` prints it (%(default)s and the like filled in)."""
    return parser._get_formatter()._expand_help(action) if action.help else ""


def test_every_command_and_option_has_help() -> None:
    parser = _build_parser()
    listed = {a.dest: a.help for a in _commands(parser)._choices_actions}
    missing = []
    for name, command in _subparsers().items():
        if not listed.get(name):
            missing.append(f"{name} (in the command list)")
        if not command.description:
            missing.append(f"{name} (its description)")
        for action in _options(command):
            if not action.help or action.help == argparse.SUPPRESS:
                missing.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
    assert missing == []


def test_an_option_with_a_default_names_it() -> None:
    unnamed = []
    for name, command in _subparsers().items():
        for action in _options(command):
            if action.required or action.default in (None, False, [], argparse.SUPPRESS):
                continue
            if "default" not in _help_of(command, action).lower():
                unnamed.append(f"{name} {action.option_strings[0]}")
    assert unnamed == []


def test_an_option_read_from_the_environment_names_its_variable() -> None:
    unnamed, seen = [], set()
    for name, command in _subparsers().items():
        for action in _options(command):
            variables = ENVIRONMENT.get(action.dest, ())
            if not variables or (name, action.dest) in NOT_FROM_ENVIRONMENT:
                continue
            seen.add(action.dest)
            for variable in variables:
                if variable not in _help_of(command, action):
                    unnamed.append(f"{name} {action.option_strings[0]} ({variable})")
    assert unnamed == []
    assert seen == set(ENVIRONMENT)  # every variable is some flag's


def _dsconform(*argv: str) -> subprocess.CompletedProcess[str]:
    """`python -m conformance ARGV` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "conformance", *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )


def test_top_level_help_has_the_description_examples_variables_and_exit_codes() -> None:
    done = _dsconform("--help")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "flags in, an engine call" not in text  # the module's docstring, meant for us
    for api in APIS.values():  # the description names every API of the list
        assert api.title in " ".join(text.split("options:", 1)[0].split())
    examples = text.split("examples:\n", 1)[1].split("\n\n", 1)[0]
    assert 3 <= len(re.findall(r"^  dsconform ", examples, re.MULTILINE)) <= 5
    variables = text.split("environment", 1)[1].split("\n\n", 1)[0]
    for name, names in ENVIRONMENT.items():
        for variable in names:
            assert re.search(rf"^  {variable} +.*--{name.replace('_', '-')}\b", variables, re.M)
    table = re.sub(r"\s+", " ", text.split("exit status", 1)[1])
    for code, meaning in EXIT_STATUS:
        assert f" {code} {meaning}" in table, code


def test_every_example_in_the_help_parses() -> None:
    text = _build_parser().format_help()
    examples = re.findall(r"^  dsconform (.+)$", text.split("examples:", 1)[1], re.MULTILINE)
    assert examples
    for example in examples:
        _build_parser().parse_args(shlex.split(example))  # exit 2 on a flag that does not exist


def _readme_table(after: str) -> list[list[str]]:
    """The rows of the first Markdown table after the line starting with `after`."""
    section = README.split(f"\n{after}", 1)[1]
    rows = re.findall(r"^\|(.+)\|$", section.split("\n\n", 2)[1], re.MULTILINE)
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)] for row in rows[2:]]


def test_readme_exit_table_is_the_help_table() -> None:
    rows = [[cell.replace("`", "") for cell in row] for row in _readme_table("Exit status")]
    assert [tuple(row) for row in rows] == list(EXIT_STATUS)
    listed = {int(c) for code, _ in EXIT_STATUS for c in code.split(" / ")}
    assert listed == {int(code) for code in ExitCode}


def test_readme_flag_table_lists_exactly_the_run_flags() -> None:
    rows = _readme_table("Every flag, its environment variable")
    in_readme = {flag for row in rows for flag in re.findall(r"--[a-z][a-z-]*", row[0])}
    run = _subparsers()["run"]
    in_parser = {s for a in _options(run) for s in a.option_strings if s.startswith("--")}
    assert in_readme == in_parser
    for row in rows:  # a flag's variable in README is the one the settings read
        flag = re.findall(r"--[a-z][a-z-]*", row[0])[0]
        names = ENVIRONMENT.get(flag[2:].replace("-", "_"), ())
        assert all(v in row[1] for v in names) and (names or row[1] == ""), flag


def _readme_code_lines() -> list[str]:
    """README's code: the lines of fenced blocks and of indented ones."""
    lines, fenced = [], False
    for line in README.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif fenced or line.startswith("    "):
            lines.append(line)
    return lines


def test_every_command_in_readme_code_parses() -> None:
    commands = "|".join(_subparsers())
    found = []
    for line in _readme_code_lines():
        for match in re.finditer(rf"\bdsconform ((?:{commands})\b[^&|#]*)", line):
            found.append(match.group(1))
            _build_parser().parse_args(shlex.split(match.group(1)))  # exit 2 on a wrong flag
    assert "run --api all" in found and len(found) >= 5, found


def _strings(node: object) -> list[str]:
    if isinstance(node, dict):
        return [t for v in node.values() for t in _strings(v)]
    if isinstance(node, list):
        return [t for v in node for t in _strings(v)]
    return [str(node)]


def test_readme_ci_jobs_keep_what_the_run_writes() -> None:
    """The CI snippets are valid YAML, and what they upload is where the run writes it."""
    blocks = re.findall(r"```yaml\n(.*?)```", README, re.DOTALL)
    assert len(blocks) == 2  # GitHub Actions, GitLab CI
    for block in blocks:
        values = _strings(yaml.safe_load(block))
        (command,) = [v.split("dsconform ", 1)[1] for v in values if "dsconform run " in v]
        report_dir = _build_parser().parse_args(shlex.split(command)).report_dir
        assert report_dir is not None
        assert f"{report_dir}/" in values  # the artifacts: the whole directory
        assert f"{report_dir}/junit.xml" in values  # the test summary


def test_report_help_does_not_repeat_its_usage() -> None:
    done = _dsconform("report", "--help")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("[--combined FILE]") == 1, done.stdout


def test_help_loads_nothing_heavy() -> None:
    """`--help` of every command only builds the parser: what a command needs to run is
    imported when it runs (this is what keeps `dsconform --help` under half a second)."""
    commands = sorted(_subparsers())
    program = (
        "import contextlib, io, json, sys\n"
        "from conformance.cli import main\n"
        f"for argv in [['--help'], *[[c, '--help'] for c in {commands!r}]]:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        main(argv)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert "conformance.reference.serve_command" in loaded  # every command's parser was built
    assert [m for m in loaded if any(m == h or m.startswith(f"{h}.") for h in HEAVY)] == []


# --- serve --rate-limit N/PERIOD, as run takes it ----------------------------------------------


def _throttle(*flags: str) -> tuple[list[int], float, str]:
    """Start `serve --api akamai` with `flags`, send three unsigned GETs (each spends a
    token, 401 or not); the statuses, the seconds until the next token, and stderr."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", "--api", "akamai", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    statuses, next_in = [], 0.0
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("LISTENING http://127.0.0.1:"), line
        url = line.removeprefix("LISTENING ") + "/datastream-config-api/v1/log/groups"
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
        for _ in range(3):
            try:
                with opener.open(url, timeout=10) as response:
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
                if statuses[-1] == 429:
                    refill = datetime.fromisoformat(error.headers["X-RateLimit-Next"])
                    next_in = (refill - datetime.now(UTC)).total_seconds()
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=15)
    return statuses, next_in, stderr


def test_serve_takes_the_rate_limit_as_n_per_period() -> None:
    statuses, next_in, stderr = _throttle("--rate-limit", "2/10m")
    assert statuses == [401, 401, 429]
    assert 240 < next_in <= 300  # one token every 300 s: the period was read (the old default: 30)
    assert "deprecated" not in stderr


def test_serve_still_takes_a_bare_count_with_a_window_and_says_it_is_deprecated() -> None:
    statuses, next_in, stderr = _throttle("--rate-limit", "2", "--rate-window", "600")
    assert statuses == [401, 401, 429]
    assert 240 < next_in <= 300
    assert "deprecated; write --rate-limit 2/600s" in stderr


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (["--rate-limit", "2/60s", "--rate-window", "5"], "--rate-window goes with a bare"),
        (["--rate-limit", "2/0s"], "must be positive"),
        (["--rate-limit", "0"], "must be positive"),
        (["--rate-limit", "2/x"], "expected N/PERIOD"),
    ],
)
def test_serve_refuses_a_bad_rate_limit_in_one_line(flags: list[str], expected: str) -> None:
    done = _dsconform("serve", "--api", "azion", *flags)
    assert done.returncode == ExitCode.USAGE
    assert expected in done.stderr and len(done.stderr.splitlines()) == 1, done.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/60", (20, 60.0)),
        ("20/60s", (20, 60.0)),
        ("100/1m", (100, 60.0)),
        ("100/m", (100, 60.0)),  # schemathesis' `st run --rate-limit` form
        ("5/s", (5, 1.0)),
        ("1000/h", (1000, 3600.0)),
        ("9000/d", (9000, 86400.0)),
        ("3/0.5", (3, 0.5)),
    ],
)
def test_a_rate_reads_as_n_per_period(text: str, expected: tuple[int, float]) -> None:
    assert rate(text) == expected


@pytest.mark.parametrize("text", ["20", "20/", "/m", "20/x", "20/0", "0/m", "20/-1m", "20/8d"])
def test_a_rate_that_says_no_period_or_a_wrong_one_is_refused(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        rate(text)
