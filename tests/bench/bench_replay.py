"""Headless replay throughput and where one happy-path session spends its machine time.

    .venv/bin/python tests/bench/bench_replay.py [--sessions N] [--skip PREFIX]

Runs the sample sessions in-process without screenshots (virtual clock, real parts: emulated
card over the JPKI client, local reference center rendering real PDFs, SQLite journal with
synchronous=FULL on disk, spool printer). Target: >= 50 sessions/s on one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.result import Options
from kiosk.replay.runner import play_file  # noqa: E402

SESSIONS = Path(__file__).resolve().parents[1] / "sessions"
HAPPY = SESSIONS / "r001-juminhyo-one-copy.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--skip", action="append", default=[], metavar="PREFIX",
                        help="leave out the samples whose name starts so (to compare with an "
                             "earlier set of samples, e.g. --skip registration-)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    samples = [parse_session(p) for p in sorted(SESSIONS.glob("*.jsonl"))
               if not p.name.startswith(tuple(args.skip))]
    happy = parse_session(HAPPY)
    with tempfile.TemporaryDirectory() as tmp:
        options = Options(out=None, journal=Path(tmp) / "bench.sqlite",
                          printer=f"spool:{tmp}/printed")
        for s in samples:  # warm-up: keys, fonts, imports
            assert play_file(s, options).passed

        started = time.perf_counter()
        for i in range(args.sessions):
            result = play_file(samples[i % len(samples)], options)
            if not result.passed:
                print(f"FAILED: {result.failures}", file=sys.stderr)
                return 1
        elapsed = time.perf_counter() - started
        print(f"replay throughput: {args.sessions} sessions (all {len(samples)} samples in turn)"
              f" in {elapsed:.2f} s = {args.sessions / elapsed:.1f} sessions/s on one core")

        per_step: dict[str, list[float]] = defaultdict(list)
        totals, apdus = [], 0
        for _ in range(50):
            result = play_file(happy, options)
            totals.append(result.seconds * 1000)
            apdus = result.apdus
            for step, seconds in result.machine_time.items():
                per_step[step].append(seconds * 1000)
        print(f"happy path ({HAPPY.name}): median {statistics.median(totals):.2f} ms machine "
              f"time per session (50 runs), {apdus} APDUs")
        for step, values in sorted(per_step.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {step:<22} {statistics.median(values):8.3f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
