"""The layer rules of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conformance.apis import APIS

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
CONTRACT_MODULES = {
    "conformance.catalogue",
    "conformance.spec_files",
    "conformance.openapi_document",
    "conformance.apis",
    "conformance.apis.definition",
    "conformance.apis.akamai",
    "conformance.apis.azion",
}


def imports_of(path: Path) -> set[str]:
    """Every `conformance.*` module a file imports, at any depth (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("conformance")
        ):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("conformance")}
    return found


def _files(folder: str) -> list[Path]:
    """The modules of `folder`, shared and in every API's folder (apis/<name>/<folder>/)."""
    return sorted([*(PACKAGE / folder).rglob("*.py"), *PACKAGE.glob(f"apis/*/{folder}/**/*.py")])


def test_reference_servers_share_nothing_with_the_judge() -> None:
    for path in _files("reference"):
        judged = {
            m
            for m in imports_of(path)
            if m.startswith(("conformance.checks", "conformance.scenarios", "conformance.engine"))
        }
        assert judged == set(), path.name


def test_checks_use_no_phase() -> None:
    for path in _files("checks"):
        engine = {m for m in imports_of(path) if m.startswith("conformance.engine")}
        assert engine == set(), path.name


# The leaf modules: they import nothing of ours but each other and the contract loaders.
LEAF_MODULES = {
    "conformance.settings",
    "conformance.redaction",
    "conformance.target_url",
    "conformance.transport",
    "conformance.time_formats",
    "conformance.exit_codes",
}


def test_the_core_imports_nothing_above_it() -> None:
    """`conformance/core/` (exchanges, results, the client, budgets, time bounds, stops) is
    the floor: it imports only itself, the contract loaders and the leaf modules."""
    below = CONTRACT_MODULES | LEAF_MODULES
    for path in sorted((PACKAGE / "core").rglob("*.py")):
        above = {m for m in imports_of(path) if m not in below and m != "conformance.core"}
        assert {m for m in above if not m.startswith("conformance.core.")} == set(), path.name
    for module in LEAF_MODULES:
        path = PACKAGE / f"{module.removeprefix('conformance.')}.py"
        assert imports_of(path) <= below, module


def test_contract_modules_depend_only_on_each_other() -> None:
    for module in CONTRACT_MODULES:
        relative = module.removeprefix("conformance.").replace(".", "/")
        path = PACKAGE / f"{relative}.py"
        if not path.exists():
            path = PACKAGE / relative / "__init__.py"
        assert imports_of(path) <= CONTRACT_MODULES, module


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports, at any depth (function-level included);
    `from conformance.pkg import module` counts as importing that module."""
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    found.add(sub if sub in modules else node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_import_cycle_even_through_function_level_imports() -> None:
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def package_of(module: str) -> str:
    """`conformance.runner.run` -> `conformance.runner`; an API's folder is a package of its
    own (`conformance.apis.toy.checks.x` -> `conformance.apis.toy`), top-level modules are
    their own package."""
    parts = module.split(".")
    return ".".join(parts[:3] if parts[1:2] == ["apis"] and len(parts) > 2 else parts[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The module graph with the modules of each package merged into one node."""
    packages: dict[str, set[str]] = {}
    for module, imports in graph.items():
        package = package_of(module)
        packages.setdefault(package, set()).update(
            package_of(m) for m in imports if package_of(m) != package
        )
    return packages


def test_no_package_import_cycle() -> None:
    """The runner sits on top of the outputs (reporting, cassettes, gating) and they never
    import it back, nor each other in a ring: the layering reads from the packages alone."""
    graph = package_graph(import_graph())
    assert {"conformance.runner", "conformance.reporting", "conformance.cassettes"} <= set(graph)
    assert cycles(graph) == []


def test_packages_merge_modules_and_keep_the_api_folders_apart() -> None:
    graph = {
        "conformance.runner.run": {"conformance.reporting.model", "conformance.runner.events"},
        "conformance.reporting.model": set(),
        "conformance.reporting.progress": {"conformance.runner.events"},
        "conformance.runner.events": set(),
        "conformance.apis.toy.checks": {"conformance.apis.definition"},
        "conformance.apis.definition": set(),
    }
    assert package_graph(graph) == {
        "conformance.runner": {"conformance.reporting"},
        "conformance.reporting": {"conformance.runner"},
        "conformance.apis.toy": {"conformance.apis.definition"},
        "conformance.apis.definition": set(),
    }
    assert cycles(package_graph(graph)) == [["conformance.reporting", "conformance.runner"]]


# What only the runner (conformance/runner/) and the CLI wire in: the registries of checks and
# scenarios, and the outputs that consume a run's events or its report.
WIRED_BY_THE_RUNNER = (
    "conformance.checks.registry",
    "conformance.scenarios.registry",
    "conformance.citations",
    "conformance.reporting",
    "conformance.cassettes",
    "conformance.gating",
    "conformance.runner",
)


def _below_the_runner(module: str) -> bool:
    return module == "conformance.engine" or module.startswith(
        ("conformance.engine.", "conformance.core")
    )


def test_phases_and_core_receive_what_the_runner_wires() -> None:
    """No module of `engine` (the phases) or `core` imports a registry, an output (reports,
    cassettes, gating) or the runner: the runner hands them the API's checks and scenarios,
    and the outputs hear the run's events."""
    graph = import_graph()
    wrong = {
        (module, imported)
        for module, imports in graph.items()
        if _below_the_runner(module)
        for imported in imports
        if imported.startswith(WIRED_BY_THE_RUNNER)
    }
    assert wrong == set()
    assert any(_below_the_runner(m) for m in graph)  # the rule has something to judge


def test_the_outputs_do_not_drive_the_run() -> None:
    """reporting, cassettes and gating never import the runner (they are handed its report
    or hear its events through the listeners it wires), so a new output is a listener, not an
    edit of the runner."""
    graph = import_graph()
    outputs = ("conformance.reporting", "conformance.cassettes", "conformance.gating")
    wrong = {
        (module, imported)
        for module, imports in graph.items()
        if module.startswith(outputs)
        for imported in imports
        if imported == "conformance.runner" or imported.startswith("conformance.runner.")
    }
    assert wrong == set()


# The words that name a vendor: each API's name, and the brand of a vendor's auth scheme.
VENDOR_WORDS = re.compile("|".join(sorted({*APIS, "edgegrid"})), re.IGNORECASE)
PACKAGE_TEXT = {".py", ".j2", ".json", ".html", ".css", ".js"}


def _outside_the_api_folders() -> list[Path]:
    """Every text file of the package but an API's folder (apis/<name>/) and the one list."""
    found = []
    for path in sorted(PACKAGE.rglob("*")):
        parts = path.relative_to(PACKAGE).parts
        if not path.is_file() or path.suffix not in PACKAGE_TEXT or "__pycache__" in parts:
            continue
        if parts[0] == "apis" and (len(parts) > 2 or parts[1] == "__init__.py"):
            continue
        found.append(path)
    return found


def test_no_file_outside_the_api_folders_names_a_vendor() -> None:
    named = {
        path.relative_to(PACKAGE).as_posix(): sorted(
            {m.group(0).lower() for m in VENDOR_WORDS.finditer(path.read_text(encoding="utf-8"))}
        )
        for path in _outside_the_api_folders()
    }
    assert {name: words for name, words in named.items() if words} == {}


def test_the_vendor_rule_reads_the_shared_files_and_skips_the_api_folders() -> None:
    checked = {p.relative_to(PACKAGE).as_posix() for p in _outside_the_api_folders()}
    assert {"cli.py", "apis/definition.py", "reporting/report.schema.json"} <= checked
    assert {"reporting/templates/report.html.j2", "engine/target.py"} <= checked
    assert [c for c in checked if c.startswith(tuple(f"apis/{api}/" for api in APIS))] == []
    assert "apis/__init__.py" not in checked
    assert VENDOR_WORDS.search("EdgeGridAuth") and VENDOR_WORDS.search("if api == 'azion'")
