"""The seam between the shared code and the APIs, proved by a third one.

A copy of the package gets the toy Notes API (tests/toy_api/: its folder, its three contract
files) and the one line that lists it, nothing else; the test proves the copy differs from the
checkout by exactly that, then runs the toy API end to end from the command line as a user
would: `lint`, `plan`, `run` against the embedded reference server, the kill matrix (each of its
faults caught, its vacuity fault never passed) and `serve` with `run --base-url` against it.
"""

from __future__ import annotations

import difflib
import filecmp
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOY = Path(__file__).resolve().parent / "toy_api"
API_LIST = Path("conformance/apis/__init__.py")
TOY_LINE = '    "toy",\n'
CONTRACT_FILES = (
    "specs/toy-notes-v1.yaml",
    "specs/requirements/toy.yaml",
    "specs/sources/toy-notes-v1.md",
)
FAULTS = {
    "no-version-header": "TOY-HEADER-001",
    "create-answers-200": "TOY-CREATE-001",
    "deleted-note-found": "TOY-GET-001",
    "nameless-note-accepted": "TOY-STATUS-001",
}
VACUITY = {"writes-refused": ("TOY-CREATE-001", "TOY-STATUS-001", "TOY-GET-001")}
ALL_IDS = {"TOY-CREATE-001", "TOY-GET-001", "TOY-STATUS-001", "TOY-HEADER-001"}
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", "_contracts")


def _add_the_line(api_list: Path) -> None:
    """The one line: the toy's folder name after the last entry of FOLDERS."""
    lines = api_list.read_text().splitlines(keepends=True)
    end = lines.index(")\n", lines.index("FOLDERS = (\n"))
    lines.insert(end, TOY_LINE)
    api_list.write_text("".join(lines))


@pytest.fixture(scope="module")
def toy_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and its contracts, plus the toy's folder, files and line."""
    root = tmp_path_factory.mktemp("toy-checkout")
    shutil.copytree(ROOT / "conformance", root / "conformance", ignore=IGNORED)
    shutil.copytree(ROOT / "specs", root / "specs", ignore=IGNORED)
    shutil.copytree(TOY / "folder", root / "conformance/apis/toy", ignore=IGNORED)
    for name in CONTRACT_FILES:
        shutil.copy(TOY / name, root / name)
    _add_the_line(root / API_LIST)
    return root


def _tree(base: Path) -> set[str]:
    return {
        p.relative_to(base).as_posix()
        for sub in ("conformance", "specs")
        for p in (base / sub).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and "_contracts" not in p.parts
    }


def test_the_toy_joins_by_one_folder_its_contract_files_and_one_line(toy_root: Path) -> None:
    ours, theirs = _tree(ROOT), _tree(toy_root)
    added = theirs - ours
    assert ours <= theirs
    assert {a for a in added if not a.startswith("conformance/apis/toy/")} == set(CONTRACT_FILES)
    changed = [
        name
        for name in sorted(ours)
        if not filecmp.cmp(ROOT / name, toy_root / name, shallow=False)
    ]
    assert changed == [API_LIST.as_posix()]
    diff = difflib.ndiff(
        (ROOT / API_LIST).read_text().splitlines(keepends=True),
        (toy_root / API_LIST).read_text().splitlines(keepends=True),
    )
    assert [line for line in diff if line[:1] in "+-"] == ["+ " + TOY_LINE]


def _env(toy_root: Path) -> dict[str, str]:
    """The copy first on the path; no credentials or config of the user's."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DSCONFORM_", "AZION_", "AKAMAI_", "SCHEMATHESIS_"))
    }
    return {**env, "PYTHONPATH": str(toy_root), "PYTHONUNBUFFERED": "1"}


def _dsconform(
    toy_root: Path, cwd: Path, *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "conformance", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=_env(toy_root),
        timeout=timeout,
        check=False,
    )


def _statuses(report_dir: Path) -> dict[str, str]:
    report: dict[str, Any] = json.loads((report_dir / "report.json").read_text())
    assert report["api"] == "toy"
    return {r["id"]: r["status"] for r in report["requirements"]}


def test_the_copy_is_the_one_python_imports(toy_root: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import conformance.apis as a; print(a.__file__, sorted(a.APIS))"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=_env(toy_root),
        timeout=60,
        check=True,
    )
    assert done.stdout.split(" ", 1) == [
        str(toy_root / API_LIST),
        "['akamai', 'azion', 'toy']\n",
    ]


def test_lint_and_plan_take_the_toy(toy_root: Path, tmp_path: Path) -> None:
    linted = _dsconform(toy_root, tmp_path, "lint")
    assert linted.returncode == 0, linted.stdout + linted.stderr
    assert "toy" in linted.stdout + linted.stderr
    planned = _dsconform(toy_root, tmp_path, "plan", "--api", "toy")
    assert planned.returncode == 0, planned.stderr
    assert "note-lifecycle" in planned.stdout


def test_a_run_against_the_embedded_toy_passes_every_requirement(
    toy_root: Path, tmp_path: Path
) -> None:
    done = _dsconform(toy_root, tmp_path, "run", "--api", "toy", "--report-dir", "out")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert _statuses(tmp_path / "out") == dict.fromkeys(ALL_IDS, "passed")
    assert {"report.html", "summary.md", "junit.xml"} <= {
        p.name for p in (tmp_path / "out").iterdir()
    }


@pytest.mark.parametrize(("fault", "requirement_id"), sorted(FAULTS.items()))
def test_each_toy_fault_is_caught(
    toy_root: Path, tmp_path: Path, fault: str, requirement_id: str
) -> None:
    done = _dsconform(
        toy_root, tmp_path, "run", "--api", "toy", "--fault", fault, "--report-dir", "out"
    )
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert _statuses(tmp_path / "out")[requirement_id] == "failed"


@pytest.mark.parametrize(("fault", "requirement_ids"), sorted(VACUITY.items()))
def test_the_toy_vacuity_fault_is_never_passed(
    toy_root: Path, tmp_path: Path, fault: str, requirement_ids: tuple[str, ...]
) -> None:
    done = _dsconform(
        toy_root, tmp_path, "run", "--api", "toy", "--fault", fault, "--report-dir", "out"
    )
    assert done.returncode not in (0, 4), done.stdout[-2000:] + done.stderr[-2000:]
    statuses = _statuses(tmp_path / "out")
    assert {rid: statuses[rid] for rid in requirement_ids if statuses[rid] == "passed"} == {}


@pytest.fixture
def served_toy(toy_root: Path, tmp_path: Path) -> Iterator[str]:
    """`dsconform serve --api toy` on a free loopback port; its base URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "conformance", "serve", "--api", "toy", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        env=_env(toy_root),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("LISTENING http://127.0.0.1:"), line
        yield line.removeprefix("LISTENING ")
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def test_a_run_against_the_served_toy_passes(
    toy_root: Path, tmp_path: Path, served_toy: str
) -> None:
    done = _dsconform(
        toy_root,
        tmp_path,
        "run",
        "--api",
        "toy",
        "--base-url",
        served_toy,
        "--report-dir",
        "out",
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert _statuses(tmp_path / "out") == dict.fromkeys(ALL_IDS, "passed")
