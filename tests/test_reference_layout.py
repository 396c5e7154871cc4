"""Size bounds of the reference servers (conformance/reference/**): small modules, short
functions.

A module holds at most MAX_MODULE_LINES lines of code (lines that are neither blank nor only a
comment; docstrings count). A function spans at most MAX_FUNCTION_LINES lines from its `def` to
its last line, unless a `# long: <reason>` comment stands on the `def` line or on the line just
above the function (above its decorators), saying why it is better kept whole.
"""

from __future__ import annotations

import ast
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "conformance" / "reference"
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60
LONG_MARKER = "# long:"


def code_lines(source: str) -> int:
    """Lines that are neither blank nor only a comment."""
    return sum(
        1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#")
    )


def long_functions(source: str) -> list[str]:
    """`name (N lines)` of each function over the bound without a `# long:` reason beside it."""
    lines = source.splitlines()
    found: list[str] = []
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
            found.append(f"{node.name} ({length} lines)")
    return found


def _modules() -> list[Path]:
    return sorted(REFERENCE.rglob("*.py"))


def test_every_reference_module_is_small() -> None:
    sizes = {p.relative_to(REFERENCE).as_posix(): code_lines(p.read_text()) for p in _modules()}
    assert {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES} == {}


def test_every_reference_function_is_short_or_says_why() -> None:
    found = {p.relative_to(REFERENCE).as_posix(): long_functions(p.read_text()) for p in _modules()}
    assert {name: funcs for name, funcs in found.items() if funcs} == {}


def test_both_servers_are_built_the_same_way() -> None:
    shapes = {
        api: sorted(p.name for p in (REFERENCE / api).glob("*.py")) for api in ("akamai", "azion")
    }
    for api, names in shapes.items():
        assert {"app.py", "faults.py", "validation.py", "rendering.py", "store.py"} <= set(names), (
            api
        )


def test_the_bounds_are_measured() -> None:
    """The measures themselves: a long function is caught, and its reason lets it pass."""
    body = "".join(f"    x{i} = {i}\n" for i in range(MAX_FUNCTION_LINES))
    long_def = f"def too_long() -> None:\n{body}"
    assert long_functions(long_def) == [f"too_long ({MAX_FUNCTION_LINES + 1} lines)"]
    assert long_functions(f"# long: one table, read top to bottom\n{long_def}") == []
    assert long_functions(long_def.replace(":\n", ":  # long: a table\n", 1)) == []
    assert long_functions(f"# long:\n{long_def}") != []  # a marker without a reason is none
    assert code_lines("# comment\n\nx = 1\n  # indented comment\ny = 2\n") == 2
