"""What a run writes: report and record directories that two runs never share, and exit 4
with a crash log (never a traceback on the terminal) when dsconform itself breaks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

import conformance.runner.run as engine_run
from conformance.cli import main
from conformance.crash_log import CRASH_PREFIX
from conformance.exit_codes import ExitCode
from conformance.reporting.writers import (
    LOCK_FILE,
    OutputDirError,
    claimed_directory,
    new_directory,
)

QUICK = ["--phases", "property", "--max-examples", "1", "--quiet"]
PLANTED_TOKEN = "planted-azion-token-7c1e"


def _run(tmp_path: Path, *extra: str) -> list[str]:
    return ["run", "--api", "azion", *QUICK, *extra]


# ------------------------------------------------------------------ report directory lock


def test_a_report_dir_held_by_another_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report_dir = tmp_path / "shared"
    with claimed_directory(report_dir, "--report-dir"):
        code = main(_run(tmp_path, "--report-dir", str(report_dir)))
        err = capsys.readouterr().err
        assert code == ExitCode.USAGE
        assert len(err.splitlines()) == 1
        assert f"in use by another dsconform run (pid {os.getpid()})" in err
        assert sorted(p.name for p in report_dir.iterdir()) == [LOCK_FILE]
    assert list(report_dir.iterdir()) == []  # the holder removed its lock


def test_a_record_dir_held_by_another_run_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = tmp_path / "cassettes"
    with claimed_directory(record / "azion", "--record directory"):
        code = main(_run(tmp_path, "--report-dir", str(tmp_path / "r"), "--record", str(record)))
        err = capsys.readouterr().err
    assert code == ExitCode.USAGE
    assert "in use by another dsconform run" in err and len(err.splitlines()) == 1
    assert sorted(p.name for p in (record / "azion").iterdir()) == []
    assert not (tmp_path / "r").exists()


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path: Path) -> None:
    report_dir = tmp_path / "stale"
    report_dir.mkdir()
    (report_dir / LOCK_FILE).write_text("999999999\n", encoding="utf-8")  # killed with -9
    code = main(_run(tmp_path, "--report-dir", str(report_dir)))
    assert code == ExitCode.OK
    assert (report_dir / "report.json").is_file()
    assert not (report_dir / LOCK_FILE).exists()


def test_the_lock_is_exclusive_across_threads_and_released(tmp_path: Path) -> None:
    target = tmp_path / "d"
    winners: list[int] = []
    refused: list[str] = []
    start = threading.Barrier(8)

    def claim(index: int) -> None:
        start.wait()
        try:
            with claimed_directory(target, "--report-dir"):
                winners.append(index)
                time.sleep(0.3)
        except OutputDirError as exc:
            refused.append(str(exc))

    threads = [threading.Thread(target=claim, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(refused) == 7
    with claimed_directory(target, "--report-dir"):  # free again once released
        pass


def test_two_processes_on_one_report_dir_never_mix(tmp_path: Path) -> None:
    """Run A holds the directory (slowed by a rate cap); run B, with another seed, is refused
    while A runs; A's report is A's alone."""
    script = Path(sys.executable).with_name("dsconform")
    report_dir = tmp_path / "shared"
    common = ["run", "--api", "azion", "--phases", "property", "--max-examples", "1", "--quiet"]
    first = subprocess.Popen(
        [
            str(script),
            *common,
            "--rate-limit",
            "2/1s",
            "--seed",
            "1",
            "--report-dir",
            str(report_dir),
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (report_dir / LOCK_FILE).exists():
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        second = subprocess.run(
            [str(script), *common, "--seed", "2", "--report-dir", str(report_dir)],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert first.poll() is None, "the first run ended before the second was refused"
        assert second.returncode == ExitCode.USAGE, second.stderr
        assert f"pid {first.pid}" in second.stderr
        assert len(second.stderr.splitlines()) == 1
        _, err = first.communicate(timeout=300)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    assert first.returncode == ExitCode.OK, err
    report = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert report["settings"]["seed"] == 1
    assert not (report_dir / LOCK_FILE).exists()


def test_default_report_dirs_never_collide(tmp_path: Path) -> None:
    base = tmp_path / "reports" / "azion-20260101T000000Z"
    made: list[Path] = []
    start = threading.Barrier(8)

    def make() -> None:
        start.wait()
        made.append(new_directory(base))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8
    assert base in made and base.with_name(f"{base.name}-8") in made


def test_two_runs_in_the_same_second_get_their_own_default_dirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    frozen = engine_run.default_report_dir("azion")
    monkeypatch.setattr(engine_run, "default_report_dir", lambda api, now=None: frozen)
    assert main(_run(tmp_path)) == ExitCode.OK
    assert main(_run(tmp_path)) == ExitCode.OK
    dirs = sorted(p.name for p in (tmp_path / "reports").iterdir())
    assert dirs == [frozen.name, f"{frozen.name}-2"]
    for name in dirs:
        assert (tmp_path / "reports" / name / "report.json").is_file()


# ------------------------------------------------------------------ exit 4


def _boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"simulated bug holding {PLANTED_TOKEN}")


def test_an_internal_error_is_one_line_and_a_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_run, "run_conformance", _boom)
    report_dir = tmp_path / "r"
    code = main(_run(tmp_path, "--report-dir", str(report_dir)))
    err = capsys.readouterr().err
    assert code == ExitCode.INTERNAL
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    logs = list(report_dir.glob(f"{CRASH_PREFIX}*.log"))
    assert len(logs) == 1 and str(logs[0]) in err
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback" in text and "RuntimeError: simulated bug" in text
    assert oct(logs[0].stat().st_mode & 0o777) == "0o600"


def test_the_crash_log_holds_no_credential(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_run, "run_conformance", _boom)
    report_dir = tmp_path / "r"
    with_token = ["run", "--api", "azion", "--base-url", "http://127.0.0.1:9"]
    code = main([*with_token, "--token", PLANTED_TOKEN, "--report-dir", str(report_dir)])
    assert code == ExitCode.INTERNAL
    err = capsys.readouterr().err
    (log,) = report_dir.glob(f"{CRASH_PREFIX}*.log")
    assert PLANTED_TOKEN not in log.read_text(encoding="utf-8") + err


def test_without_a_report_dir_the_crash_log_goes_to_tmpdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches its directory
    monkeypatch.setattr("conformance.lint.lint_api", _boom)
    assert main(["lint"]) == ExitCode.INTERNAL
    (log,) = tmp_path.glob(f"{CRASH_PREFIX}*.log")
    assert str(log) in capsys.readouterr().err
    assert "RuntimeError: simulated bug" in log.read_text(encoding="utf-8")


def test_a_default_report_dir_holds_the_crash_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(engine_run, "run_conformance", _boom)
    assert main(_run(tmp_path)) == ExitCode.INTERNAL
    (log,) = (tmp_path / "reports").glob(f"azion-*/{CRASH_PREFIX}*.log")
    assert str(log) in capsys.readouterr().err


def test_readme_and_help_list_the_same_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    with pytest.raises(SystemExit):
        main(["--help"])
    help_text = capsys.readouterr().out
    table = readme.split("Exit status", 1)[1].split("\n\n", 2)[1]
    assert table.startswith("| code | meaning |")
    for code in ExitCode:
        assert f"`{int(code)}`" in table, code
        assert f"{int(code)} " in help_text.split("exit status", 1)[1], code


def test_the_console_script_shows_no_traceback_on_an_internal_error(tmp_path: Path) -> None:
    """Through a real process: stderr is one line, the log lands in $TMPDIR."""
    program = (
        "import sys\n"
        "import conformance.lint as lint\n"
        "def boom(*a, **k):\n"
        "    raise KeyError('simulated')\n"
        "lint.lint_api = boom\n"
        "from conformance.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.run(
        [sys.executable, "-c", program, "lint", "--api", "azion"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "TMPDIR": str(temp)},
    )
    assert done.returncode == ExitCode.INTERNAL, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    (log,) = temp.glob(f"{CRASH_PREFIX}*.log")
    assert str(log) in done.stderr
    assert "KeyError: 'simulated'" in log.read_text(encoding="utf-8")


# ------------------------------------------------------------------ CI job summary


def test_the_summary_is_appended_to_github_step_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    summary = tmp_path / "step-summary.md"
    summary.write_text("an earlier step's summary\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report_dir = tmp_path / "rep"
    code = main([*_run(tmp_path), "--report-dir", str(report_dir)])
    assert code == ExitCode.OK
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("an earlier step's summary\n")  # appended, as GitHub expects
    assert "## dsconform ✅ azion: PASSED" in text
    assert f"`{report_dir / 'report.html'}`" in text
    assert "](report.html)" not in text  # no relative link where there is no directory
    assert "warning" not in capsys.readouterr().err


def test_an_unwritable_github_step_summary_is_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path))  # a directory: cannot be opened
    code = main([*_run(tmp_path), "--report-dir", str(tmp_path / "rep")])
    assert code == ExitCode.OK
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("dsconform: warning: cannot append to $GITHUB")
    assert str(tmp_path) in err[0]
