"""The counter's tickets (受付票) and the staff console's actions, in the kiosk's journal.

A counter kiosk (``[kiosk] mode = "counter"``) journals each order it made with a ticket: a
number of the day, the order it waits for, and where it stands. The staff console takes the
fee, prints, hands over or voids through these rows; every clerk's action is written to
``staff_log`` before it is carried out. No name and no personal data: numbers, ids, yen, times.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.journal.opening import JournalError

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal

TABLES = """
CREATE TABLE IF NOT EXISTS tickets (
    order_id TEXT PRIMARY KEY REFERENCES orders(order_id),
    day      TEXT NOT NULL,
    number   INTEGER NOT NULL,
    state    TEXT NOT NULL CHECK (state IN ('waiting', 'paid', 'printed', 'handed', 'voided')),
    created  TEXT NOT NULL,
    updated  TEXT NOT NULL,
    UNIQUE (day, number)
);
CREATE TABLE IF NOT EXISTS staff_log (
    id      INTEGER PRIMARY KEY,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
"""
OPEN_STATES = ("waiting", "paid", "printed")  # a ticket still in the queue


@dataclass(frozen=True)
class Ticket:
    """One ticket and its order as the journal holds them."""

    order_id: str
    day: str
    number: int
    state: str
    created: str
    municipality: str
    certificate: str
    copies: int
    fee: int

    @property
    def label(self) -> str:
        """How the ticket is called out: its number of the day (e.g. "0007")."""
        return f"{self.number:04d}"


@dataclass(frozen=True)
class StaffCall:
    """A resident's call for help at an office or counter kiosk (the help-call's table)."""

    at: str
    kiosk: str
    screen: str
    answered: bool


_SELECT = ("SELECT t.order_id, t.day, t.number, t.state, t.created, o.municipality, "
           "o.certificate, o.copies, o.fee FROM tickets t JOIN orders o USING (order_id)")


class TicketBook:
    """The tickets of one journal; the tables are made on first use."""

    def __init__(self, journal: SqliteJournal) -> None:
        self.journal = journal
        self._made = False

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection = self.journal._db
        if not self._made and not _has_tickets(self.journal):  # (a reader's journal has them)
            with self.journal._lock:
                try:
                    db.executescript(TABLES)
                except sqlite3.Error as exc:
                    raise JournalError(f"the journal's tickets cannot be made: {exc}") from None
            self._made = True
        return db

    def _rows(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
        db = self._db()
        with self.journal._lock:
            try:
                return db.execute(sql, args).fetchall()
            except sqlite3.Error as exc:
                raise JournalError(f"the journal could not be read: {exc}") from None

    # --- writing --------------------------------------------------------------------------
    def issue(self, order_id: str) -> Ticket:
        """A ticket for a journaled order: the next number of the day."""
        db, now = self._db(), self.journal._now()
        with self.journal._transaction():
            db.execute("BEGIN IMMEDIATE")
            (last,) = db.execute("SELECT COALESCE(MAX(number), 0) FROM tickets WHERE day = ?",
                                 (now[:10],)).fetchone()
            db.execute("INSERT INTO tickets VALUES (?, ?, ?, 'waiting', ?, ?)",
                       (order_id, now[:10], last + 1, now, now))
            self.journal.writes += 1
        ticket = self.ticket(order_id)
        assert ticket is not None
        return ticket

    def set_state(self, order_id: str, state: str) -> None:
        self.journal._write("UPDATE tickets SET state = ?, updated = ? WHERE order_id = ?",
                            (state, self.journal._now(), order_id))

    def staff(self, action: str, detail: str = "") -> None:
        """A clerk's action, written before it is carried out (never a password or a name)."""
        self._db()
        self.journal._write("INSERT INTO staff_log (action, detail, at) VALUES (?, ?, ?)",
                            (action, detail, self.journal._now()))

    # --- reading --------------------------------------------------------------------------
    def ticket(self, order_id: str) -> Ticket | None:
        rows = self._rows(f"{_SELECT} WHERE t.order_id = ?", (order_id,))
        return Ticket(*rows[0]) if rows else None

    def queue(self) -> list[Ticket]:
        """Tickets not yet handed over nor voided, oldest first."""
        marks = ", ".join("?" for _ in OPEN_STATES)
        return [Ticket(*r) for r in self._rows(
            f"{_SELECT} WHERE t.state IN ({marks}) ORDER BY t.created, t.number", OPEN_STATES)]

    def all(self) -> list[Ticket]:
        return [Ticket(*r) for r in self._rows(
            f"{_SELECT} ORDER BY t.created, t.number")]

    def is_ticketed(self, order_id: str) -> bool:
        """The order waits for the counter (recovery at the terminal leaves it alone)."""
        marks = ", ".join("?" for _ in OPEN_STATES)
        return bool(self._rows(f"SELECT 1 FROM tickets WHERE order_id = ? AND state IN "
                               f"({marks})", (order_id, *OPEN_STATES)))

    def staff_log(self) -> list[tuple[str, str, str]]:
        return [(str(a), str(d), str(t)) for a, d, t in self._rows(
            "SELECT action, detail, at FROM staff_log ORDER BY id")]

    def count(self) -> int:
        return int(self._rows("SELECT COUNT(*) FROM tickets")[0][0])

    def staff_calls(self) -> list[StaffCall]:
        """Unanswered calls for help, if the help call keeps its table in this journal."""
        try:
            rows = self._rows("SELECT at, kiosk, screen, answered FROM staff_calls "
                              "WHERE answered = 0 ORDER BY at")
        except JournalError:  # no such table: no kiosk here calls for help through it
            return []
        return [StaffCall(str(at), str(k), str(s), bool(a)) for at, k, s, a in rows]

    def answer_calls(self) -> int:
        """A clerk went to the kiosks that called: their calls are answered; how many."""
        waiting = len(self.staff_calls())
        if waiting:
            self.staff("answer-calls")
            self.journal._write("UPDATE staff_calls SET answered = 1 WHERE answered = 0", ())
        return waiting

    def counter_money(self, day: str | None = None) -> tuple[int, int, int]:
        """(tickets handed over, fees taken at the counter, refunded at the counter)."""
        when = "AND substr(m.at, 1, 10) = ?" if day else ""
        args: tuple[object, ...] = (day,) if day else ()
        fees = self._rows("SELECT COALESCE(SUM(m.yen), 0) FROM money m JOIN tickets t "
                          f"USING (order_id) WHERE m.kind = 'fee' {when}", args)[0][0]
        refunds = self._rows("SELECT COALESCE(SUM(m.yen), 0) FROM money m JOIN tickets t "
                             f"USING (order_id) WHERE m.kind = 'refund' {when}", args)[0][0]
        twhen = "AND substr(updated, 1, 10) = ?" if day else ""
        handed = self._rows(f"SELECT COUNT(*) FROM tickets WHERE state = 'handed' {twhen}",
                            args)[0][0]
        return int(handed), int(fees), int(refunds)


def counter_report_lines(journal: SqliteJournal, day: str | None = None) -> list[str]:
    """The counter's part of ``journal report``: apart from the terminal's cash."""
    if not _has_tickets(journal):
        return []
    handed, fees, refunds = TicketBook(journal).counter_money(day)
    return [f"counter (らくらく窓口): {handed} tickets handed over, fees taken at the counter "
            f"¥{fees}, refunded at the counter ¥{refunds}"]


def counter_totals(journal: SqliteJournal, day: str | None = None) -> dict[str, int]:
    """The counter's part of the report as data (``journal report --json``)."""
    if not _has_tickets(journal):
        return {"tickets_handed_over": 0, "fees": 0, "refunded": 0}
    handed, fees, refunds = TicketBook(journal).counter_money(day)
    return {"tickets_handed_over": handed, "fees": fees, "refunded": refunds}


def _has_tickets(journal: SqliteJournal) -> bool:
    with journal._lock:
        return journal._db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
                                   "name = 'tickets'").fetchone() is not None


def at_the_counter(journal: SqliteJournal) -> set[str]:
    """Orders whose tickets are still in the counter's queue (none if the journal has no
    tickets): the terminal's recovery leaves them to the counter."""
    if not _has_tickets(journal):
        return set()
    return {t.order_id for t in TicketBook(journal).queue()}


def count_tickets(journal: SqliteJournal) -> int:
    """Every ticket the journal holds (a replay's ``tickets`` is the difference of two)."""
    return TicketBook(journal).count() if _has_tickets(journal) else 0
