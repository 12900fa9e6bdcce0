"""A printer lab for tests and the harness: a real IPP printer (CUPS's ``ippeveprinter``)
behind a real CUPS queue, with faults on demand.

ippeveprinter runs each job through a small print command that reads the wanted state from a
file: ``ok`` keeps the job, ``jam`` and ``media-empty`` report that state and fail the job (as a
real printer does); ``offline`` stops the printer process, so CUPS cannot reach it. Back to
``ok`` starts a fresh printer, its reported faults gone. ippeveprinter needs a D-Bus; a private
one is started. cupsd must be running (as root: ``cupsd -f``).
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import cups
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

STATES = ("ok", "jam", "media-empty", "offline")

PRINT_COMMAND = """#!/bin/sh
# ippeveprinter's print command (-c): the lab's wanted state decides what this job does.
state=$(cat "{state}" 2>/dev/null || echo ok)
case "$state" in
  jam) echo "STATE: +media-jam" >&2; exit 1;;
  media-empty) echo "STATE: +media-empty" >&2; exit 1;;
  *) cp "$1" "{received}/" && echo "STATE: -media-jam,media-empty" >&2; exit 0;;
esac
"""


class LabError(RuntimeError):
    """The lab could not be set up; the message says what is missing."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PrinterLab:
    """One lab printer: ``start()``, ``set_state(...)``, ``received()``, ``stop()``."""

    def __init__(self, workdir: Path, queue: str = "kiosk-lab", two_sided: bool = True) -> None:
        self.workdir = Path(workdir)
        self.queue = queue
        self.two_sided = two_sided  # False: a printer that prints one side only (no -2)
        self.port = _free_port()
        self.state_file = self.workdir / "state"
        self.received_dir = self.workdir / "received"
        self._dbus: subprocess.Popen[bytes] | None = None
        self._device: subprocess.Popen[bytes] | None = None

    @property
    def device_uri(self) -> str:
        return f"ipp://localhost:{self.port}/ipp/print"

    def start(self) -> None:
        for tool in ("ippeveprinter", "dbus-daemon", "lpadmin"):
            if shutil.which(tool) is None:
                raise LabError(f"{tool} is missing: apt-get install cups cups-ipp-utils "
                               "cups-client dbus-daemon")
        try:
            cups.Connection()
        except RuntimeError:
            raise LabError("cupsd is not running (start it as root: cupsd -f)") from None
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.received_dir.mkdir(exist_ok=True)
        (self.workdir / "spool").mkdir(exist_ok=True)
        self.state_file.write_text("ok\n")
        command = self.workdir / "print-command"
        command.write_text(PRINT_COMMAND.format(state=self.state_file,
                                                received=self.received_dir))
        command.chmod(0o755)
        bus = self.workdir / "dbus.sock"
        self._dbus = subprocess.Popen(["dbus-daemon", "--session", "--nofork",
                                       f"--address=unix:path={bus}"],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait(lambda: bus.exists(), "the lab's D-Bus")
        self._start_device()
        run = subprocess.run(["lpadmin", "-p", self.queue, "-E", "-v", self.device_uri, "-m",
                              "everywhere"], capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            raise LabError(f"lpadmin could not make queue {self.queue}: {run.stderr.strip()}")

    def _start_device(self) -> None:
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=f"unix:path={self.workdir / 'dbus.sock'}")
        self._device = subprocess.Popen(
            ["ippeveprinter", *(["-2"] if self.two_sided else []), "-p", str(self.port),
             "-r", "off", "-k", "-d",
             str(self.workdir / "spool"), "-c", str(self.workdir / "print-command"),
             "-f", "application/pdf", "-m", "Kiosk Lab Printer", self.queue],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        self._wait(self._device_answers, "ippeveprinter")

    def _device_answers(self) -> bool:
        try:
            cups.Connection(host="localhost", port=self.port).getPrinterAttributes(
                uri=self.device_uri, requested_attributes=["printer-state"])
            return True
        except (RuntimeError, cups.IPPError):
            return False

    def _stop_device(self) -> None:
        if self._device is not None:
            self._device.send_signal(signal.SIGTERM)
            self._device.wait(timeout=10)
            self._device = None

    @staticmethod
    def _wait(ready: Callable[[], object], what: str, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if ready():
                return
            time.sleep(0.05)
        raise LabError(f"{what} did not start within {seconds:g} s")

    def set_state(self, state: str) -> None:
        """What the printer does from now on: ok, jam, media-empty or offline."""
        if state not in STATES:
            raise ValueError(f"printer state must be one of {', '.join(STATES)}")
        if state == "offline":
            self._stop_device()
            return
        self.state_file.write_text(f"{state}\n")
        if state == "ok":  # cleared: a fresh printer, and a test page clears CUPS's reports
            self._stop_device()
            self._start_device()
            self.test_print()

    def test_print(self, seconds: float = 30.0) -> None:
        """Print a one-page test sheet through the queue, as an engineer does after a fix."""
        buf = io.BytesIO()
        page = canvas.Canvas(buf, pagesize=A4)
        page.drawString(72, 760, "kiosk printer lab: test page")
        page.showPage()
        page.save()
        data = buf.getvalue()
        conn = cups.Connection()
        job = conn.createJob(self.queue, "lab test page", {})
        conn.startDocument(self.queue, job, "lab test page", "application/pdf", True)
        conn.writeRequestData(data, len(data))
        conn.finishDocument(self.queue)
        self._wait(lambda: conn.getJobAttributes(job, requested_attributes=["job-state"])
                   ["job-state"] >= 7, "the test page", seconds)
        self._wait(self._device_idle, "the printer's idle state after the test page", seconds)

    def _device_idle(self) -> bool:
        """The printer itself has no job left to process (CUPS may finish before it does)."""
        try:
            device = cups.Connection(host="localhost", port=self.port)
            attrs = device.getPrinterAttributes(uri=self.device_uri, requested_attributes=[
                "printer-state", "queued-job-count"])
        except (RuntimeError, cups.IPPError):
            return False
        return attrs.get("printer-state") == 3 and not attrs.get("queued-job-count")

    def received(self) -> list[Path]:
        """The documents the printer took whole (test pages aside), oldest first."""
        return sorted((p for p in self.received_dir.iterdir() if "lab-test-page" not in p.name),
                      key=lambda p: p.stat().st_mtime)

    def stop(self) -> None:
        self._stop_device()
        subprocess.run(["lpadmin", "-x", self.queue], capture_output=True, timeout=60)
        if self._dbus is not None:
            self._dbus.terminate()
            self._dbus.wait(timeout=10)
            self._dbus = None
