"""Headless replay throughput and where one happy-path session spends its machine time.

    .venv/bin/python tests/bench/bench_replay.py [--sessions N] [--skip PREFIX] [--jobs N]

Runs the sample sessions as `kiosk replay` does, without screenshots (virtual clock, real
parts: emulated card over the JPKI client, local reference center rendering real PDFs, a
SQLite journal on disk per session, spool printer): on one core, then spread over --jobs
processes (`kiosk replay -j N`). Prints sessions/s by the wall clock and by this process's CPU
time (which other load on the machine does not inflate). Targets (issue 13): >= 100 sessions/s
on one core; the kiosk's own machine time on the happy path, outside the center's document
rendering and the card's RSA, <= 5 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed  # noqa: E402

from kiosk.lab.center.local import LocalTransport  # noqa: E402
from kiosk.lab.center.pki import TestJPKI  # noqa: E402
from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.parallel import (
    play_all,  # noqa: E402
    play_file,  # noqa: E402
)
from kiosk.replay.result import Options, Result  # noqa: E402

SESSIONS = Path(__file__).resolve().parents[1] / "sessions"
HAPPY = SESSIONS / "r001-juminhyo-one-copy.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip", action="append", default=[], metavar="PREFIX",
                        help="leave out the samples whose name starts so (to compare with an "
                             "earlier set of samples, e.g. --skip registration-)")
    args = parser.parse_args()
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    samples = [parse_session(p) for p in sorted(SESSIONS.glob("*.jsonl"))
               if not p.name.startswith(tuple(args.skip))]
    batch = [samples[i % len(samples)] for i in range(args.sessions)]
    happy = parse_session(HAPPY)
    if not all(passed(play_all(samples, Options()))):  # warm-up: keys, fonts, imports
        return 1
    for jobs in (1, args.jobs):
        if jobs == 1 and cores:
            os.sched_setaffinity(0, {cores[0]})  # one core
        started, cpu = time.perf_counter(), time.process_time()
        if not all(passed(play_all(batch, Options(), jobs))):
            return 1
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        by_cpu = f", {args.sessions / cpu:.1f}/s of CPU time" if jobs == 1 else ""
        print(f"replay -j {jobs}: {args.sessions} sessions (the {len(samples)} samples in turn) "
              f"in {elapsed:.2f} s = {args.sessions / elapsed:.1f} sessions/s{by_cpu}"
              + (" on one core" if jobs == 1 else f" on {len(cores) or '?'} cores"))
        if cores:
            os.sched_setaffinity(0, set(cores))
    if cores:
        os.sched_setaffinity(0, {cores[0]})
    with tempfile.TemporaryDirectory() as tmp:
        options = Options(out=None, journal=Path(tmp) / "bench.sqlite",
                          printer=f"spool:{tmp}/printed")

        per_step: dict[str, list[float]] = defaultdict(list)
        totals, centers, apdus = [], [], 0
        for _ in range(50):
            with CenterClock() as center:
                result = play_file(happy, options)
            totals.append(result.seconds * 1000)
            centers.append(center.seconds * 1000)
            apdus = result.apdus
            for step, seconds in result.machine_time.items():
                per_step[step].append(seconds * 1000)
        total, in_center, rsa = (statistics.median(totals), statistics.median(centers),
                                 card_rsa_ms())
        print(f"happy path ({HAPPY.name}): median {total:.2f} ms machine time per session "
              f"(50 runs), {apdus} APDUs")
        for step, values in sorted(per_step.items(), key=lambda kv: -statistics.median(kv[1])):
            print(f"  {step:<22} {statistics.median(values):8.3f} ms")
        print(f"  of which the reference center (in-process, all its work) {in_center:.2f} ms "
              f"and the card's RSA signature {rsa:.2f} ms:")
        print(f"  the kiosk's own machine time {total - in_center - rsa:.2f} ms (target <= 5)")
    return 0


class CenterClock:
    """Time spent in the in-process center (every call through LocalTransport) while open."""

    def __enter__(self) -> CenterClock:
        self.seconds = 0.0
        self.send = LocalTransport.send

        def timed(transport: LocalTransport, request: bytes) -> bytes:
            started = time.perf_counter()
            try:
                return self.send(transport, request)
            finally:
                self.seconds += time.perf_counter() - started

        LocalTransport.send = timed  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        LocalTransport.send = self.send  # type: ignore[method-assign]


def card_rsa_ms() -> float:
    """The emulated card's one RSA-2048 signature of the sign-in, as the card makes it."""
    key = TestJPKI().card_key("r001")
    digest = hashlib.sha256(b"challenge").digest()
    times = []
    for _ in range(50):
        started = time.perf_counter()
        key.sign(digest, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def passed(outcomes: Iterable[Result | str]) -> list[bool]:
    """Each outcome passed; a failure or an error is printed."""
    ok = []
    for outcome in outcomes:
        good = isinstance(outcome, Result) and outcome.passed
        if not good:
            print(f"FAILED: {outcome if isinstance(outcome, str) else outcome.failures}",
                  file=sys.stderr)
        ok.append(good)
    return ok


if __name__ == "__main__":
    sys.exit(main())
