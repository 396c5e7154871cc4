"""Locating and loading the contract files (specs, catalogues, vendor sources)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ContractFileError(Exception):
    """A contract file is missing or is not valid YAML."""


def contracts_dir() -> Path:
    """The `specs/` folder: inside an installed wheel, else the repository's own."""
    packaged = Path(__file__).parent / "_contracts"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "specs"


def load_yaml(path: Path) -> Any:
    """Parse a YAML file, raising ContractFileError with the file and line on failure."""
    import yaml  # here, not at the top: `dsconform --help` must not pay for it

    # libyaml's loader parses the specs about ten times faster; the pure-Python one is the fallback.
    loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContractFileError(f"{path}: file not found") from None
    except OSError as exc:
        raise ContractFileError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        return yaml.load(text, Loader=loader)  # a safe loader, C or Python
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ContractFileError(f"{path}{where}: YAML syntax error: {problem}") from None
