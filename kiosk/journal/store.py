"""The transaction journal: every step that moves money or paper, committed before it is acted on.

SQLite in WAL mode with ``synchronous=FULL``. It holds no personal data: municipality code,
certificate type, counts, yen, order and document ids, times.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.clock import Clock
from kiosk.journal.cash_tables import money_in_rows
from kiosk.journal.forms import count_forms, record_form
from kiosk.journal.opening import (
    JournalError,
    check_marks,
    free_bytes,
    identify,
    make_tables,
    open_reader,
)
from kiosk.journal.practice_log import practice_count, record_practice
from kiosk.journal.sql import HOLDING_MONEY
from kiosk.journal.staff_calls import count_calls, record_call
from kiosk.journal.tickets import count_tickets
from kiosk.vocabulary.ports import Report, ReportLine, ReportTotals

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import Journal


@dataclass(frozen=True)
class OrderRow:
    order_id: str
    municipality: str
    certificate: str
    copies: int
    fee: int
    state: str
    printed: int


@dataclass(frozen=True)
class Totals:
    """Counts and sums over the whole journal (a replay takes the difference of two)."""

    paid: int = 0
    fees: int = 0
    change: int = 0
    refunded: int = 0
    printed_documents: int = 0
    printed_pages: int = 0
    orders_completed: int = 0
    orders_voided: int = 0
    registrations: int = 0
    help_calls: int = 0  # "call staff" pressed where staff are alerted
    tickets: int = 0  # a counter kiosk's tickets (受付票) issued
    printed_forms: int = 0  # pre-filled forms printed (書かない窓口)

    def minus(self, other: Totals) -> Totals:
        fields = self.__dataclass_fields__
        return Totals(**{k: getattr(self, k) - getattr(other, k) for k in fields})


def _deny_writes(action: int, *_: object) -> int:
    """An SQLite authorizer that refuses what would write (the lab's full disk)."""
    if action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_UPDATE, sqlite3.SQLITE_DELETE):
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


class SqliteJournal:
    """The journal on disk; ``:memory:`` for quick unit tests only."""

    def __init__(self, path: str | Path, clock: Clock, *, read_only: bool = False,
                 durability: str = "full") -> None:
        """Open (or create) the journal to write; ``read_only`` opens an existing one to read.

        JournalError names what is wrong: not a journal, a newer one, or one that cannot be
        written (refused before the kiosk takes a yen)."""
        self._clock = clock
        self._lock = threading.Lock()
        self.path = Path(path)
        self.writes = 0
        self._full = False  # the lab's full disk (refuse_writes)
        self.created = False  # made by this opening (a new journal holds nothing to recover)
        if read_only:
            self._db = open_reader(self.path)
            return
        if str(path) != ":memory:":
            problem = identify(self.path)
            if problem and not problem.endswith("is empty: not a journal"):
                raise JournalError(problem)
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise JournalError(f"{self.path.parent} cannot be made: {exc.strerror}") from None
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            version = check_marks(self._db, self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            # FULL: a commit is on the disk when it returns; NORMAL (the harness's virtual
            # kiosks): it survives the process dying, as WAL keeps it, not the machine
            self._db.execute("PRAGMA synchronous=NORMAL" if durability == "normal"
                             else "PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self.created = make_tables(self._db, version)
        except sqlite3.Error as exc:
            raise JournalError(f"{self.path} cannot be written: {exc}") from None

    def room(self) -> int:
        """Bytes free on the journal's filesystem."""
        if self._full:
            return 0
        return free_bytes(self.path) if str(self.path) != ":memory:" else 2**40

    def refuse_writes(self, full: bool) -> None:
        """As on a full disk, from now on (the lab's ``{"disk": "full"}``): room() is 0 and
        SQLite itself refuses every write; False gives the room back."""
        self._full = full
        with self._lock:
            self._db.set_authorizer(_deny_writes if full else None)

    def close(self) -> None:
        self._db.close()

    def _now(self) -> str:
        return self._clock.now().isoformat(timespec="seconds")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """One transaction, committed when the block ends; JournalError if it cannot be."""
        with self._lock:
            try:
                with self._db:
                    yield
            except sqlite3.Error as exc:  # rolled back: nothing of it was written
                raise JournalError(f"the journal could not be written: {exc}") from None

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        with self._lock:
            try:
                cur = self._db.execute(sql, args)  # autocommit: committed when this returns
            except sqlite3.Error as exc:  # a full disk, a file gone read-only: nothing written
                raise JournalError(f"the journal could not be written: {exc}") from None
            self.writes += 1
            return int(cur.lastrowid or 0)

    # --- orders --------------------------------------------------------------------------
    def order_created(self, order_id: str, municipality: str, certificate: str, copies: int,
                      fee: int) -> None:
        now = self._now()
        self._write(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, 'created', 0, NULL, ?, ?)",
            (order_id, municipality, certificate, copies, fee, now, now),
        )

    def order_paid(self, order_id: str, fee: int) -> None:
        """The fee is collected: written before any change is paid or paper printed."""
        now = self._now()
        with self._transaction():
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO money (order_id, kind, yen, state, at) "
                             "VALUES (?, 'fee', ?, 'done', ?)", (order_id, fee, now))
            self._db.execute("UPDATE orders SET state='paid', updated=? WHERE order_id=?",
                             (now, order_id))
            self.writes += 1

    def order_completed(self, order_id: str, printed: int | None = None) -> None:
        """Handed over: all copies, or ``printed`` of them (the rest refunded)."""
        with self._transaction():
            copies = printed if printed is not None else self._db.execute(
                "SELECT copies FROM orders WHERE order_id=?", (order_id,)).fetchone()[0]
            self._db.execute("UPDATE orders SET state='completed', printed=?, updated=? "
                             "WHERE order_id=?", (copies, self._now(), order_id))
            self.writes += 1

    def order_voided(self, order_id: str, reason: str) -> None:
        self._set_order(order_id, "voided", reason)

    def _set_order(self, order_id: str, state: str, reason: str | None) -> None:
        self._write("UPDATE orders SET state=?, reason=?, updated=? WHERE order_id=?",
                    (state, reason, self._now(), order_id))

    # --- money ---------------------------------------------------------------------------
    def money_in(self, order_id: str | None, yen: int, device: str = "",
                 counter: int | None = None) -> None:
        """Money put in; a coin's event counter and a note in escrow in the same commit."""
        now = self._now()
        rows = [("INSERT INTO money (order_id, kind, yen, state, at) VALUES (?, 'in', ?, "
                 "'done', ?)", (order_id, yen, now)),
                *money_in_rows(now, order_id, device, counter, yen)]
        with self._transaction():
            self._db.execute("BEGIN")
            for sql, args in rows:
                self._db.execute(sql, args)
            self.writes += 1

    def payout_due(self, order_id: str | None, kind: str, yen: int) -> int:
        """Change or a refund about to be paid out; returns the row to mark done after."""
        if kind not in ("change", "refund"):
            raise ValueError(f"not a payout: {kind}")
        return self._write("INSERT INTO money (order_id, kind, yen, state, at) VALUES "
                           "(?, ?, ?, 'due', ?)", (order_id, kind, yen, self._now()))

    def payout_done(self, row: int, yen: int) -> None:
        """The payout left the machine; ``yen`` is what was really given."""
        self._write("UPDATE money SET state='done', yen=?, at=? WHERE id=?",
                    (yen, self._now(), row))

    def voucher(self, row: int, yen: int) -> None:
        """What the cash unit could not give is owed on a refund voucher (staff pay it)."""
        self._write("UPDATE money SET state='voucher', yen=?, at=? WHERE id=?",
                    (yen, self._now(), row))

    # --- paper ---------------------------------------------------------------------------
    def printing(self, order_id: str, document_id: str) -> None:
        self._write("INSERT INTO documents VALUES (?, ?, 'printing', 0, ?)",
                    (document_id, order_id, self._now()))

    def printed(self, document_id: str, pages: int) -> None:
        self._write("UPDATE documents SET state='printed', pages=?, at=? WHERE document_id=?",
                    (pages, self._now(), document_id))

    def print_failed(self, document_id: str, pages: int) -> None:
        self._write("UPDATE documents SET state='failed', pages=?, at=? WHERE document_id=?",
                    (pages, self._now(), document_id))

    # --- the operator --------------------------------------------------------------------
    def registration_accepted(self, registration_id: str, municipality: str) -> None:
        """The center took a 本籍地 registration (its id and the town; nothing typed)."""
        self._write("INSERT OR IGNORE INTO registrations VALUES (?, ?, ?)",
                    (registration_id, municipality, self._now()))

    def operator(self, action: str, detail: str = "") -> None:
        """An operator action, written before it is carried out."""
        self._write("INSERT INTO operator_log (action, detail, at) VALUES (?, ?, ?)",
                    (action, detail, self._now()))

    def staff_call(self, kiosk: str, screen: str) -> None:
        record_call(self, self._now(), kiosk, screen)

    def form_printed(self, form: str) -> None:
        record_form(self, self._now(), form)

    def practice(self, visit_id: str, state: str, certificate: str = "", printed: int = 0
                 ) -> None:
        record_practice(self, self._now(), visit_id, state, certificate, printed)

    def operator_log(self) -> list[tuple[str, str, str]]:
        return [(action, detail, at) for action, detail, at in self._rows(
            "SELECT action, detail, at FROM operator_log ORDER BY id")]

    # --- reading -------------------------------------------------------------------------
    def _rows(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            try:
                return self._db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"the journal could not be read: {exc}") from None

    def open_orders(self) -> list[OrderRow]:
        """Orders neither completed nor voided: what a power cut may have left half done."""
        return [OrderRow(*r) for r in self._rows(
            "SELECT order_id, municipality, certificate, copies, fee, state, printed FROM orders "
            "WHERE state IN ('created', 'paid') ORDER BY created")]

    def finished_holding_money(self) -> list[str]:
        """Completed or voided orders that still hold money: a power cut fell between the
        order's end and its payout being journaled."""
        return [order_id for (order_id,) in self._rows(HOLDING_MONEY)]

    def documents_of(self, order_id: str) -> list[tuple[str, str, int]]:
        """(document id, state, pages) of an order's documents."""
        return [(document_id, state, pages) for document_id, state, pages in self._rows(
            "SELECT document_id, state, pages FROM documents WHERE order_id=? ORDER BY at",
            (order_id,))]

    def payouts_due(self) -> list[tuple[int, str | None, str, int]]:
        """(row, order id, kind, yen) of change and refunds journaled but not seen given."""
        return [(row, order_id, kind, yen) for row, order_id, kind, yen in self._rows(
            "SELECT id, order_id, kind, yen FROM money WHERE state='due' ORDER BY id")]

    def held(self, order_id: str | None) -> int:
        """Money put in for this order (None: for no order) not yet kept or given back."""
        where = "order_id IS NULL" if order_id is None else "order_id = ?"
        args: tuple[object, ...] = () if order_id is None else (order_id,)
        money: dict[str, int] = dict(self._rows(
            f"SELECT kind, COALESCE(SUM(yen), 0) FROM money WHERE {where} GROUP BY kind", args))
        kept = 0
        if order_id is not None:
            row = self._rows("SELECT state, fee, copies, printed FROM orders WHERE order_id=?",
                             (order_id,))
            if row:
                state, fee, copies, printed = row[0]
                kept = fee if state == "paid" else fee * printed // copies if (
                    state == "completed") else 0
        return money.get("in", 0) - money.get("change", 0) - money.get("refund", 0) - kept

    def report(self, day: str | None = None) -> Report:
        """The settlement per municipality and certificate type, and the money totals."""
        when = "AND substr(o.updated, 1, 10) = ?" if day else ""
        args: tuple[object, ...] = (day,) if day else ()
        lines = [ReportLine(*r) for r in self._rows(
            "SELECT municipality, certificate, SUM(printed), SUM(fee * printed / copies) "
            f"FROM orders o WHERE state='completed' {when} GROUP BY municipality, certificate "
            "ORDER BY municipality, certificate", args)]
        mwhen = "WHERE substr(at, 1, 10) = ?" if day else ""
        money = dict(self._rows(f"SELECT kind, COALESCE(SUM(yen), 0) FROM money {mwhen} "
                                "GROUP BY kind", args))
        vouchers = self._rows(f"SELECT COALESCE(SUM(yen), 0) FROM money {mwhen} "
                              f"{'AND' if day else 'WHERE'} state='voucher'", args)[0][0]
        fees = sum(line.fees for line in lines)
        held = sum(self.held(o.order_id) for o in self.open_orders()) + max(0, self.held(None))
        due = self._rows("SELECT COALESCE(SUM(yen), 0) FROM money WHERE state='due'")[0][0]
        return Report(day, lines, ReportTotals(
            money_in=money.get("in", 0), change=money.get("change", 0),
            refunded=money.get("refund", 0), vouchers=vouchers, fees_collected=fees,
            outstanding=held + due, practice_visits=practice_count(self, day)))

    def check(self) -> list[str]:
        """Every broken invariant, in plain words (none: the journal is sound)."""
        problems = []
        for (order_id,) in self._rows(
                "SELECT o.order_id FROM orders o JOIN documents d USING (order_id) "
                "WHERE o.state='voided' AND d.state='printed' GROUP BY o.order_id"):
            problems.append(f"order {order_id} is both printed and voided")
        for order_id, n in self._rows("SELECT order_id, COUNT(*) FROM money WHERE kind='fee' "
                                      "GROUP BY order_id HAVING COUNT(*) > 1"):
            problems.append(f"order {order_id} was charged {n} times")
        for order_id, fee, charged in self._rows(
                "SELECT o.order_id, o.fee, m.yen FROM orders o JOIN money m USING (order_id) "
                "WHERE m.kind='fee' AND m.yen != o.fee"):
            problems.append(f"order {order_id} charged ¥{charged} for a fee of ¥{fee}")
        for (order_id,) in self._rows("SELECT order_id FROM orders WHERE state IN "
                                      "('completed', 'voided')"):
            held = self.held(order_id)
            if held != 0:
                problems.append(f"order {order_id} is finished but ¥{held} is unaccounted for")
        for (order_id,) in self._rows("SELECT order_id FROM orders WHERE state IN "
                                      "('created', 'paid')"):
            if self.held(order_id) < 0:
                problems.append(f"order {order_id} gave back more than was put in")
        for (order_id,) in self._rows(
                "SELECT order_id FROM orders WHERE state='completed' AND printed > "
                "(SELECT COUNT(*) FROM documents d WHERE d.order_id = orders.order_id "
                "AND d.state='printed')"):
            problems.append(f"order {order_id} is completed with copies that never printed")
        if self.held(None) < 0:
            problems.append("more was given back than was put in without an order")
        return problems

    def totals(self) -> Totals:
        with self._lock:
            q = self._db.execute
            money = dict(q("SELECT kind, COALESCE(SUM(yen), 0) FROM money WHERE state IN "
                           "('done', 'voucher') GROUP BY kind").fetchall())
            docs, pages = q("SELECT COUNT(*), COALESCE(SUM(pages), 0) FROM documents "
                            "WHERE state='printed'").fetchone()
            orders = dict(q("SELECT state, COUNT(*) FROM orders GROUP BY state").fetchall())
            registrations = q("SELECT COUNT(*) FROM registrations").fetchone()[0]
        return Totals(
            paid=money.get("in", 0), fees=money.get("fee", 0), change=money.get("change", 0),
            refunded=money.get("refund", 0), printed_documents=docs, printed_pages=pages,
            orders_completed=orders.get("completed", 0), orders_voided=orders.get("voided", 0),
            registrations=registrations, help_calls=count_calls(self),
            tickets=count_tickets(self), printed_forms=count_forms(self),
        )


if TYPE_CHECKING:  # mypy holds SqliteJournal to Journal: a drift fails here

    def _conforms_sqlite_journal(journal: SqliteJournal) -> Journal:
        return journal
