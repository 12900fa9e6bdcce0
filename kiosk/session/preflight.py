"""Printer pre-flight: ask the printer whether it can print, now and then while the kiosk waits."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.clock import Clock
from kiosk.session.jobs import PrinterChecked
from kiosk.session.worker import Jobs
from kiosk.vocabulary.ports import PrinterPort
from kiosk.vocabulary.reasons import Reason


class Preflight:
    """One check at a time; ``check_at`` is the next while the kiosk is idle or out of service."""

    def __init__(self, printer: PrinterPort, jobs: Jobs, clock: Clock, every: float) -> None:
        self.printer = printer
        self.jobs = jobs
        self.clock = clock
        self.every = every
        self.checking = False
        self.check_at: datetime | None = clock.now()
        self.problem = ""  # what the printer said, for staff

    def check(self) -> None:
        """Ask the printer (a job); the answer comes back as PrinterChecked."""
        if not self.checking:
            self.checking = True
            printer = self.printer
            self.jobs.submit(PrinterChecked, lambda: PrinterChecked(printer.ready()),
                             Reason.PRINTER_FAULT)

    def answered(self, waiting: bool) -> None:
        """The printer answered; while the kiosk waits for a resident, ask again later."""
        self.checking = False
        if waiting:
            self.schedule()

    def schedule(self) -> None:
        self.check_at = self.clock.now() + timedelta(seconds=self.every)

    def schedule_if_idle(self) -> None:
        """The kiosk is idle again: the next check comes, unless one is on its way."""
        if self.check_at is None and not self.checking:
            self.schedule()

    def due(self, now: datetime) -> bool:
        if self.check_at is not None and now >= self.check_at:
            self.check_at = None
            return True
        return False
