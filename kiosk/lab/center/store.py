"""The reference center's state in SQLite, so that every process serving it sees the same
challenges, sign-ins, orders, idempotent replies and settlements (``:memory:`` in-process)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import schema
from kiosk.center.protocol import Offer

SCHEMA = """
CREATE TABLE IF NOT EXISTS nonces (
    nonce BLOB PRIMARY KEY, kiosk TEXT NOT NULL, expires TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS signins (
    token TEXT PRIMARY KEY, kiosk TEXT NOT NULL, resident TEXT NOT NULL, expires TEXT NOT NULL,
    offers TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY, kiosk TEXT NOT NULL, municipality TEXT NOT NULL,
    certificate TEXT NOT NULL, copies INTEGER NOT NULL, fee INTEGER NOT NULL, day TEXT NOT NULL,
    state TEXT NOT NULL, printed INTEGER NOT NULL DEFAULT 0, documents TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS replies (
    kiosk TEXT NOT NULL, key TEXT NOT NULL, reply BLOB, order_id TEXT, at TEXT NOT NULL,
    PRIMARY KEY (kiosk, key));
CREATE INDEX IF NOT EXISTS replies_order ON replies(order_id);
CREATE TABLE IF NOT EXISTS faults (
    kiosk TEXT PRIMARY KEY, mode TEXT NOT NULL, remaining INTEGER);
CREATE TABLE IF NOT EXISTS settlements (
    kiosk TEXT NOT NULL, day TEXT NOT NULL, report TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (kiosk, day));
CREATE TABLE IF NOT EXISTS registrations (
    resident_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, status TEXT NOT NULL,
    registration_id TEXT NOT NULL, applied_day TEXT NOT NULL);
"""

PENDING = object()  # a reply is being made for this key by another request


@dataclass
class SignedIn:
    kiosk_id: str
    resident_id: str
    expires: datetime
    offers: list[Offer]


@dataclass
class OrderRecord:
    order_id: str
    kiosk_id: str
    municipality: str
    certificate: str
    copies: int
    fee: int
    day: str  # YYYY-MM-DD, the issue date
    state: str = "issued"  # issued | completed | voided
    printed: int = 0
    document_ids: tuple[str, ...] = ()


@dataclass
class RegistrationRecord:
    """A resident's application for the 本籍地's certificates (the world file's status stands
    until there is one)."""

    resident_id: str
    municipality: str
    status: str  # pending | registered
    registration_id: str
    applied_day: str  # YYYY-MM-DD


class CenterStore:
    """Thread-safe within a process; processes share the file (WAL)."""

    def __init__(self, path: str | Path = ":memory:") -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None,
                                   timeout=30)
        if str(path) != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(SCHEMA)

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One statement, its rows read before the connection is handed to another thread."""
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """Several statements as one write: BEGIN IMMEDIATE takes the write lock first, so
        another process's writer makes this one wait (busy timeout) instead of failing."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # --- challenges ------------------------------------------------------------------------
    def add_nonce(self, nonce: bytes, kiosk_id: str, expires: datetime, now: datetime) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM nonces WHERE expires < ?", (now.isoformat(),))
            db.execute("INSERT INTO nonces VALUES (?, ?, ?)", (nonce, kiosk_id,
                                                               expires.isoformat()))

    def take_nonce(self, nonce: bytes) -> tuple[str, datetime] | None:
        """The nonce's kiosk and expiry, removing it: a challenge is answered once."""
        with self._transaction() as db:
            row = db.execute("SELECT kiosk, expires FROM nonces WHERE nonce = ?",
                             (nonce,)).fetchone()
            db.execute("DELETE FROM nonces WHERE nonce = ?", (nonce,))
        return (row[0], datetime.fromisoformat(row[1])) if row else None

    # --- sign-ins --------------------------------------------------------------------------
    def add_signin(self, token: str, signed: SignedIn) -> None:
        offers = json.dumps(schema.dump(signed.offers), ensure_ascii=False)
        self._run("INSERT INTO signins VALUES (?, ?, ?, ?, ?)",
                  (token, signed.kiosk_id, signed.resident_id, signed.expires.isoformat(),
                   offers))

    def signin(self, token: str) -> SignedIn | None:
        rows = self._run("SELECT kiosk, resident, expires, offers FROM signins WHERE token = ?",
                         (token,))
        if not rows:
            return None
        row = rows[0]
        offers = schema.load(list[Offer], json.loads(row[3]))
        return SignedIn(row[0], row[1], datetime.fromisoformat(row[2]), offers)

    # --- orders ----------------------------------------------------------------------------
    def add_order(self, o: OrderRecord) -> None:
        self._run("INSERT INTO orders VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  (o.order_id, o.kiosk_id, o.municipality, o.certificate, o.copies, o.fee, o.day,
                   o.state, o.printed, json.dumps(list(o.document_ids))))

    def order(self, order_id: str) -> OrderRecord | None:
        rows = self._run("SELECT order_id, kiosk, municipality, certificate, copies, fee, day, "
                         "state, printed, documents FROM orders WHERE order_id = ?", (order_id,))
        if not rows:
            return None
        row = rows[0]
        return OrderRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7],
                           row[8], document_ids=tuple(json.loads(row[9])))

    def finish_order(self, order_id: str, state: str, printed: int, refuse: str) -> str | None:
        """Move an order to ``state`` unless it is in ``refuse``; its state after, or None."""
        with self._transaction() as db:
            db.execute("UPDATE orders SET state = ?, printed = ? WHERE order_id = ? "
                       "AND state != ?", (state, printed, order_id, refuse))
            row = db.execute("SELECT state FROM orders WHERE order_id = ?",
                             (order_id,)).fetchone()
            # The documents are not needed again: a finished order's cached reply shrinks.
            db.execute("UPDATE replies SET reply = NULL WHERE order_id = ? "
                       "AND reply IS NOT NULL", (order_id,))
        return row[0] if row else None

    def orders_of(self, kiosk_id: str, day: str, state: str) -> list[OrderRecord]:
        rows = self._run("SELECT order_id FROM orders WHERE kiosk = ? AND day = ? AND state = ?",
                         (kiosk_id, day, state))
        return [o for (order_id,) in rows if (o := self.order(order_id)) is not None]

    def count_orders(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM orders")[0][0])

    # --- idempotency -----------------------------------------------------------------------
    def reserve(self, kiosk_id: str, key: str, now: datetime) -> bytes | object | None:
        """None: this request makes the reply. Bytes: the reply made before. PENDING: another
        request with the key is still at work (the kiosk retries later)."""
        with self._transaction() as db:
            cur = db.execute("INSERT OR IGNORE INTO replies (kiosk, key, at) VALUES (?, ?, ?)",
                             (kiosk_id, key, now.isoformat()))
            if cur.rowcount == 1:
                return None
            row = db.execute("SELECT reply, order_id FROM replies WHERE kiosk = ? AND key = ?",
                             (kiosk_id, key)).fetchone()
        if row[0] is not None:
            return bytes(row[0])
        return FINISHED if row[1] is not None else PENDING

    def keep_reply(self, kiosk_id: str, key: str, reply: bytes, order_id: str | None) -> None:
        self._run("UPDATE replies SET reply = ?, order_id = ? WHERE kiosk = ? AND key = ?",
                  (reply, order_id, kiosk_id, key))

    def release(self, kiosk_id: str, key: str) -> None:
        """Forget a reservation whose request failed before it had a reply."""
        self._run("DELETE FROM replies WHERE kiosk = ? AND key = ? AND reply IS NULL "
                  "AND order_id IS NULL", (kiosk_id, key))

    # --- the lab's faults -------------------------------------------------------------------
    def set_fault(self, kiosk_id: str, mode: str | None, times: int = 0) -> None:
        """``mode`` for this kiosk's next ``times`` calls (0: until changed); None clears."""
        with self._transaction() as db:
            db.execute("DELETE FROM faults WHERE kiosk = ?", (kiosk_id,))
            if mode is not None:
                db.execute("INSERT INTO faults VALUES (?, ?, ?)", (kiosk_id, mode, times or None))

    def take_fault(self, kiosk_id: str) -> str | None:
        """The fault for this call of the kiosk's, counting it down."""
        rows = self._run("SELECT mode, remaining FROM faults WHERE kiosk = ?", (kiosk_id,))
        if not rows:  # the common case: no fault, and no write lock taken for it
            return None
        with self._transaction() as db:
            row = db.execute("SELECT mode, remaining FROM faults WHERE kiosk = ?",
                             (kiosk_id,)).fetchone()
            if row is None:
                return None
            if row[1] is not None:
                if row[1] <= 1:
                    db.execute("DELETE FROM faults WHERE kiosk = ?", (kiosk_id,))
                else:
                    db.execute("UPDATE faults SET remaining = remaining - 1 WHERE kiosk = ?",
                               (kiosk_id,))
            return str(row[0])

    # --- settlement ------------------------------------------------------------------------
    def add_settlement(self, kiosk_id: str, day: str, report: dict[str, Any],
                       now: datetime) -> None:
        self._run("INSERT OR REPLACE INTO settlements VALUES (?, ?, ?, ?)",
                  (kiosk_id, day, json.dumps(report), now.isoformat()))

    def settlement(self, kiosk_id: str, day: str) -> dict[str, Any] | None:
        rows = self._run("SELECT report FROM settlements WHERE kiosk = ? AND day = ?",
                         (kiosk_id, day))
        return json.loads(rows[0][0]) if rows else None

    # --- the 本籍地 registrations ---------------------------------------------------------------
    def registration(self, resident_id: str) -> RegistrationRecord | None:
        rows = self._run("SELECT resident_id, municipality, status, registration_id, applied_day "
                         "FROM registrations WHERE resident_id = ?", (resident_id,))
        return RegistrationRecord(*rows[0]) if rows else None

    def add_registration(self, r: RegistrationRecord) -> bool:
        """Record an application; False if the resident has one already (another kiosk's)."""
        with self._transaction() as db:
            cur = db.execute("INSERT OR IGNORE INTO registrations VALUES (?, ?, ?, ?, ?)",
                             (r.resident_id, r.municipality, r.status, r.registration_id,
                              r.applied_day))
            return cur.rowcount == 1

    def approve_registrations(self, also: list[RegistrationRecord]) -> int:
        """Every pending application becomes registered, and so do ``also`` (pending in the
        world file, not applied for here); returns how many."""
        with self._transaction() as db:
            count = db.execute("UPDATE registrations SET status = 'registered' "
                               "WHERE status = 'pending'").rowcount
            for r in also:
                count += db.execute(
                    "INSERT OR IGNORE INTO registrations VALUES (?, ?, 'registered', ?, ?)",
                    (r.resident_id, r.municipality, r.registration_id, r.applied_day)).rowcount
        return count


FINISHED = object()  # the order of this key is completed or voided: its documents are gone
