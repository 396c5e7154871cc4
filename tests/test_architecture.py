"""The layer rules of ARCHITECTURE.md, enforced."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "conformance"
CONTRACT_MODULES = {
    "conformance.catalogue",
    "conformance.spec_files",
    "conformance.openapi_document",
    "conformance.apis",
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
    return sorted((PACKAGE / folder).glob("*.py"))


def test_reference_servers_share_nothing_with_the_judge() -> None:
    for path in sorted((PACKAGE / "reference").rglob("*.py")):  # the per-API subpackages too
        judged = {
            m
            for m in imports_of(path)
            if m.startswith(("conformance.checks", "conformance.scenarios", "conformance.engine"))
        }
        assert judged == set(), path.name


def test_checks_use_no_phase() -> None:
    for path in _files("checks"):
        engine = {m for m in imports_of(path) if m.startswith("conformance.engine")}
        assert engine <= {"conformance.engine.exchange"}, path.name


def test_contract_modules_depend_only_on_each_other() -> None:
    for module in CONTRACT_MODULES:
        relative = module.removeprefix("conformance.").replace(".", "/")
        path = PACKAGE / f"{relative}.py"
        if not path.exists():
            path = PACKAGE / relative / "__init__.py"
        assert imports_of(path) <= CONTRACT_MODULES, module
