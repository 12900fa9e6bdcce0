"""``kiosk fleet``: many kiosks at once against the reference center, on Locust.

    kiosk fleet --data DIR [--center URL]… [--users N] [--run-time S] [--workers N]
    kiosk fleet --master --expect-workers N [--bind HOST] [--master-port P] --data DIR …
    kiosk fleet --worker --master-host HOST [--master-port P] --data DIR
"""

from __future__ import annotations

import argparse
import math
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_MASTER_PORT = 5557  # Locust's


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    fleet = sub.add_parser(
        "fleet", help="many kiosks at once against a center (Locust: one user per kiosk)",
        description="Each Locust user is one kiosk of a `kiosk center init` directory, running "
                    "whole visits with faults mixed in; prints per-call percentiles, sessions/s "
                    "and documents for the wrong order. The center must be served with --lab.")
    fleet.add_argument("--data", type=Path,
                       help="a `kiosk center init` directory (the kiosks' client certificates)")
    fleet.add_argument("--center", action="append", default=[], metavar="URL",
                       help="a center's https:// URL; repeat it to spread the kiosks over "
                            "several (default: the URL in the kiosks' kiosk.toml)")
    fleet.add_argument("--users", default="10", metavar="N",
                       help="kiosks, one Locust user each (default 10)")
    fleet.add_argument("--run-time", default="10", metavar="S",
                       help="seconds of load (default 10)")
    fleet.add_argument("--workers", default="0", metavar="N",
                       help="Locust worker processes on this machine (default 0: one process)")
    fleet.add_argument("--no-faults", action="store_true",
                       help="only plain visits: no refused cards, cancels or center faults")
    fleet.add_argument("--client", default="fast", metavar="fast|requests",
                       help="each kiosk's POSTs through geventhttpclient (fast, the default) or "
                            "requests, as the field kiosk sends them")
    fleet.add_argument("--master", action="store_true",
                       help="be only the master, for workers on other machines")
    fleet.add_argument("--worker", action="store_true",
                       help="be one worker of a master elsewhere (--master-host)")
    fleet.add_argument("--expect-workers", default="1", metavar="N",
                       help="with --master: how many workers to wait for (default 1)")
    fleet.add_argument("--bind", default="0.0.0.0", metavar="HOST",
                       help="with --master: the address workers connect to (default all)")
    fleet.add_argument("--master-host", metavar="HOST", help="with --worker: the master's host")
    fleet.add_argument("--master-port", default=str(DEFAULT_MASTER_PORT), metavar="PORT",
                       help=f"the master's port (default {DEFAULT_MASTER_PORT})")


class Usage(Exception):
    """A bad option: one line for the operator."""


def _number(args: argparse.Namespace, name: str, kind: type[int] | type[float], low: float,
            high: float) -> float:
    """The option ``name`` as a number of ``kind`` from ``low`` to ``high`` (Usage if not)."""
    text = str(getattr(args, name.replace("-", "_")))
    try:
        value = kind(text)
    except ValueError:
        raise Usage(f"--{name}: not a number: {text[:40]!r}") from None
    if not (math.isfinite(value) and low <= value <= high):
        raise Usage(f"--{name}: must be {low:g} to {high:g}, not {text[:40]!r}")
    return value


def _check(args: argparse.Namespace) -> None:
    """Usage for options that cannot go together; the numbers made numbers."""
    if args.data is None:
        raise Usage("--data DIR is needed (a `kiosk center init` directory)")
    if args.master and args.worker:
        raise Usage("--master or --worker, not both")
    if args.worker and not args.master_host:
        raise Usage("--worker needs --master-host HOST")
    if args.master_host and not args.worker:
        raise Usage("--master-host is for --worker")
    for name, kind, low, high in (("users", int, 1, 10_000), ("run-time", float, 1, 86_400),
                                  ("workers", int, 0, 64), ("expect-workers", int, 1, 64),
                                  ("master-port", int, 1, 65_535)):
        setattr(args, name.replace("-", "_"), _number(args, name, kind, low, high))


def run(args: argparse.Namespace) -> int:
    """0 when every visit ended as it should, 1 otherwise, 2 when the fleet could not run."""
    from kiosk.lab.fleet.plan import FleetError, FleetPlan

    try:
        _check(args)
    except Usage as exc:
        print(f"kiosk fleet: {exc}", file=sys.stderr)
        return 2
    plan = FleetPlan(args.data, tuple(args.center), int(args.users), float(args.run_time),
                     int(args.workers), faults=not args.no_faults, client=args.client)
    try:
        if args.worker:
            return _worker(args)
        if args.master:
            return _master(plan, args)
        from kiosk.lab.fleet.runner import checked, run_fleet

        checked(plan)
        print(f"kiosk fleet: {plan.users} kiosks for {plan.run_time:g} s "
              f"({plan.workers or 'no'} workers)…", flush=True)
        report = run_fleet(plan)
    except FleetError as exc:
        print(f"kiosk fleet: {exc}", file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0 if report.failures == 0 and report.wrong_documents == 0 else 1


def _master(plan: object, args: argparse.Namespace) -> int:
    from kiosk.lab.fleet.plan import FleetPlan
    from kiosk.lab.fleet.runner import Master, run_master

    assert isinstance(plan, FleetPlan)
    print(f"kiosk fleet: master on {args.bind}:{args.master_port}, waiting for "
          f"{args.expect_workers} workers (`kiosk fleet --worker --master-host THIS-HOST "
          f"--data DIR`)…", flush=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-master-") as tmp:
        report = run_master(plan, Master(args.bind, int(args.master_port),
                                         int(args.expect_workers)), Path(tmp))
    print("\n".join(report.lines()))
    return 0 if report.failures == 0 and report.wrong_documents == 0 else 1


def _worker(args: argparse.Namespace) -> int:
    """One worker in the foreground until its master quits (its output is Locust's)."""
    from kiosk.lab.fleet.kit import Kit
    from kiosk.lab.fleet.runner import worker_command

    Kit.load(args.data)  # FleetError here rather than in Locust's log
    try:
        return subprocess.run(worker_command(args.data, args.master_host,
                                             int(args.master_port)), check=False).returncode
    except KeyboardInterrupt:
        return 130
