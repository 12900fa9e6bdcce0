"""The demo printer: each document is written whole into a directory as ``NAME.pdf``.

It plays the printer lab's faults the way the kiosk meets them through CUPS
(``drivers/printer/lab.py``): ``offline`` is seen before a job (the printer does not answer);
a jam or an empty tray is learnt only when a job fails with no page out, and then stands as the
printer's report until the operator clears it, even if the cause is still there.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.pdfinfo import page_count
from kiosk.vocabulary.ports import PrintResult
from kiosk.vocabulary.reasons import PrinterError

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import PrinterPort


STATES = ("ok", "jam", "media-empty", "offline")
REPORTS = {"jam": "media-jam", "media-empty": "media-empty"}  # the IPP reason a failed job leaves


class SpoolPrinter:
    """PrinterPort that prints to files; ``on_output`` is told how many sheets came out."""

    def __init__(self, directory: str | Path, on_output: Callable[[int], None] | None = None,
                 duplex: bool = True, pages_per_minute: float = 0.0) -> None:
        self.directory = Path(directory)
        self._on_output = on_output
        self._duplex = duplex
        self._seconds_per_page = 60.0 / pages_per_minute if pages_per_minute > 0 else 0.0
        self.state = "ok"  # what the printer does from now on (the lab's hand: set_state)
        self._reported: str | None = None  # a fault a failed job reported, until cleared

    def set_state(self, state: str) -> None:
        """What the printer does from now on: ok, jam, media-empty or offline."""
        if state not in STATES:
            raise ValueError(f"printer state must be one of {', '.join(STATES)}")
        self.state = state

    def ready(self) -> str | None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            return f"spool directory unusable: {exc.strerror}"
        if not os.access(self.directory, os.W_OK):
            return "spool directory is not writable"
        if self.state == "offline":
            return "offline"
        return self._reported

    def came_out(self, name: str) -> int | None:
        """Pages of a document this printer wrote whole (recovery after a power cut)."""
        target = self.directory / f"{name}.pdf"
        try:
            return page_count(target.read_bytes())
        except (OSError, ValueError):
            return None

    def clear_fault(self) -> None:
        """The operator cleared the fault: its report no longer stands (as CUPS acknowledges)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self._reported = None

    def print_document(self, name: str, pdf: bytes,
                       progress: Callable[[int], None] | None = None) -> PrintResult:
        try:
            pages = page_count(pdf)
        except ValueError as exc:
            raise PrinterError(f"refused a broken document: {exc}") from None
        if "/" in name or name.startswith("."):
            raise PrinterError("bad document name")
        if self.state == "offline":
            raise PrinterError("the job made no progress: the printer is offline", pages_out=0)
        if self.state in REPORTS:
            self._reported = REPORTS[self.state]
            raise PrinterError(f"the job ended without printing: {self._reported}", pages_out=0)
        for page in range(1, pages + 1):  # paper takes its time, page by page
            if self._seconds_per_page:
                time.sleep(self._seconds_per_page)
                if progress is not None and page < pages:
                    progress(page)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{name}.pdf"
            partial = target.with_suffix(".part")
            partial.write_bytes(pdf)
            partial.replace(target)
        except OSError as exc:
            raise PrinterError(f"spool write failed: {exc.strerror}") from None
        self._reported = None  # a printed job clears old reports
        if progress is not None:
            progress(pages)
        if self._on_output is not None:
            self._on_output((pages + 1) // 2 if self._duplex else pages)
        return PrintResult(pages=pages)


if TYPE_CHECKING:  # mypy holds SpoolPrinter to PrinterPort: a drift fails here

    def _conforms_spool_printer(printer: SpoolPrinter) -> PrinterPort:
        return printer
