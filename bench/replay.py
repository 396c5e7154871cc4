"""How long the offline gate takes: replay of every shipped cassette next to the live run.

The shipped recordings (`cassettes/<api>/`) are full runs of every phase against the embedded
reference servers; the seed-sample cassettes (`cassettes/samples/<api>/`) are rechecked. For
each API this prints the live run's wall time (measured when the cassettes were recorded, or
now with --live), the replay's, and the recheck's, then the whole offline gate.

    .venv/bin/python bench/replay.py            # replay + recheck the shipped cassettes
    .venv/bin/python bench/replay.py --live     # ... and run live again, for comparison
    .venv/bin/python bench/replay.py --record   # re-record the shipped cassettes (and samples)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from conformance.apis import APIS  # noqa: E402
from conformance.cassettes.samples import build_samples  # noqa: E402
from conformance.runner.recheck import recheck  # noqa: E402
from conformance.runner.run import run_conformance  # noqa: E402
from conformance.settings import RunSettings  # noqa: E402

SHIPPED = ROOT / "cassettes"
SAMPLES = SHIPPED / "samples"
VERDICT_FILE = "verdict.json"
# Modest, so the shipped cassettes stay small: every scenario in full, two generated cases
# per operation and mode, two state-machine sequences.
RECORD_EXAMPLES = 2


def _verdicts(report: dict) -> dict[str, list]:
    return {r["id"]: [r["status"], r["passes"], r["failures"]] for r in report["requirements"]}


def record(api: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        began = time.perf_counter()
        outcome = run_conformance(
            RunSettings(
                api=api, max_examples=RECORD_EXAMPLES, record_dir=SHIPPED, report_dir=Path(scratch)
            )
        )
        seconds = time.perf_counter() - began
    (SHIPPED / api / VERDICT_FILE).write_text(
        json.dumps(
            {
                "api": api,
                "verdict": outcome.report.to_json()["verdict"],
                "exit_code": int(outcome.exit_code),
                "requests": outcome.report.to_json()["requests"]["total"],
                "live_seconds": round(seconds, 2),
                "verdicts": _verdicts(outcome.report.to_json()),
            },
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    build_samples(APIS[api], SAMPLES)
    print(
        f"{api}: recorded {outcome.report.requests.total} requests in {seconds:.1f} s "
        f"({outcome.report.verdict})"
    )


def size(path: Path) -> str:
    total = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    files = sum(1 for p in path.glob("*.yaml"))
    return f"{files} cassettes, {total / 1024:.0f} KiB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--live", action="store_true", help="time a live run now as well")
    parser.add_argument("--record", action="store_true", help="re-record the shipped cassettes")
    parser.add_argument("--api", choices=[*sorted(APIS), "all"], default="all")
    args = parser.parse_args()
    names = sorted(APIS) if args.api == "all" else [args.api]
    if args.record:
        for api in names:
            record(api)
    gate = 0.0
    print(f"{'api':8} {'live run':>10} {'replay':>9} {'recheck':>9}  verdict   shipped")
    for api in names:
        expected = json.loads((SHIPPED / api / VERDICT_FILE).read_text(encoding="utf-8"))
        live = expected["live_seconds"]
        with tempfile.TemporaryDirectory() as scratch:
            if args.live:
                began = time.perf_counter()
                run_conformance(
                    RunSettings(
                        api=api, max_examples=RECORD_EXAMPLES, report_dir=Path(scratch) / "live"
                    )
                )
                live = time.perf_counter() - began
            began = time.perf_counter()
            outcome = run_conformance(
                RunSettings(api=api, replay_dir=SHIPPED, report_dir=Path(scratch) / "replay")
            )
            replay = time.perf_counter() - began
            began = time.perf_counter()
            recheck(SAMPLES, api, Path(scratch) / "samples")
            rechecked = time.perf_counter() - began
        same = (
            _verdicts(outcome.report.to_json()) == expected["verdicts"]
            and not outcome.report.aborted
        )
        gate += replay + rechecked
        print(
            f"{api:8} {live:9.1f}s {replay:8.2f}s {rechecked:8.2f}s  "
            f"{'same' if same else 'DIFFERS':8}  {size(SHIPPED / api)}; samples "
            f"{size(SAMPLES / api)}"
        )
        if not same:
            print(f"  replay notes: {outcome.report.to_json()['notes']}")
    print(f"offline gate (replay + recheck, both APIs): {gate:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
