"""The transaction journal: every step that moves money or paper, committed before it is acted on.

SQLite in WAL mode with ``synchronous=FULL``. It holds no personal data: municipality code,
certificate type, counts, yen, order and document ids, times.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

from kiosk.clock import Clock

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    municipality TEXT NOT NULL,
    certificate  TEXT NOT NULL,
    copies       INTEGER NOT NULL CHECK (copies > 0),
    fee          INTEGER NOT NULL CHECK (fee >= 0),
    state        TEXT NOT NULL CHECK (state IN ('created', 'paid', 'completed', 'voided')),
    reason       TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS money (
    id        INTEGER PRIMARY KEY,
    order_id  TEXT,
    kind      TEXT NOT NULL CHECK (kind IN ('in', 'fee', 'change', 'refund')),
    yen       INTEGER NOT NULL CHECK (yen >= 0),
    state     TEXT NOT NULL CHECK (state IN ('due', 'done')),
    at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(order_id),
    state       TEXT NOT NULL CHECK (state IN ('printing', 'printed', 'failed')),
    pages       INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL
);
"""


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

    def minus(self, other: Totals) -> Totals:
        fields = self.__dataclass_fields__
        return Totals(**{k: getattr(self, k) - getattr(other, k) for k in fields})


class SqliteJournal:
    """The journal on disk; ``:memory:`` for quick unit tests only."""

    def __init__(self, path: str | Path, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(SCHEMA)
        self.writes = 0

    def close(self) -> None:
        self._db.close()

    def _now(self) -> str:
        return self._clock.now().isoformat(timespec="seconds")

    def _write(self, sql: str, args: tuple[object, ...]) -> int:
        with self._lock:
            cur = self._db.execute(sql, args)  # autocommit: committed when this returns
            self.writes += 1
            return int(cur.lastrowid or 0)

    # --- orders --------------------------------------------------------------------------
    def order_created(self, order_id: str, municipality: str, certificate: str, copies: int,
                      fee: int) -> None:
        now = self._now()
        self._write(
            "INSERT INTO orders VALUES (?, ?, ?, ?, ?, 'created', NULL, ?, ?)",
            (order_id, municipality, certificate, copies, fee, now, now),
        )

    def order_paid(self, order_id: str, fee: int) -> None:
        """The fee is collected: written before any change is paid or paper printed."""
        now = self._now()
        with self._lock, self._db:
            self._db.execute("BEGIN")
            self._db.execute("INSERT INTO money (order_id, kind, yen, state, at) "
                             "VALUES (?, 'fee', ?, 'done', ?)", (order_id, fee, now))
            self._db.execute("UPDATE orders SET state='paid', updated=? WHERE order_id=?",
                             (now, order_id))
            self.writes += 1

    def order_completed(self, order_id: str) -> None:
        self._set_order(order_id, "completed", None)

    def order_voided(self, order_id: str, reason: str) -> None:
        self._set_order(order_id, "voided", reason)

    def _set_order(self, order_id: str, state: str, reason: str | None) -> None:
        self._write("UPDATE orders SET state=?, reason=?, updated=? WHERE order_id=?",
                    (state, reason, self._now(), order_id))

    # --- money ---------------------------------------------------------------------------
    def money_in(self, order_id: str | None, yen: int) -> None:
        self._write("INSERT INTO money (order_id, kind, yen, state, at) VALUES (?, 'in', ?, "
                    "'done', ?)", (order_id, yen, self._now()))

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

    # --- reading -------------------------------------------------------------------------
    def totals(self) -> Totals:
        with self._lock:
            q = self._db.execute
            money = dict(q("SELECT kind, COALESCE(SUM(yen), 0) FROM money WHERE state='done' "
                           "GROUP BY kind").fetchall())
            docs, pages = q("SELECT COUNT(*), COALESCE(SUM(pages), 0) FROM documents "
                            "WHERE state='printed'").fetchone()
            orders = dict(q("SELECT state, COUNT(*) FROM orders GROUP BY state").fetchall())
        return Totals(
            paid=money.get("in", 0), fees=money.get("fee", 0), change=money.get("change", 0),
            refunded=money.get("refund", 0), printed_documents=docs, printed_pages=pages,
            orders_completed=orders.get("completed", 0), orders_voided=orders.get("voided", 0),
        )
