"""Shared fixtures of the suite's own tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conformance.spec_files import contracts_dir


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A private copy of `specs/` that a test may break."""
    target = tmp_path / "specs"
    shutil.copytree(contracts_dir(), target)
    return target


pytest_plugins = ["pytester"]
