"""What a replay is given (``Options``) and what it finds (``Result``, ``Failure``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.printer.lab import PrinterLab
from kiosk.journal.store import Totals


@dataclass
class Options:
    out: Path | None = None
    screenshots: bool = False
    config: dict[str, Any] = field(default_factory=dict)  # the --config file's data
    journal: Path | None = None
    printer: str | None = None
    vpcd: str | None = None  # HOST:PORT: cards go through vpcd, pcscd and pyscard
    printer_lab: PrinterLab | None = None  # printer lines set its state (--printer-lab)
    pace: float = 0.0  # real seconds to wait after each line (fault-injection tests)
    resident: str | None = None  # the stand-in for a recording's field card (--resident)


@dataclass
class Failure:
    line: int
    expected: str
    found: str

    def text(self, file: str) -> str:
        return f"{file}:{self.line}: expected {self.expected}, found {self.found}"


@dataclass
class Result:
    file: str
    name: str
    failures: list[Failure] = field(default_factory=list)
    screens: list[dict[str, Any]] = field(default_factory=list)
    machine_time: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    apdus: int = 0
    totals: Totals = field(default_factory=Totals)
    documents: list[str] = field(default_factory=list)
    screenshots: list[str] = field(default_factory=list)
    seconds: float = 0.0
    waited: float = 0.0  # real time spent waiting for pcscd to notice cards (not machine time)
    staff: list[str] = field(default_factory=list)  # what the counter's console told the clerk

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> dict[str, Any]:
        t = self.totals
        return {
            "file": self.file, "name": self.name, "passed": self.passed,
            "failures": [f.text(self.file) for f in self.failures],
            "screens": self.screens,
            "machine_time_ms": {k: round(v * 1000, 3) for k, v in self.machine_time.items()},
            "machine_time_total_ms": round(self.seconds * 1000, 3),
            "waited_for_reader_ms": round(self.waited * 1000, 3),
            "apdus": self.apdus,
            "money": {"paid": t.paid, "fees": t.fees, "change": t.change,
                      "refunded": t.refunded},
            "documents": {"printed": t.printed_documents, "pages": t.printed_pages,
                          "files": self.documents},
            "orders": {"completed": t.orders_completed, "voided": t.orders_voided},
            "screenshots": self.screenshots,
        }
