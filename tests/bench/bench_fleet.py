"""The fleet on Locust against the reference center on this machine.

    .venv/bin/python tests/bench/bench_fleet.py [--kiosks 50] [--run-time 20] [--workers 2]
        [--server-workers 0] [--no-faults] [--client fast|requests]

Makes a center data directory whose world has that many store kiosks (each its own client
certificate), serves it with ``kiosk center serve --lab`` (gunicorn, a worker per core) on
loopback, and runs the fleet (``kiosk.lab.fleet.run_fleet``): a Locust master and ``--workers``
worker processes, one Locust user per kiosk, each running whole visits through the kiosk's own
center client with faults mixed in. The load shares the cores with the center. Prints kiosks,
sessions/s, p50/p99 per call, documents for the wrong order (must be 0), unexpected failures,
and CPU per session of the center and of the load. Target on a 2-core machine with 50 kiosks:
>= 300 sessions/s and p99 < 150 ms for every call.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from kiosk.lab.fleet import FleetPlan, FleetReport, run_fleet
from kiosk.lab.fleet.plan import CLIENTS
from kiosk.lab.fleet.served import cpu_seconds, init_center, serve_center

TARGET_SESSIONS, TARGET_P99 = 300.0, 150.0
CALLS = ("challenge", "authenticate", "order", "complete", "cancel")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kiosks", type=int, default=50)
    parser.add_argument("--run-time", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=2, help="Locust workers (0: one process)")
    parser.add_argument("--server-workers", type=int, default=0, help="center processes")
    parser.add_argument("--no-faults", action="store_true")
    parser.add_argument("--client", default="fast", choices=CLIENTS,
                        help="each kiosk's POSTs: geventhttpclient, or requests as in the field")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "center"
        port = init_center(data, args.kiosks)
        log = Path(os.environ.get("CENTER_LOG", os.devnull))
        with serve_center(data, port, args.server_workers, log) as center:
            plan = FleetPlan(data, (center.url,), users=args.kiosks, run_time=args.run_time,
                             workers=args.workers, faults=not args.no_faults,
                             client=args.client)
            server_cpu, wall = cpu_seconds(center.pid), time.perf_counter()
            report = run_fleet(plan)
            server_cpu, wall = cpu_seconds(center.pid) - server_cpu, time.perf_counter() - wall
    show(report, args, server_cpu, wall)
    return 0 if report.wrong_documents == 0 and report.failures == 0 else 1


def show(report: FleetReport, args: argparse.Namespace, server_cpu: float, wall: float) -> None:
    print(f"{report.users} kiosks on Locust ({args.workers} workers"
          f"{', no faults' if args.no_faults else ', faults mixed in'}) against the center over "
          f"HTTPS with client certificates, {os.cpu_count()} cores shared by center and load:")
    print("\n".join(report.lines()))
    per = max(report.sessions, 1)
    print(f"CPU per session: center {server_cpu / per * 1000:.1f} ms, load "
          f"{report.load_cpu_s / per * 1000:.1f} ms (fleet wall {wall:.1f} s, Locust start "
          "and stop included for the center's)")
    worst = max((c.p99_ms for c in report.calls if c.name in CALLS), default=0.0)
    met = report.sessions_per_s >= TARGET_SESSIONS and worst < TARGET_P99
    print(f"target (>= {TARGET_SESSIONS:.0f} sessions/s, p99 < {TARGET_P99:.0f} ms for every "
          f"call): {report.sessions_per_s:.1f} sessions/s ({report.completed_per_s:.1f} "
          f"completed/s), worst p99 {worst:.1f} ms: {'met' if met else 'not met'}")


if __name__ == "__main__":
    sys.exit(main())
