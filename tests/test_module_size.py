"""Size bounds of every module of the `conformance` package: small modules, short functions.

A module holds at most MAX_MODULE_LINES lines of code (lines that are neither blank nor only a
comment; docstrings count). A function spans at most MAX_FUNCTION_LINES lines from its `def` to
its last line, unless a `# long: <reason>` comment stands on the `def` line or on the line just
above the function (above its decorators), saying why it is better kept whole.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
LONG_MARKER = "# long:"


def code_lines(source: str) -> int:
    """Lines that are neither blank nor only a comment."""
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def long_functions(source: str) -> list[tuple[str, int]]:
    """(name, lines) of each function over the bound without a `# long:` reason beside it."""
    lines = source.splitlines()
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        length = (node.end_lineno or node.lineno) - node.lineno + 1
        if length <= MAX_FUNCTION_LINES:
            continue
        first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        beside = [lines[node.lineno - 1], lines[first - 2] if first >= 2 else ""]
        if not any(
            LONG_MARKER in line and line.split(LONG_MARKER, 1)[1].strip() for line in beside
        ):
            found.append((node.name, length))
    return found


def _modules() -> dict[str, str]:
    """Path under conformance/ -> source, for every module of the package."""
    return {
        p.relative_to(PACKAGE).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(PACKAGE.rglob("*.py"))
    }


def test_every_module_is_small() -> None:
    sizes = {path: code_lines(source) for path, source in _modules().items()}
    over = {path: n for path, n in sizes.items() if n > MAX_MODULE_LINES}
    assert over == {}, f"over {MAX_MODULE_LINES} lines of code"


def test_every_function_is_short_or_says_why() -> None:
    found = {
        path: [f"{name} ({length} lines)" for name, length in long_functions(source)]
        for path, source in _modules().items()
    }
    over = {path: names for path, names in found.items() if names}
    assert over == {}, f"over {MAX_FUNCTION_LINES} lines without a `{LONG_MARKER} <reason>`"


def test_the_bounds_are_measured() -> None:
    """The measures themselves: a long function is caught, and its reason lets it pass."""
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    long_def = f"def too_long() -> None:\n{body}"
    assert long_functions(long_def) == [("too_long", MAX_FUNCTION_LINES + 1)]
    assert long_functions(f"# long: one table, read top to bottom\n{long_def}") == []
    assert long_functions(long_def.replace(":\n", ":  # long: a table\n", 1)) == []
    assert long_functions(f"# long:\n{long_def}") != []  # a marker without a reason is none
    method = "class A:\n" + "".join(f"    {line}\n" for line in long_def.splitlines())
    assert long_functions(method) == [("too_long", MAX_FUNCTION_LINES + 1)]
    short = f"def fits() -> None:\n{body[: body.rindex('    x')]}"
    assert long_functions(short) == []
    assert code_lines("# comment\n\nx = 1\n  # indented comment\ny = 2\n") == 2


def test_the_package_is_measured() -> None:
    """The walk reaches the package's nested modules, shared and per API."""
    paths = set(_modules())
    assert {"cli.py", "core/exchange.py", "apis/akamai/scenarios/lifecycle.py"} <= paths
