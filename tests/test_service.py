"""``kiosk run`` under a stand-in for systemd: a real AF_UNIX datagram socket as NOTIFY_SOCKET,
the kiosk a subprocess on SDL's dummy drivers. Plus ``systemd-analyze verify`` of every unit.

Waits are bounded; the only timing claims are "this arrived within X" and "nothing arrived
within X".
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.field.sdnotify import Notifier, socket_address, watchdog_interval
from kiosk.services.registry import all_states

ROOT = Path(__file__).resolve().parents[1]
UNITS = sorted((ROOT / "systemd").glob("*.service")) + sorted((ROOT / "systemd").glob("*.timer"))
WATCHDOG_USEC = 500_000  # pings every 0.25 s
START_SECONDS = 60.0  # building the kiosk (the in-process center makes its keys) takes a while


class Listener:
    """systemd's side of NOTIFY_SOCKET: the datagrams the kiosk sends, with when they came."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.path = path
        self.seen: list[tuple[float, str]] = []

    def next(self, timeout: float) -> str | None:
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except TimeoutError:
            return None
        self.seen.append((time.monotonic(), data))
        return data

    def wait_for(self, field: str, timeout: float) -> str:
        """The first datagram with ``field`` (a whole line) within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            data = self.next(left)
            if data is not None and field in data.splitlines():
                return data
        raise AssertionError(f"no {field} within {timeout} s; got {[d for _, d in self.seen]}")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[Listener]:
    listener = Listener(tmp_path / "notify.sock")
    yield listener
    listener.close()


def start_kiosk(tmp_path: Path, listener: Listener, **extra: str) -> subprocess.Popen[bytes]:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[printer]\nuri = "spool:{tmp_path / "printed"}"\n\n'
                      f'[journal]\npath = "{tmp_path / "journal.sqlite"}"\n')
    env = {**os.environ, "NOTIFY_SOCKET": str(listener.path), "WATCHDOG_USEC": str(WATCHDOG_USEC),
           "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy", **extra}
    env.pop("WATCHDOG_PID", None)
    with open(tmp_path / "kiosk.log", "wb") as log:  # a file, not a pipe nobody drains
        return subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--config", str(config)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes], tmp_path: Path) -> str:
    """Kill the kiosk if it still runs; what it logged."""
    if process.poll() is None:
        process.kill()
    process.wait(timeout=30)
    return (tmp_path / "kiosk.log").read_text(errors="replace")


def test_ready_status_watchdog_and_a_clean_stop(tmp_path: Path, listener: Listener) -> None:
    process = start_kiosk(tmp_path, listener)
    try:
        ready = listener.wait_for("READY=1", START_SECONDS)
        status = next(line for line in ready.splitlines() if line.startswith("STATUS="))
        assert status.removeprefix("STATUS=").split(":")[0] in all_states(), status
        pings = 0
        while pings < 5:  # repeated pings, each within a few intervals of the last
            listener.wait_for("WATCHDOG=1", 4 * WATCHDOG_USEC / 1e6 + 1)
            pings += 1
        process.send_signal(signal.SIGTERM)
        listener.wait_for("STOPPING=1", 10)
        assert process.wait(timeout=30) == 0
    finally:
        log = stop(process, tmp_path)
    assert "Traceback" not in log, log


def test_a_hung_main_loop_stops_the_watchdog_pings(tmp_path: Path, listener: Listener) -> None:
    process = start_kiosk(tmp_path, listener, KIOSK_TEST_HANG_AFTER="1.0")
    try:
        listener.wait_for("READY=1", START_SECONDS)
        listener.wait_for("WATCHDOG=1", 2)  # alive before the hang
        deadline = time.monotonic() + 10  # the hang starts 1 s after READY
        while time.monotonic() < deadline:
            data = listener.next(timeout=3 * WATCHDOG_USEC / 1e6)
            if data is None:
                break  # nothing for three intervals: the loop is hung
        else:
            raise AssertionError("the watchdog pings never stopped")
        assert process.poll() is None, "the hung kiosk should still be running"
        assert listener.next(timeout=1.0) is None  # and still nothing: systemd would kill it
    finally:
        log = stop(process, tmp_path)
    assert "the main loop hangs now (test hook)" in log  # the hook, not a slow machine


def test_no_socket_means_no_op_and_the_interval_is_half_the_period() -> None:
    quiet = Notifier({})
    assert not quiet.enabled
    assert not quiet.ready("idle") and not quiet.watchdog() and not quiet.stopping()
    assert socket_address("@kiosk/notify") == b"\0kiosk/notify"
    assert socket_address("/run/systemd/notify") == "/run/systemd/notify"
    assert watchdog_interval({"WATCHDOG_USEC": "30000000"}, 42) == 15.0
    assert watchdog_interval({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "7"}, 42) is None
    assert watchdog_interval({}, 42) is None


def test_abstract_socket_and_rate_limited_pings() -> None:
    name = f"kiosk-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind(b"\0" + name.encode())
    server.settimeout(2)
    try:
        notifier = Notifier({"NOTIFY_SOCKET": f"@{name}", "WATCHDOG_USEC": "1000000"})
        assert notifier.interval == 0.5
        assert notifier.watchdog(now=100.0) and not notifier.watchdog(now=100.4)
        assert notifier.watchdog(now=100.5)
        assert notifier.status("idle") and not notifier.status("idle")
        assert [server.recv(64) for _ in range(3)] == [b"WATCHDOG=1", b"WATCHDOG=1",
                                                       b"STATUS=idle"]
        notifier.close()
    finally:
        server.close()


# --- the unit files ----------------------------------------------------------------------------
# Outside an installed kiosk, /opt/kiosk/.venv/bin/kiosk does not exist and systemd-analyze says
# so ("Command … is not executable"). That line, and only that line, is expected here; any other
# message is a finding. (A temporary --root would need a copy of the whole unit search path.)
MISSING_KIOSK = "Command /opt/kiosk/.venv/bin/kiosk is not executable: No such file or directory"


def verify_findings(*units: Path) -> list[str]:
    systemd_analyze = shutil.which("systemd-analyze")
    if systemd_analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd; CI has it)")
    result = subprocess.run([systemd_analyze, "verify", "--man=no", *map(str, units)],
                            capture_output=True, text=True, timeout=60)
    lines = (result.stdout + result.stderr).splitlines()
    return [line for line in lines if line.strip() and not line.endswith(MISSING_KIOSK)]


def test_every_unit_passes_systemd_analyze_verify() -> None:
    assert {u.name for u in UNITS} >= {"kiosk.service", "kiosk-center.service",
                                       "kiosk-settlement.service", "kiosk-settlement.timer"}
    assert verify_findings(*UNITS) == []


def test_verify_would_catch_a_broken_unit(tmp_path: Path) -> None:
    broken = tmp_path / "kiosk.service"
    broken.write_text((ROOT / "systemd" / "kiosk.service").read_text()
                      .replace("Type=notify", "Type=notifyy"))
    assert any("notifyy" in line for line in verify_findings(broken))
