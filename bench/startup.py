"""How long `--help` takes: the start-up cost of the command line, imports included.

Runs each command 5 times (after one warm-up, so the file cache is hot) and prints the
median and the fastest wall time; `python -c pass` is the interpreter's own floor.

    .venv/bin/python bench/startup.py
    .venv/bin/python bench/startup.py --runs 9
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
# `python -m conformance` once conformance/__main__.py exists; the CLI module before that.
MODULE = "conformance" if importlib.util.find_spec("conformance.__main__") else "conformance.cli"
COMMANDS = {
    "python -c pass (floor)": [sys.executable, "-c", "pass"],
    f"python -m {MODULE} --help": [sys.executable, "-m", MODULE, "--help"],
    f"python -m {MODULE} run --help": [sys.executable, "-m", MODULE, "run", "--help"],
    "dsconform --help": [str(BIN / "dsconform"), "--help"],
    "dsconform run --help": [str(BIN / "dsconform"), "run", "--help"],
    "dsconform serve --help": [str(BIN / "dsconform"), "serve", "--help"],
}


def _seconds(command: list[str]) -> float:
    began = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per command (default 5)")
    runs = parser.parse_args().runs
    print(f"{'command':40s} {'median':>8s} {'fastest':>8s}  ({runs} runs)")
    for label, command in COMMANDS.items():
        _seconds(command)  # warm-up: file cache, .pyc files
        times = [_seconds(command) for _ in range(runs)]
        print(f"{label:40s} {statistics.median(times):7.3f}s {min(times):7.3f}s")


if __name__ == "__main__":
    main()
