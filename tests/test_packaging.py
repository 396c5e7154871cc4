"""The package works outside the checkout: the wheel in a fresh virtual environment, the image.

`test_wheel_installs_and_runs_outside_the_checkout` builds the wheel (hatchling comes from the
package index), installs it with its dependencies into a new virtual environment under tmp_path
(pip may reach the index; its cache is reused) and runs `dsconform lint` and a run of both APIs
from a directory that is not the checkout. It is slow and marked so: about three minutes on
the loaded two-core machine it was written on (wheel ~17 s, install 60-120 s, lint ~10 s, run
~40 s). It is skipped, with the reason, when pip or its index cannot be reached. The Dockerfile
is built only where a docker daemon answers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
# Signs in pip's output that the index, not the package, is the problem.
_NETWORK_TROUBLE = re.compile(
    r"NewConnectionError|Failed to establish a new connection|Temporary failure in name "
    r"resolution|Name or service not known|Network is unreachable|ConnectTimeout|"
    r"ReadTimeoutError|ProxyError|Could not fetch URL"
)
_TIMEOUT = 900  # seconds per step: generous, two cores are shared by many jobs


def _step(command: list[str], cwd: Path, what: str, env: dict[str, str] | None = None) -> str:
    """Run one step; skip on a missing network, fail with pip's own words otherwise."""
    done = subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, env=env, check=False
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        if _NETWORK_TROUBLE.search(output):
            pytest.skip(f"{what}: the package index is not reachable ({_first_error(output)})")
        pytest.fail(f"{what} failed (exit {done.returncode}):\n{output[-4000:]}", pytrace=False)
    return output


def _first_error(output: str) -> str:
    lines = [line for line in output.splitlines() if "ERROR" in line or "Error" in line]
    return (lines or ["no detail"])[0].strip()[:200]


def _outside_env() -> dict[str, str]:
    """The environment of a user: no PYTHONPATH, no virtualenv of ours, no test variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "VIRTUAL_ENV"))}
    env.pop("PYTHONPATH", None)
    return env


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    if subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, check=False
    ).returncode:
        pytest.skip("pip is not available to build and install the wheel")
    wheels, venv, elsewhere = tmp_path / "wheels", tmp_path / "venv", tmp_path / "elsewhere"
    elsewhere.mkdir()
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    # Can pip reach an index at all? Fetching the build backend says (a few seconds).
    probe = subprocess.run(
        [*pip, "download", "--no-deps", "-q", "-d", str(tmp_path / "probe"), "hatchling>=1.21"],
        capture_output=True,
        text=True,
        timeout=_TIMEOUT,
        check=False,
    )
    if probe.returncode:
        pytest.skip(f"pip cannot fetch the build backend: {_first_error(probe.stderr)}")
    _step([*pip, "wheel", "--no-deps", "-q", "-w", str(wheels), str(CHECKOUT)], tmp_path, "wheel")
    (wheel,) = wheels.glob("dsconform-*.whl")
    # A virtual environment of its own, outside the checkout; this interpreter's pip fills it
    # (`--python`), which saves the minute ensurepip takes; --no-compile saves another.
    _step([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp_path, "venv")
    python = venv / "bin" / "python"
    _step(
        [*pip, "--python", str(python), "install", "-q", "--no-compile", str(wheel)],
        tmp_path,
        "installing the wheel",
    )
    env = _outside_env()
    where = _step(
        [str(python), "-c", "import conformance.spec_files as s; print(s.contracts_dir())"],
        elsewhere,
        "locating the contracts",
        env,
    )
    contracts = Path(where.strip())
    assert contracts.is_relative_to(venv), contracts  # the wheel's copy, not the checkout's
    assert contracts.name == "_contracts"
    dsconform = str(venv / "bin" / "dsconform")
    lint = _step([dsconform, "lint"], elsewhere, "dsconform lint", env)
    assert "lint: 0 problem(s) in akamai, azion" in lint
    # Every phase of both APIs, with one generated case per operation and mode (the full
    # default takes twice as long and proves nothing more about the packaging).
    _step(
        [dsconform, "run", "--api", "all", "--report-dir", "out", "--max-examples", "1", "--quiet"],
        elsewhere,
        "dsconform run --api all",
        env,
    )
    for api in ("akamai", "azion"):
        report = json.loads((elsewhere / "out" / api / "report.json").read_text("utf-8"))
        assert report["verdict"] == "passed", (api, report["counts"])
        assert report["counts"]["passed"] > 50
        assert {p["name"] for p in report["phases"]} >= {"property", "stateful", "scenarios"}
    for name in ("report.html", "summary.md"):
        assert (elsewhere / "out" / name).is_file()
    assert not list(CHECKOUT.glob("out")), "the run wrote into the checkout"


# --- the container image ----------------------------------------------------------------------

DOCKERFILE = CHECKOUT / "Dockerfile"


def _dockerignore() -> list[str]:
    lines = (CHECKOUT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_dockerfile_copies_what_the_package_needs_and_runs_dsconform() -> None:
    """Without a daemon: the image's base, its entry point, and what it copies."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert re.search(r'^ENTRYPOINT \["dsconform"\]$', text, re.MULTILINE)
    copied = re.findall(r"^COPY (\S+(?: \S+)*) \S+$", text, re.MULTILINE)
    sources = {s.rstrip("/") for line in copied for s in line.split()}
    assert {"pyproject.toml", "README.md", "specs", "conformance"} <= sources
    ignored = _dockerignore()
    for source in sources:
        assert (CHECKOUT / source).exists(), source
        assert source not in ignored, f"{source} is copied but .dockerignore drops it"
    for secret in ("*.edgerc", ".env", ".git", ".venv"):
        assert secret in ignored, f".dockerignore lets {secret} into the build context"


def _docker_daemon() -> str | None:
    """None when a docker daemon answers, else why not."""
    if shutil.which("docker") is None:
        return "no docker client on PATH"
    try:
        info = subprocess.run(
            ["docker", "info"], capture_output=True, text=True, timeout=30, check=False
        )
    except subprocess.TimeoutExpired:
        return "docker info did not answer within 30 s"
    if info.returncode != 0:
        why = [line for line in info.stderr.splitlines() if line.strip()]
        return f"no docker daemon ({(why or ['docker info failed'])[-1].strip()})"
    return None


@pytest.mark.slow
def test_image_builds_and_its_entry_point_is_dsconform(tmp_path: Path) -> None:
    reason = _docker_daemon()
    if reason is not None:
        pytest.skip(reason)
    tag = f"dsconform-test:{os.getpid()}"
    _step(["docker", "build", "-q", "-t", tag, str(CHECKOUT)], tmp_path, "docker build")
    try:
        version = _step(["docker", "run", "--rm", tag, "--version"], tmp_path, "docker run")
        assert version.strip().startswith("dsconform ")
        lint = _step(["docker", "run", "--rm", tag, "lint"], tmp_path, "docker run lint")
        assert "lint: 0 problem(s)" in lint
    finally:
        subprocess.run(["docker", "image", "rm", "-f", tag], capture_output=True, check=False)
