"""Printing through CUPS with pycups: pre-flight checks, jobs followed to the last page.

A document is streamed to CUPS from memory (never written to disk here), A4 and two-sided, named
by order and document id. The job is followed until the printer reports it completed, canceled
or aborted, or until it stops making progress (an unreachable printer); a fault cancels the job,
reports the pages that came out, and the session refunds. CUPS itself keeps no job files and
only a minute of job history (systemd/cupsd-kiosk.conf).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlparse

import cups

from kiosk.pdfinfo import page_count
from kiosk.vocabulary.ports import PrintResult
from kiosk.vocabulary.reasons import PrinterError

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import PrinterPort

log = logging.getLogger(__name__)

IDLE, PROCESSING, STOPPED = 3, 4, 5  # printer-state
PENDING, HELD, JOB_PROCESSING, JOB_STOPPED, CANCELED, ABORTED, COMPLETED = 3, 4, 5, 6, 7, 8, 9
# printer-state-reasons that stop a kiosk from printing (with or without -error / -warning)
FAULTS = ("media-jam", "media-empty", "media-needed", "toner-empty", "marker-supply-empty",
          "offline", "paused", "door-open", "cover-open", "input-tray-missing",
          "output-area-full")
JOB_OPTIONS = {"media": "iso_a4_210x297mm", "sides": "two-sided-long-edge"}
PRINTER_ATTRIBUTES = ["printer-state", "printer-state-reasons", "printer-is-accepting-jobs",
                      "device-uri", "sides-supported", "media-supported",
                      "document-format-supported"]
# what a certificate needs of a printer (JOB_OPTIONS), and a format CUPS can give it
PDF_FORMATS = ("application/pdf", "application/octet-stream")
JOB_ATTRIBUTES = ["job-state", "job-impressions-completed", "job-media-sheets-completed"]


def _listed(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def unfit(attrs: Mapping[str, object]) -> str | None:
    """Why the queue cannot print a certificate as the kiosk sends it (two-sided, A4, PDF),
    from what it says it supports; None when it can (or does not say)."""
    sides = attrs.get("sides-supported")
    if sides is not None and JOB_OPTIONS["sides"] not in _listed(sides):
        return f"cannot print two-sided (sides-supported: {', '.join(_listed(sides))})"
    media = attrs.get("media-supported")
    if media is not None and JOB_OPTIONS["media"] not in _listed(media):
        return "has no A4 paper (media-supported)"
    formats = attrs.get("document-format-supported")
    if formats is not None and not set(PDF_FORMATS) & set(_listed(formats)):
        return "takes no PDF (document-format-supported)"
    return None


def faults_in(reasons: list[str], acknowledged: frozenset[str] = frozenset()) -> list[str]:
    """The faults among printer-state-reasons. A "-report" reason is what the printer last
    reported through CUPS: it stands until a job prints or the operator acknowledges it."""
    found = []
    for reason in reasons:
        if reason in acknowledged:
            continue
        base = reason.removesuffix("-report").removesuffix("-error").removesuffix("-warning")
        if base in FAULTS:
            found.append(base)
    return found


class CupsPrinter:
    """PrinterPort on a CUPS queue; ``on_output`` is told how many sheets reached the tray."""

    def __init__(self, queue: str, on_output: Callable[[int], None] | None = None,
                 timeout: float = 60.0, poll: float = 0.1) -> None:
        self.queue = queue
        self._on_output = on_output
        self.timeout = timeout  # seconds a job may go without progress before it is a fault
        self.poll = poll
        self.accepted_at: float | None = None  # when CUPS took the last job (benchmarks)
        self._acknowledged: frozenset[str] = frozenset()  # reports the operator has cleared

    @staticmethod
    def _connect() -> cups.Connection:
        try:
            return cups.Connection()  # one per call: pycups connections are not thread-safe
        except RuntimeError:
            raise PrinterError("CUPS is not running") from None

    # --- pre-flight ------------------------------------------------------------------------
    def ready(self) -> str | None:
        """None when the queue and the printer behind it can print; else why not."""
        try:
            conn = self._connect()
        except PrinterError as exc:
            return str(exc)
        try:
            attrs = conn.getPrinterAttributes(self.queue, requested_attributes=PRINTER_ATTRIBUTES)
        except cups.IPPError as exc:
            return f"queue {self.queue}: {exc.args[-1]}"
        if attrs.get("printer-state") == STOPPED:
            return "paused"
        if not attrs.get("printer-is-accepting-jobs", True):
            return "not accepting jobs"
        faults = faults_in(list(attrs.get("printer-state-reasons", [])), self._acknowledged)
        if faults:
            return faults[0]
        return unfit(attrs) or self._device_fault(str(attrs.get("device-uri", "")))

    @staticmethod
    def _device_fault(device_uri: str) -> str | None:
        """Ask an IPP printer itself: CUPS learns its state only while a job runs, and a queue
        does not always say what its printer supports."""
        uri = urlparse(device_uri)
        if uri.scheme not in ("ipp", "ipps") or not uri.hostname:
            return None
        try:
            device = cups.Connection(host=uri.hostname, port=uri.port or 631)
            attrs = device.getPrinterAttributes(uri=device_uri,
                                                requested_attributes=PRINTER_ATTRIBUTES)
        except (RuntimeError, cups.IPPError):
            return "offline"
        faults = faults_in(list(attrs.get("printer-state-reasons", [])))
        if faults:
            return faults[0]
        if attrs.get("printer-state") == STOPPED:
            return "paused"
        return unfit(attrs)  # what the printer itself supports (a queue may not say)

    def came_out(self, name: str) -> int | None:
        """Pages of the job named ``name`` if CUPS still knows it completed (its history is
        kept a minute), else None: recovery after a power cut."""
        try:
            jobs = self._connect().getJobs(which_jobs="completed", requested_attributes=[
                "job-name", "job-state", "job-impressions-completed"])
        except (PrinterError, cups.IPPError):
            return None
        for attrs in jobs.values():
            if attrs.get("job-name") == name and attrs.get("job-state") == COMPLETED:
                return max(1, int(attrs.get("job-impressions-completed", 0) or 0))
        return None

    def clear_fault(self) -> None:
        """The operator has cleared the fault: let the queue print and take jobs again."""
        conn = self._connect()
        try:
            conn.enablePrinter(self.queue)
            conn.acceptJobs(self.queue)
            attrs = conn.getPrinterAttributes(self.queue,
                                              requested_attributes=["printer-state-reasons"])
        except cups.IPPError as exc:
            raise PrinterError(f"queue {self.queue}: {exc.args[-1]}") from None
        self._acknowledged = frozenset(r for r in attrs.get("printer-state-reasons", [])
                                       if r.endswith("-report"))

    # --- printing --------------------------------------------------------------------------
    def print_document(self, name: str, pdf: bytes,
                       progress: Callable[[int], None] | None = None) -> PrintResult:
        """Print one document to completion; PrinterError with the pages that came out."""
        try:
            expected = page_count(pdf)
        except ValueError as exc:
            raise PrinterError(f"refused a broken document: {exc}") from None
        conn = self._connect()
        try:
            job = conn.createJob(self.queue, name, JOB_OPTIONS)
            conn.startDocument(self.queue, job, name, "application/pdf", True)
            conn.writeRequestData(pdf, len(pdf))
            conn.finishDocument(self.queue)
        except cups.IPPError as exc:
            raise PrinterError(f"CUPS refused the job: {exc.args[-1]}") from None
        self.accepted_at = time.perf_counter()
        log.info("job %d queued on %s", job, self.queue)
        return self._follow(conn, job, expected, progress)

    def _follow(self, conn: cups.Connection, job: int, expected: int,
                progress: Callable[[int], None] | None) -> PrintResult:
        done, last_change = -1, time.monotonic()
        while True:
            try:
                attrs = conn.getJobAttributes(job, requested_attributes=JOB_ATTRIBUTES)
            except cups.IPPError as exc:
                raise PrinterError(f"job {job} lost: {exc.args[-1]}") from None
            state = attrs.get("job-state")
            impressions = int(attrs.get("job-impressions-completed", 0) or 0)
            if impressions != done:
                done, last_change = impressions, time.monotonic()
                if progress is not None:
                    progress(min(impressions, expected))
            if state == COMPLETED and (fault := self._fault_after(conn)) is not None:
                # CUPS can call a job completed that the printer itself aborted (its IPP
                # backend and the printer race): the printer's own report decides.
                raise PrinterError(f"job {job} ended without printing: {fault}", pages_out=0)
            if state == COMPLETED:
                self._acknowledged = frozenset()  # a printed job clears old reports
                # Completed means every page came out; CUPS's impression count lags behind.
                pages = expected
                if self._on_output is not None:
                    self._on_output((pages + 1) // 2)  # two-sided: two pages a sheet
                return PrintResult(pages=pages)
            if state in (CANCELED, ABORTED, JOB_STOPPED):
                reason = self._why(conn)
                self._cancel(conn, job)
                raise PrinterError(f"job {job} ended without printing: {reason}",
                                   pages_out=impressions)
            if time.monotonic() - last_change > self.timeout:
                self._cancel(conn, job)
                raise PrinterError(f"job {job} made no progress for {self.timeout:g} s: the "
                                   "printer is offline", pages_out=impressions)
            time.sleep(self.poll)

    def _fault_after(self, conn: cups.Connection) -> str | None:
        """A fault the printer itself reports now, just after CUPS said the job completed."""
        try:
            attrs = conn.getPrinterAttributes(self.queue, requested_attributes=["device-uri"])
        except cups.IPPError:
            return None
        fault = self._device_fault(str(attrs.get("device-uri", "")))
        return fault if fault in FAULTS else None

    def _why(self, conn: cups.Connection) -> str:
        try:
            attrs = conn.getPrinterAttributes(self.queue, requested_attributes=PRINTER_ATTRIBUTES)
        except cups.IPPError:
            return "unknown"
        reasons = [r.removesuffix("-report") for r in attrs.get("printer-state-reasons", [])]
        found = [r for r in reasons if r.removesuffix("-error").removesuffix("-warning")
                 in FAULTS]
        return found[0] if found else "the printer canceled it"

    @staticmethod
    def _cancel(conn: cups.Connection, job: int) -> None:
        try:
            conn.cancelJob(job, purge_job=False)
        except cups.IPPError as exc:
            log.debug("cancel job %d: %s", job, exc.args[-1])


if TYPE_CHECKING:  # mypy holds CupsPrinter to PrinterPort: a drift fails here

    def _conforms_cups_printer(printer: CupsPrinter) -> PrinterPort:
        return printer
