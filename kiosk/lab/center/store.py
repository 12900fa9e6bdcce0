"""The reference center's state in SQLite, so that every process serving it sees the same
challenges, sign-ins, orders, idempotent replies and settlements (``:memory:`` in-process).
``Store`` is what the center needs of a store; ``open_store`` opens one by its URI, this one or
PostgreSQL's (store_pg.py, for a center served by several hosts).

A cached reply is kept for retries only: an order's (its documents, the resident's data) until
the order is completed or voided and at most DOCUMENT_SECONDS, every reply at most
REPLY_SECONDS, both on the center's clock; each request sweeps out what is older.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

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
DROP TABLE IF EXISTS replies;
CREATE TABLE IF NOT EXISTS idempotency (
    kiosk TEXT NOT NULL, key TEXT NOT NULL, call TEXT NOT NULL, digest TEXT NOT NULL,
    reply BLOB, order_id TEXT, at REAL NOT NULL, PRIMARY KEY (kiosk, key));
CREATE INDEX IF NOT EXISTS idempotency_order ON idempotency(order_id);
CREATE INDEX IF NOT EXISTS idempotency_at ON idempotency(at);
CREATE TABLE IF NOT EXISTS faults (
    kiosk TEXT PRIMARY KEY, mode TEXT NOT NULL, remaining INTEGER);
CREATE TABLE IF NOT EXISTS settlements (
    kiosk TEXT NOT NULL, day TEXT NOT NULL, report TEXT NOT NULL, at TEXT NOT NULL,
    PRIMARY KEY (kiosk, day));
CREATE TABLE IF NOT EXISTS registrations (
    resident_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, status TEXT NOT NULL,
    registration_id TEXT NOT NULL, applied_day TEXT NOT NULL);
"""

DEFAULT_POSTGRES_HINT = "postgresql://USER@HOST:PORT/DBNAME"


class StoreError(Exception):
    """A store that cannot be opened or used: one line, naming the store, never a password."""


PENDING = object()  # a reply is being made for this key by another request
MISUSED = object()  # the key was used for another call or body of this kiosk's
REPLY_SECONDS = 24 * 3600  # a cached reply is kept for retries this long (the center's clock)
DOCUMENT_SECONDS = 3600  # and an order's documents, if it is never completed or voided


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


class Store(Protocol):
    """The center's state: what ReferenceCenter asks of a store (CenterStore, PgStore)."""

    def add_nonce(self, nonce: bytes, kiosk_id: str, expires: datetime,
                  now: datetime) -> None: ...
    def take_nonce(self, nonce: bytes) -> tuple[str, datetime] | None: ...
    def add_signin(self, token: str, signed: SignedIn) -> None: ...
    def signin(self, token: str) -> SignedIn | None: ...
    def add_order(self, o: OrderRecord) -> None: ...
    def order(self, order_id: str) -> OrderRecord | None: ...
    def finish_order(self, order_id: str, state: str, printed: int,
                     refuse: str) -> str | None: ...
    def orders_of(self, kiosk_id: str, day: str, state: str) -> list[OrderRecord]: ...
    def count_orders(self) -> int: ...
    def reserve(self, kiosk_id: str, key: str, call: str, digest: str,
                now: datetime) -> bytes | object | None: ...
    def keep_reply(self, kiosk_id: str, key: str, reply: bytes,
                   order_id: str | None) -> None: ...
    def release(self, kiosk_id: str, key: str) -> None: ...
    def close(self) -> None: ...
    def set_fault(self, kiosk_id: str, mode: str | None, times: int = 0) -> None: ...
    def take_fault(self, kiosk_id: str) -> str | None: ...
    def add_settlement(self, kiosk_id: str, day: str, report: dict[str, Any],
                       now: datetime) -> None: ...
    def settlement(self, kiosk_id: str, day: str) -> dict[str, Any] | None: ...
    def registration(self, resident_id: str) -> RegistrationRecord | None: ...
    def add_registration(self, r: RegistrationRecord) -> bool: ...
    def approve_registrations(self, also: list[RegistrationRecord]) -> int: ...


def redact(uri: str) -> str:
    """The URI without its password (``postgresql://user:***@host/db``)."""
    uri = re.sub(r"(://[^/@:]*:)[^/@]*@", r"\1***@", uri)
    return re.sub(r"(?i)(password=)[^&\s]*", r"\1***", uri)


def open_store(uri: str | None, default: str | Path = ":memory:") -> Store:
    """The store a URI names: ``sqlite:PATH``, ``postgresql://…`` (or ``postgres://``); None or
    "" is SQLite at ``default``. StoreError (one line) for any other URI or a store that does
    not open."""
    if not uri:
        return _sqlite(default)
    if uri.startswith("sqlite:"):
        path = uri.removeprefix("sqlite:")
        if not path:
            raise StoreError("--store sqlite:PATH needs a PATH (or sqlite::memory:)")
        return _sqlite(path)
    if uri.startswith(("postgresql://", "postgres://")):
        from kiosk.lab.center.store_pg import PgStore  # psycopg only for a center that uses it

        return PgStore(uri)
    scheme = uri.partition(":")[0][:20]
    raise StoreError(f"--store: {scheme!r} is not a store: use sqlite:PATH or "
                     f"{DEFAULT_POSTGRES_HINT}")


def _sqlite(path: str | Path) -> CenterStore:
    try:
        return CenterStore(path)
    except sqlite3.Error as exc:
        raise StoreError(f"{path}: cannot be used: {exc}") from None


@functools.lru_cache(maxsize=1)
def _empty_tables() -> sqlite3.Connection:
    """An in-memory database with the schema and nothing else, to copy from."""
    db = sqlite3.connect(":memory:", check_same_thread=False)
    db.executescript(SCHEMA)
    return db


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
        else:  # a fresh in-process center (each replayed session has one): the empty tables
            _empty_tables().backup(self._db)  # copied page by page, not made statement by one

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
            db.execute("UPDATE idempotency SET reply = NULL WHERE order_id = ? "
                       "AND reply IS NOT NULL", (order_id,))
        return row[0] if row else None

    def orders_of(self, kiosk_id: str, day: str, state: str) -> list[OrderRecord]:
        rows = self._run("SELECT order_id FROM orders WHERE kiosk = ? AND day = ? AND state = ?",
                         (kiosk_id, day, state))
        return [o for (order_id,) in rows if (o := self.order(order_id)) is not None]

    def count_orders(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM orders")[0][0])

    # --- idempotency -----------------------------------------------------------------------
    def reserve(self, kiosk_id: str, key: str, call: str, digest: str,
                 now: datetime) -> bytes | object | None:
        """None: this request makes the reply. Bytes: the reply made before. PENDING: another
        request with the key is still at work (the kiosk retries later). FINISHED: the key's
        order is finished or its documents expired. MISUSED: the key is another request's.

        Replies older than REPLY_SECONDS go first, and documents older than DOCUMENT_SECONDS."""
        at = now.timestamp()
        with self._transaction() as db:
            db.execute("DELETE FROM idempotency WHERE at < ?", (at - REPLY_SECONDS,))
            db.execute("UPDATE idempotency SET reply = NULL WHERE at < ? "
                       "AND order_id IS NOT NULL AND reply IS NOT NULL",
                       (at - DOCUMENT_SECONDS,))
            cur = db.execute("INSERT OR IGNORE INTO idempotency (kiosk, key, call, digest, at) "
                             "VALUES (?, ?, ?, ?, ?)", (kiosk_id, key, call, digest, at))
            if cur.rowcount == 1:
                return None
            row = db.execute("SELECT call, digest, reply, order_id FROM idempotency "
                             "WHERE kiosk = ? AND key = ?", (kiosk_id, key)).fetchone()
        if (row[0], row[1]) != (call, digest):
            return MISUSED
        if row[2] is not None:
            return bytes(row[2])
        return FINISHED if row[3] is not None else PENDING

    def keep_reply(self, kiosk_id: str, key: str, reply: bytes, order_id: str | None) -> None:
        self._run("UPDATE idempotency SET reply = ?, order_id = ? WHERE kiosk = ? AND key = ?",
                  (reply, order_id, kiosk_id, key))

    def release(self, kiosk_id: str, key: str) -> None:
        """Forget a reservation whose request failed before it had a reply."""
        self._run("DELETE FROM idempotency WHERE kiosk = ? AND key = ? AND reply IS NULL "
                  "AND order_id IS NULL", (kiosk_id, key))

    def close(self) -> None:
        """Close the connection (a store opened only to check that it opens)."""
        with self._lock:
            self._db.close()

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


FINISHED = object()  # the order of this key is finished or too old: its documents are gone
