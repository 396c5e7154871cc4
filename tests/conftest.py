"""Shared fixtures of the suite's own tests."""

from __future__ import annotations

# Imported before any pytester run: an inline run drops the modules first imported during it,
# and `--workers` then cannot pickle a worker function of the dropped module (PicklingError:
# "not the same object as concurrent.futures.process._process_worker").
import concurrent.futures.process  # noqa: F401
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


@pytest.fixture(autouse=True)
def _no_ci_job_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """The suite's own runs stay out of the CI job's summary (`$GITHUB_STEP_SUMMARY`): only
    the tests of that feature set it, to a file of theirs."""
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
