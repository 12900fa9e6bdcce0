"""What must hold after every line a fuzzed session plays, checked on the real harness.

``CheckedPlayer`` is the replay harness's ``Player`` playing one line at a time; after each it
checks the journal's balance, the cash unit against the journal, the printed documents against
the orders, and that no PIN typed reached a log line; at the end, that the kiosk is at rest and
the journal sound. A line that raises is itself a violation (nothing may escape the kiosk).
"""

from __future__ import annotations

import io
import logging
import re
import sqlite3
import traceback
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PyPdfError as PdfError

from drivers.payment.cash_unit import SimulatedCashUnit
from drivers.printer.spool import SpoolPrinter
from kiosk.field.logs import Redactor
from kiosk.journal.opening import open_reader
from kiosk.journal.store import SqliteJournal
from kiosk.replay.format import SessionFile, Step
from kiosk.replay.result import Options
from kiosk.replay.runner import Player, SetupError

AT_REST = ("idle", "closed", "out_of_service")


@dataclass(frozen=True)
class Violation:
    """One invariant that did not hold: which, at which line of the session file, and how."""

    kind: str
    line: int
    detail: str

    def text(self) -> str:
        return f"line {self.line}: {self.kind}: {self.detail}"


class LogCapture(logging.Handler):
    """Every log record of the process while a session plays, as the line it would write."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
        except (TypeError, ValueError):
            text = f"{record.msg} {record.args!r}"
        if record.exc_info:
            text += " " + "".join(traceback.format_exception(*record.exc_info))
        self.lines.append(f"{record.levelname} {record.name}: {text}")


@contextmanager
def captured_logs() -> Iterator[LogCapture]:
    """Capture every record (DEBUG and up) on the root logger; the previous setup comes back."""
    root = logging.getLogger()
    capture = LogCapture()
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        yield capture
    finally:
        root.removeHandler(capture)
        root.setLevel(level)


def pin_pattern(pins: Iterable[str]) -> re.Pattern[str] | None:
    """The PINs typed (4 digits or more: shorter ones are in every number), standing alone."""
    long = sorted({p for p in pins if len(p) >= 4})
    if not long:
        return None
    return re.compile(r"(?<![0-9A-Za-z])(" + "|".join(long) + r")(?![0-9A-Za-z])")


def money_sums(db: sqlite3.Connection) -> int:
    """Money the journal says the cash unit kept: put in, less change and refunds given."""
    rows = db.execute("SELECT kind, COALESCE(SUM(yen), 0) FROM money WHERE kind = 'in' "
                      "OR (kind IN ('change', 'refund') AND state = 'done') GROUP BY kind")
    money = dict(rows.fetchall())
    return int(money.get("in", 0) - money.get("change", 0) - money.get("refund", 0))


class CheckedPlayer(Player):
    """The harness's Player, a line at a time, with the fuzzer's invariants after each."""

    def __init__(self, session: SessionFile, workdir: Path, logs: LogCapture) -> None:
        super().__init__(session, Options(), workdir)
        self.logs = logs
        self.checks: Counter[str] = Counter()
        self.violations: list[Violation] = []
        self.pins: list[str] = []
        self.line = 1
        self._logs_seen = 0
        self._redactor = Redactor()
        self._db = open_reader(self.kiosk.journal.path)
        self._cash_start = self._cash_held()
        self._kept_start = money_sums(self._db)

    # ------------------------------------------------------------------ playing
    def step(self, step: Step) -> bool:
        """Play one line and check; False once something escaped (the session stops there)."""
        self.line = step.line
        if step.action == "pin":
            self.pins.append(step.value)
        try:
            if step.at is not None:
                when = self.file.header.start + timedelta(seconds=step.at)
                self._timed(partial(self.kiosk.advance_to, when))
            self._do(step)
        except SetupError:
            raise
        except Exception as exc:  # anything escaping the kiosk is the finding
            self.violations.append(escaped(exc, self.line))
            return False
        self.check_all()
        return True

    def _power_cut(self) -> None:
        """A new kiosk has a new cash unit: cash is counted per kiosk (recovery included)."""
        kept = money_sums(self._db)
        super()._power_cut()
        self._cash_start = self._tubes_of_config()
        self._kept_start = kept

    def _tubes_of_config(self) -> int:
        return sum(int(coin) * count for coin, count in self.kiosk.config.payment.change.items())

    def _cash_held(self) -> int:
        cash = self.kiosk.cash
        return cash.total_held() if isinstance(cash, SimulatedCashUnit) else 0

    def _violate(self, kind: str, detail: str) -> None:
        """Record the first time each invariant breaks (after that it stays broken)."""
        if all(v.kind != kind for v in self.violations):
            self.violations.append(Violation(kind, self.line, detail))

    # ------------------------------------------------------------------ after every line
    def check_all(self) -> None:
        self.check_balance()
        self.check_cash()
        self.check_printed()
        self.check_logs()

    def check_balance(self) -> None:
        """money_in = fees collected + change + refunded + outstanding."""
        self.checks["journal-balance"] += 1
        t = self.kiosk.journal.report().totals
        right = t.fees_collected + t.change + t.refunded + t.outstanding
        if t.money_in != right:
            self._violate("journal-balance", f"money in ¥{t.money_in} != fees "
                          f"¥{t.fees_collected} + change ¥{t.change} + refunded ¥{t.refunded} "
                          f"+ outstanding ¥{t.outstanding}")

    def check_cash(self) -> None:
        """What the cash unit holds moved by exactly what the journal says it kept."""
        if not isinstance(self.kiosk.cash, SimulatedCashUnit):
            return
        self.checks["cash-vs-journal"] += 1
        held = self._cash_held() - self._cash_start
        kept = money_sums(self._db) - self._kept_start
        if held != kept:
            self._violate("cash-vs-journal", f"the cash unit holds ¥{held:+} since it started, "
                          f"the journal says ¥{kept:+} (in less change and refunds given)")

    def check_printed(self) -> None:
        """Each PDF is a printed document of a paid order, and each printed one came out."""
        printer = self.kiosk.printer
        if not isinstance(printer, SpoolPrinter):
            return
        self.checks["printed-documents"] += 1
        rows = self._db.execute("SELECT d.order_id, d.document_id, d.state, o.state FROM "
                                "documents d JOIN orders o USING (order_id)").fetchall()
        docs = {f"{order}-{doc}": (state, order_state) for order, doc, state, order_state in rows}
        files = {p.stem for p in printer.directory.glob("*.pdf")}
        for name in sorted(files):
            state, order_state = docs.get(name, ("none", "none"))
            if state != "printed" or order_state not in ("paid", "completed"):
                self._violate("printed-unbound", f"{name}.pdf printed, the journal has the "
                              f"document {state} and its order {order_state}")
        for name, (state, _) in sorted(docs.items()):
            if state == "printed" and name not in files:
                self._violate("printed-missing", f"the journal has {name} printed; no such PDF")

    def check_logs(self) -> None:
        """No PIN typed in a log line as written (one only redaction hid: its own kind)."""
        self.checks["pin-not-logged"] += 1
        pattern = pin_pattern(self.pins)
        lines = self.logs.lines
        if pattern is None:
            return
        for text in lines[self._logs_seen:]:
            if pattern.search(text) is None:
                continue
            if pattern.search(self._redactor.redact(text)):
                self._violate("pin-in-log", text[:300])
            else:
                self._violate("pin-in-log-unredacted", text[:300])
        self._logs_seen = len(lines)

    def rescan_logs(self) -> None:
        """Lines logged before a PIN was typed are searched again for it (at the end)."""
        self._logs_seen = 0
        self.check_logs()

    # ------------------------------------------------------------------ at the end
    def finish(self) -> None:
        """At rest, the journal sound, nothing outstanding, no PIN in a file written."""
        self.rescan_logs()
        k = self.kiosk
        self.checks["at-rest"] += 1
        state = k.session.state
        if state not in AT_REST:
            self._violate("not-at-rest", f"the kiosk is at {state} after nobody came back")
        elif state != "idle" and not k.session.view().message:
            self._violate("not-at-rest", f"the kiosk is {state} and does not say why")
        self.checks["journal-check"] += 1
        reader = SqliteJournal(k.journal.path, self.clock, read_only=True)
        try:
            problems = reader.check()
        finally:
            reader.close()
        for problem in problems:
            self._violate("journal-check", problem)
        self.checks["nothing-outstanding"] += 1
        outstanding = k.journal.report().totals.outstanding
        if outstanding:
            self._violate("outstanding-at-rest", f"¥{outstanding} outstanding at rest")
        self.check_files()

    def check_files(self) -> None:
        """No PIN typed in any file the kiosk wrote: the journal's bytes, the PDFs' text."""
        self.checks["pin-not-in-files"] += 1
        pattern = pin_pattern(self.pins)
        if pattern is None:
            return
        for path in sorted(p for p in self.workdir.rglob("*") if p.is_file()):
            data = path.read_bytes()
            text = pdf_text(data) if path.suffix == ".pdf" else data.decode("latin-1")
            found = pattern.search(text)
            if found:
                near = text[max(0, found.start() - 30):found.end() + 30]
                self._violate("pin-in-file", f"{path.name}: {near!r}")

    def close(self) -> None:
        """Close the kiosk as the harness does; what escapes that is a finding too."""
        self._db.close()
        try:
            self.kiosk.close()
        except Exception as exc:
            self.violations.append(escaped(exc, self.line))


def escaped(exc: Exception, line: int) -> Violation:
    """An exception out of the kiosk, named by its type and where it was raised."""
    where = traceback.extract_tb(exc.__traceback__)[-1]
    return Violation(f"exception-{type(exc).__name__}", line, f"{type(exc).__name__}: {exc} "
                     f"({Path(where.filename).name}:{where.lineno})")


def pdf_text(data: bytes) -> str:
    """The text a PDF shows (numbers that draw it, fonts and glyph ids are not text)."""
    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() for page in reader.pages)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        return f"(unreadable PDF: {exc})"
