"""How fast is the suite? Side by side, from one process:

- wall time of the default full run against the embedded reference, per API, next to the
  schemathesis CLI alone over the same spec and example count (the ratio is the figure);
- requests per second the suite sustains against the reference, next to a plain httpx loop
  against the same server (the overhead ratio; the aim is to stay within 3x of the loop).

Loopback only. `.venv/bin/python bench/run.py [--max-examples 10]`
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference import EDGEGRID_FORM, ROOT, reference_command, serving

from conformance.apis import APIS
from conformance.engine.run import run_conformance
from conformance.settings import RunSettings

HEADERS = {
    "akamai": {"Authorization": EDGEGRID_FORM},
    "azion": {
        "Authorization": "Token dsconform-edit-token",
        "Accept": "application/json; version=3",
    },
}
READ_PATHS = {
    "akamai": "/datastream-config-api/v1/log/groups",
    "azion": "/data_streaming/templates",
}


def suite_run(api: str, max_examples: int) -> tuple[float, int]:
    """Wall seconds and requests of the default full run against the embedded reference."""
    with tempfile.TemporaryDirectory() as report_dir:
        started = time.perf_counter()
        outcome = run_conformance(
            RunSettings(api=api, max_examples=max_examples, report_dir=Path(report_dir))
        )
        return time.perf_counter() - started, int(outcome.report["requests"]["total"])


def schemathesis_cli(api: str, max_examples: int) -> float:
    """Wall seconds of `st run` alone over the same spec, example count and server."""
    command = reference_command(api)
    with serving(command) as url:
        headers = [
            item for name, value in HEADERS[api].items() for item in ("-H", f"{name}: {value}")
        ]
        started = time.perf_counter()
        subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                str(APIS[api].spec_path),
                "--url",
                url,
                "-n",
                str(max_examples),
                "--seed",
                "0",
                "--phases",
                "fuzzing,stateful",
                *headers,
            ],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - started


def httpx_loop(api: str, seconds: float) -> float:
    command = reference_command(api)
    with serving(command) as url, httpx.Client(base_url=url, headers=HEADERS[api]) as client:
        count = 0
        started = time.perf_counter()
        while time.perf_counter() - started < seconds:
            client.get(READ_PATHS[api])
            count += 1
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--apis", default="akamai,azion")
    args = parser.parse_args()
    for api in args.apis.split(","):
        wall, requests = suite_run(api, args.max_examples)
        st_wall = schemathesis_cli(api, args.max_examples)
        loop = httpx_loop(api, 2.0)
        print(
            f"{api}: dsconform full run {wall:6.1f} s ({requests} requests, "
            f"{requests / wall:5.0f} req/s) | schemathesis CLI alone {st_wall:6.1f} s "
            f"(ratio {wall / st_wall:4.2f}) | httpx loop {loop:5.0f} req/s "
            f"(overhead {loop / (requests / wall):4.2f}x)"
        )


if __name__ == "__main__":
    main()
