"""The journal's cost per session: writes and time, SQLite on disk with synchronous=FULL.

    .venv/bin/python tests/bench/bench_journal.py [--sessions 200]

Plays the happy-path sample session (one certificate paid with a note: order, money in, fee,
change, document printing and printed, completion) on the kiosk's real journal, timing every
journal call. Target: <= 10 ms of journal time per session on this machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from kiosk.journal.store import SqliteJournal  # noqa: E402
from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.parallel import play_file  # noqa: E402
from kiosk.replay.result import Options

HAPPY = Path(__file__).resolve().parents[1] / "sessions" / "r001-juminhyo-one-copy.jsonl"
TIMED = ("order_created", "order_paid", "order_completed", "order_voided", "money_in",
         "payout_due", "payout_done", "printing", "printed", "print_failed")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=200)
    args = parser.parse_args()
    spent: list[float] = []
    originals = {name: getattr(SqliteJournal, name) for name in TIMED}

    def timed(name: str):  # type: ignore[no-untyped-def]
        def call(self, *a, **kw):  # type: ignore[no-untyped-def]
            t0 = time.perf_counter()
            try:
                return originals[name](self, *a, **kw)
            finally:
                spent.append(time.perf_counter() - t0)
        return call

    for name in TIMED:
        setattr(SqliteJournal, name, timed(name))
    session = parse_session(HAPPY)
    per_session_ms, writes = [], 0
    with tempfile.TemporaryDirectory(dir=Path.cwd()) as tmp:  # on this disk, not in tmpfs
        options = Options(journal=Path(tmp) / "journal.sqlite", printer=f"spool:{tmp}/printed")
        play_file(session, options)  # warm-up
        for _ in range(args.sessions):
            spent.clear()
            result = play_file(session, options)
            assert result.passed, result.failures
            per_session_ms.append(sum(spent) * 1000)
            writes = len(spent)
    print(f"journal per session ({HAPPY.name}, synchronous=FULL, WAL, on disk): {writes} "
          f"writes, median {statistics.median(per_session_ms):.2f} ms, p95 "
          f"{statistics.quantiles(per_session_ms, n=20)[-1]:.2f} ms "
          f"({args.sessions} sessions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
