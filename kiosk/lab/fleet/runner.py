"""Locust headless in subprocesses: a master and its workers, or one local runner, each with a
hard deadline; the master's report parsed into a FleetReport. Never imports Locust itself."""

from __future__ import annotations

import math
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.lab.fleet.kit import Kit
from kiosk.lab.fleet.plan import FleetError, FleetPlan, FleetReport, report_from_json

LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
WORKERS_WAIT = 60  # seconds the master waits for its workers to connect
DEFAULT_MASTER_PORT = 5557
WORKERS_QUIT = 15  # seconds workers have to quit after their master (then they are killed)


@dataclass(frozen=True)
class Master:
    """Where a master listens for its workers."""

    bind: str = "127.0.0.1"
    port: int = DEFAULT_MASTER_PORT
    expect_workers: int = 1


def locust_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING",
            *args]


def _load_args(plan: FleetPlan, centers: tuple[str, ...], report: Path) -> list[str]:
    """The options of the process that runs the test (a master, or the local runner)."""
    return ["--headless", "--users", str(plan.users), "--spawn-rate", str(plan.users),
            "--run-time", f"{max(1, math.ceil(plan.run_time))}s", "--stop-timeout", "0",
            "--only-summary", "--fleet-data", str(plan.data.resolve()),
            "--fleet-centers", ",".join(centers), "--fleet-faults",
            "on" if plan.faults else "off", "--fleet-client", plan.client,
            "--fleet-report", str(report)]


def worker_command(data: Path, master_host: str, port: int) -> list[str]:
    """One worker: its own data directory (the client certificates), its master."""
    return locust_command("--worker", "--master-host", master_host, "--master-port", str(port),
                          "--fleet-data", str(data.resolve()))


def checked(plan: FleetPlan) -> tuple[str, ...]:
    """The plan's centers after checking it against its data directory (FleetError)."""
    plan.check()
    kit = Kit.load(plan.data)
    if plan.users > len(kit.kiosks):
        raise FleetError(f"{plan.users} users but {plan.data} has {len(kit.kiosks)} store "
                         "kiosks (one kiosk per user)")
    return plan.centers or (kit.default_center,)


def run_fleet(plan: FleetPlan) -> FleetReport:
    """Run the fleet on this machine: Locust headless, a master and ``plan.workers`` workers
    (or one local runner for 0), killed at ``plan.deadline``. FleetError for a plan that
    cannot run or a run that broke."""
    centers = checked(plan)
    with tempfile.TemporaryDirectory(prefix="kiosk-fleet-") as tmp:
        report = Path(tmp) / "report.json"
        if plan.workers == 0:
            commands = [locust_command(*_load_args(plan, centers, report))]
        else:
            port = free_port()
            commands = [master_command(plan, centers, report,
                                       Master("127.0.0.1", port, plan.workers))]
            commands += [worker_command(plan.data, "127.0.0.1", port)] * plan.workers
        run_processes(commands, Path(tmp), plan.deadline)
        return _report(report, Path(tmp) / "locust.log")


def master_command(plan: FleetPlan, centers: tuple[str, ...], report: Path,
                   master: Master) -> list[str]:
    return locust_command(*_load_args(plan, centers, report), "--master",
                          "--master-bind-host", master.bind,
                          "--master-bind-port", str(master.port),
                          "--expect-workers", str(master.expect_workers),
                          "--expect-workers-max-wait", str(WORKERS_WAIT))


def run_master(plan: FleetPlan, master: Master, log_dir: Path) -> FleetReport:
    """Only the master, for workers on other machines (``kiosk fleet --master``)."""
    centers = checked(plan)
    report = log_dir / "report.json"
    report.unlink(missing_ok=True)
    run_processes([master_command(plan, centers, report, master)], log_dir,
                  plan.deadline + WORKERS_WAIT)
    return _report(report, log_dir / "locust.log")


def _report(report: Path, log: Path) -> FleetReport:
    if not report.is_file():
        raise FleetError(f"Locust wrote no report: {_last_line(log)}")
    return report_from_json(report)


def run_processes(commands: list[list[str]], log_dir: Path, deadline: float) -> None:
    """Start every command (the first is the one that ends the run), wait for all of them at
    most ``deadline`` seconds, kill what is left; FleetError if the first failed."""
    processes: list[subprocess.Popen[bytes]] = []
    logs = [log_dir / ("locust.log" if n == 0 else f"worker-{n}.log")
            for n in range(len(commands))]
    try:
        for command, log in zip(commands, logs, strict=True):
            with log.open("wb") as out:
                processes.append(subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                                  stdin=subprocess.DEVNULL))
        try:
            processes[0].wait(timeout=deadline)
        except subprocess.TimeoutExpired:
            raise FleetError(f"the fleet did not end within {deadline:.0f} s; killed "
                             f"({_last_line(logs[0])})") from None
        for process in processes[1:]:  # workers quit when their master does
            try:
                process.wait(timeout=WORKERS_QUIT)
            except subprocess.TimeoutExpired:
                continue
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    # Locust exits 1 when requests failed (the report counts them), 2 or more when it broke.
    if processes[0].returncode not in (0, 1):
        raise FleetError(f"Locust exited {processes[0].returncode}: {_last_line(logs[0])}")


def _last_line(log: Path) -> str:
    """The log's last line that says something (one line for the operator)."""
    try:
        lines = [line.strip() for line in log.read_text(errors="replace").splitlines()]
    except OSError:
        return "no log"
    said = [line for line in lines if line and not line.startswith(("Traceback", "File "))]
    return said[-1][:300] if said else "no output"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port
