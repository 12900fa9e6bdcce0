"""A center for the fleet on this machine (tests, benchmarks): a data directory whose world is
the sample with N more store kiosks, served with ``kiosk center serve --lab`` on loopback."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from kiosk.lab.fleet.plan import FleetError
from kiosk.lab.fleet.runner import free_port

SAMPLE = Path(__file__).resolve().parents[1] / "center" / "sample-world.toml"
INIT_TIMEOUT = 300.0
UP_TIMEOUT = 60.0


@dataclass(frozen=True)
class ServedCenter:
    """A running center: its URL and the pid of its gunicorn master."""

    url: str
    pid: int


def fleet_world(kiosks: int, path: Path) -> None:
    """The sample world with ``kiosks`` more store kiosks, fleet-0000 …, written to ``path``."""
    extra = "".join(f'\n[[kiosk]]\nid = "fleet-{i:04d}"\nkind = "store"\nname = "Fleet {i}"\n'
                    for i in range(kiosks))
    path.write_text(SAMPLE.read_text(encoding="utf-8") + extra, encoding="utf-8")


def init_center(data: Path, kiosks: int) -> int:
    """``kiosk center init`` a world of ``kiosks`` fleet kiosks in ``data``: the port its
    kiosk.toml files name (a free one)."""
    world = data.parent / f"{data.name}-world.toml"
    fleet_world(kiosks, world)
    port = free_port()
    done = subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data),
                           "--world", str(world), "--port", str(port)],
                          capture_output=True, text=True, timeout=INIT_TIMEOUT, check=False)
    if done.returncode != 0:
        raise FleetError(f"kiosk center init failed: {(done.stdout + done.stderr).strip()}")
    return port


@contextmanager
def serve_center(data: Path, port: int, workers: int = 0,
                 log: Path | None = None) -> Iterator[ServedCenter]:
    """The center served with --lab on 127.0.0.1:``port`` until the block ends (then stopped,
    killed if it lingers); waits until it accepts connections."""
    with (log or Path(os.devnull)).open("ab") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "center", "serve", "--data", str(data), "--port",
             str(port), "--lab", "--workers", str(workers)],
            stdout=out, stderr=out, stdin=subprocess.DEVNULL)
    try:
        _wait_up(port, server)
        yield ServedCenter(f"https://127.0.0.1:{port}", server.pid)
    finally:
        stop_servers([server])


def stop_servers(servers: list[subprocess.Popen[bytes]] | list[subprocess.Popen[str]]) -> None:
    """Stop served centers: SIGTERM to all at once, then each one killed if it lingers."""
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _wait_up(port: int, server: subprocess.Popen[bytes]) -> None:
    import socket

    end = time.monotonic() + UP_TIMEOUT
    while time.monotonic() < end:
        if server.poll() is not None:
            raise FleetError(f"the center exited {server.returncode} before serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise FleetError(f"the center did not listen on port {port} within {UP_TIMEOUT:.0f} s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children (a gunicorn master and its workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
            for thread in Path(f"/proc/{current}/task").iterdir():
                pids.extend(int(c) for c in (thread / "children").read_text().split())
        except (OSError, IndexError, ValueError):
            continue
    return total
