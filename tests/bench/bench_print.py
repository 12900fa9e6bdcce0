"""From payment complete to paper: through a real cupsd to ippeveprinter (the printer lab).

    .venv/bin/python tests/bench/bench_print.py [--runs 10] [--copies 2]

Each run is a whole visit on the kiosk's own session; the clock starts when the coin that
completes the payment goes in, and stops (1) when CUPS has accepted the first job and (2) when
the last job is reported completed. Target: job accepted < 200 ms after payment. cupsd must be
running (as root: cupsd -f); the lab printer is started here.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from drivers.printer.lab import PrinterLab
from kiosk.app import build_kiosk
from kiosk.clock import JST, VirtualClock
from kiosk.config import from_data
from kiosk.vocabulary import events as ev


def visit(tmp: Path, queue: str, copies: int, n: int) -> tuple[float, float, int]:
    """One visit; returns (ms to job accepted, ms to all printed, pages)."""
    config = from_data({"printer": {"uri": f"cups:{queue}", "timeout": 30},
                        "journal": {"path": str(tmp / f"journal-{n}.sqlite")}})
    k = build_kiosk(config, VirtualClock(datetime(2026, 11, 20, 11, 0, tzinfo=JST)),
                    inline=True)
    try:
        for e in (ev.Start(), ev.Agree()):
            k.post(e)
            k.pump()
        k.place_card("r001")
        k.pump()
        k.post(ev.EnterPin(bytearray(b"1234")))
        k.pump()
        k.remove_card()
        for e in (ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
                  ev.SetOptions({}), ev.SetCopies(copies), ev.Confirm()):
            k.post(e)
            k.pump()
        assert k.session.state == "payment", k.session.state
        accepted: list[float] = []  # when CUPS took each job
        original = k.printer.print_document

        def timed(*args: object, **kwargs: object) -> object:
            result = original(*args, **kwargs)  # type: ignore[arg-type]
            accepted.append(k.printer.accepted_at or 0.0)  # type: ignore[union-attr]
            return result

        k.printer.print_document = timed  # type: ignore[method-assign]
        started = time.perf_counter()
        k.cash.insert(1000)
        k.pump()
        done = time.perf_counter()
        assert k.session.state == "collect", k.session.state
        return ((accepted[0] - started) * 1000, (done - started) * 1000,
                k.session.view().pages_done)
    finally:
        k.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        lab = PrinterLab(Path(tmp) / "lab", queue="kiosk-bench-lab")
        lab.start()
        try:
            results = [visit(Path(tmp), lab.queue, args.copies, n) for n in range(args.runs)]
        finally:
            lab.stop()
    accepted = [a for a, _, _ in results]
    printed = [d for _, d, _ in results]
    pages = results[0][2]
    print(f"{args.runs} visits of {args.copies} copies ({pages} pages) through cupsd to "
          "ippeveprinter:")
    print(f"  payment complete -> first job accepted by CUPS: median "
          f"{statistics.median(accepted):.1f} ms, max {max(accepted):.1f} ms")
    print(f"  payment complete -> all printed: median {statistics.median(printed):.0f} ms "
          f"= {statistics.median(printed) / pages:.0f} ms per page")
    return 0


if __name__ == "__main__":
    sys.exit(main())
