"""Run `dsconform` as a subprocess, so its exit code, stderr and memory are the real ones."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DSCONFORM = str(Path(sys.executable).parent / "dsconform")


def clean_environment() -> dict[str, str]:
    """This environment minus the variables that would give the run credentials or a target."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("AZION_", "AKAMAI_"))}


@dataclass(slots=True)
class Finished:
    """How a dsconform process ended."""

    code: int
    ended: float  # time.monotonic() when it was reaped
    seconds: float  # from start to end
    stdout: str
    stderr: str
    max_rss_kib: int  # peak resident memory of the process
    report_dir: Path

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.report_dir / "report.json").read_text("utf-8"))
        return data


class Running:
    """A started `dsconform run`; `finish()` waits for it (killing it past `limit`)."""

    def __init__(self, args: list[str], workdir: Path) -> None:
        self.workdir = workdir
        self.report_dir = workdir / "report"
        self._out = (workdir / "stdout").open("wb")
        self._err = (workdir / "stderr").open("wb")
        self.started = time.monotonic()
        self.process = subprocess.Popen(
            [DSCONFORM, "run", *args, "--report-dir", str(self.report_dir), "--quiet"],
            stdout=self._out,
            stderr=self._err,
            stdin=subprocess.DEVNULL,
            env=clean_environment(),
        )

    def signal(self, signum: int) -> None:
        # os.kill, not Popen.send_signal: that one may reap the process, and finish() could
        # then no longer read its exit status and memory.
        os.kill(self.process.pid, signum)

    def finish(self, limit: float) -> Finished:
        """Wait at most `limit` seconds from the start; a process still running is killed
        and the test fails."""
        pid = self.process.pid
        peak_kib = 0
        while True:
            peak_kib = max(peak_kib, _high_water_kib(pid))
            reaped, status, usage = os.wait4(pid, os.WNOHANG)
            if reaped == pid:
                break
            if time.monotonic() - self.started > limit:
                self.process.kill()
                os.wait4(pid, 0)
                self._close()
                raise AssertionError(
                    f"dsconform still running after {limit:g} s; stderr: {self._stderr()}"
                )
            time.sleep(0.05)
        ended = time.monotonic()
        self.process.returncode = os.waitstatus_to_exitcode(status)
        self._close()
        return Finished(
            self.process.returncode,  # negative: killed by a signal it did not handle
            ended,
            ended - self.started,
            (self.workdir / "stdout").read_text("utf-8", "replace"),
            self._stderr(),
            # The process's own high-water mark: wait4's ru_maxrss also counts the parent's
            # memory at the fork (a pytest worker grown to 300 MiB made a 100 MiB run look big).
            peak_kib or usage.ru_maxrss,
            self.report_dir,
        )

    def _stderr(self) -> str:
        return (self.workdir / "stderr").read_text("utf-8", "replace")

    def _close(self) -> None:
        self._out.close()
        self._err.close()


def run_cli(args: list[str], workdir: Path, limit: float) -> Finished:
    """Run `dsconform run ARGS --report-dir WORKDIR/report --quiet` to its end."""
    return Running(args, workdir).finish(limit)


def _high_water_kib(pid: int) -> int:
    """VmHWM of a running process from /proc (0 when it is gone or /proc is absent)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return 0
    return 0
