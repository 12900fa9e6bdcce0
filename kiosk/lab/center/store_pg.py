"""The reference center's state in PostgreSQL, so that several ``kiosk center serve`` hosts
answer one fleet: the SQLite store's semantics (store.py), made atomic across hosts by the
database instead of one file's write lock.

- A challenge is taken once (``DELETE … RETURNING``), an idempotency key reserved once
  (``INSERT … ON CONFLICT DO NOTHING``: a second host's insert waits for the first's commit,
  then finds the row, so it answers PENDING, MISUSED or the cached reply as SQLite's store does),
  and an order finishes only as SQLite's does (a row lock orders a completion and a voiding).
- The tables live in the schema ``kiosk_center``, made on first use under an advisory lock, so
  that hosts starting at once do not race on ``CREATE TABLE``.
- Each worker process opens its own few connections, on demand, after the fork (one inherited
  from another process is left alone, never used or closed).
- Under gevent (gunicorn's workers) a query waits cooperatively: psycopg picks its wait
  functions when ``psycopg.waiting`` is imported, and the blocking C one unless gevent has
  patched ``select`` by then; the serving master imports psycopg before its workers patch, so
  the first store a patched process opens has psycopg pick again (``_cooperate``).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import selectors
import sys
import threading
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import psycopg
from psycopg import waiting

from kiosk import schema
from kiosk.center.protocol import Offer
from kiosk.lab.center.store import (
    DEFAULT_POSTGRES_HINT,
    DOCUMENT_SECONDS,
    FINISHED,
    MISUSED,
    PENDING,
    REPLY_SECONDS,
    OrderRecord,
    RegistrationRecord,
    SignedIn,
    StoreError,
    redact,
)

POOL_SIZE = 4  # connections per process: a few greenlets' calls at once, then they queue
WAIT_SECONDS = 10.0  # for a free connection, and for any statement (the kiosk's read timeout)
CONNECT_SECONDS = 5  # libpq's connect_timeout, unless the URI names its own
SCHEMA_LOCK = 0x6B696F736B  # the advisory lock taken while the schema is made ("kiosk")
Conn = psycopg.Connection[tuple[Any, ...]]

SCHEMA = """
CREATE SCHEMA IF NOT EXISTS kiosk_center;
CREATE TABLE IF NOT EXISTS kiosk_center.nonces (
    nonce BYTEA PRIMARY KEY, kiosk TEXT NOT NULL, expires TIMESTAMPTZ NOT NULL);
CREATE INDEX IF NOT EXISTS nonces_expires ON kiosk_center.nonces(expires);
CREATE TABLE IF NOT EXISTS kiosk_center.signins (
    token TEXT PRIMARY KEY, kiosk TEXT NOT NULL, resident TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL, offers TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS kiosk_center.orders (
    order_id TEXT PRIMARY KEY, kiosk TEXT NOT NULL, municipality TEXT NOT NULL,
    certificate TEXT NOT NULL, copies INTEGER NOT NULL, fee INTEGER NOT NULL, day TEXT NOT NULL,
    state TEXT NOT NULL, printed INTEGER NOT NULL DEFAULT 0, documents TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_kiosk_day ON kiosk_center.orders(kiosk, day, state);
CREATE TABLE IF NOT EXISTS kiosk_center.idempotency (
    kiosk TEXT NOT NULL, key TEXT NOT NULL, call TEXT NOT NULL, digest TEXT NOT NULL,
    reply BYTEA, order_id TEXT, at DOUBLE PRECISION NOT NULL, PRIMARY KEY (kiosk, key));
CREATE INDEX IF NOT EXISTS idempotency_order ON kiosk_center.idempotency(order_id);
CREATE INDEX IF NOT EXISTS idempotency_at ON kiosk_center.idempotency(at);
CREATE TABLE IF NOT EXISTS kiosk_center.faults (
    kiosk TEXT PRIMARY KEY, mode TEXT NOT NULL, remaining INTEGER);
CREATE TABLE IF NOT EXISTS kiosk_center.settlements (
    kiosk TEXT NOT NULL, day TEXT NOT NULL, report TEXT NOT NULL, at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (kiosk, day));
CREATE TABLE IF NOT EXISTS kiosk_center.registrations (
    resident_id TEXT PRIMARY KEY, municipality TEXT NOT NULL, status TEXT NOT NULL,
    registration_id TEXT NOT NULL, applied_day TEXT NOT NULL);
"""
SESSION = (f"SET search_path TO kiosk_center; SET TimeZone TO 'UTC'; "
           f"SET statement_timeout TO {int(WAIT_SECONDS * 1000)}")
# One statement, one round trip: replies past REPLY_SECONDS go, and the documents of orders
# past DOCUMENT_SECONDS (two disjoint sets of rows, as a statement must modify a row once).
SWEEP = """
WITH old AS (
    SELECT kiosk, key, at < %(reply)s AS gone FROM idempotency
    WHERE at < %(document)s AND (at < %(reply)s OR (order_id IS NOT NULL AND reply IS NOT NULL))
    FOR UPDATE SKIP LOCKED),
gone AS (
    DELETE FROM idempotency i USING old WHERE old.gone AND (i.kiosk, i.key) = (old.kiosk, old.key))
UPDATE idempotency i SET reply = NULL FROM old
WHERE NOT old.gone AND (i.kiosk, i.key) = (old.kiosk, old.key)
"""
ORDER_COLUMNS = ("order_id, kiosk, municipality, certificate, copies, fee, day, state, printed, "
                 "documents")


def _cooperate() -> None:
    """Have psycopg pick its wait functions again if gevent patched ``select`` after psycopg
    was imported (it would otherwise block the whole worker on every query)."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is None or not monkey.is_module_patched("select"):
        return
    if waiting.wait is getattr(waiting, "wait_c", None) or (
            waiting.DefaultSelector is not selectors.DefaultSelector):
        importlib.reload(waiting)


def _order(row: tuple[Any, ...]) -> OrderRecord:
    return OrderRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                       document_ids=tuple(json.loads(row[9])))


class PgStore:
    """CenterStore's semantics in PostgreSQL; thread- and greenlet-safe within a process."""

    def __init__(self, uri: str, size: int = POOL_SIZE) -> None:
        self.where = redact(uri)
        try:
            params = psycopg.conninfo.conninfo_to_dict(uri)
        except psycopg.Error:
            raise StoreError(f"--store {self.where}: not a PostgreSQL URI "
                             f"({DEFAULT_POSTGRES_HINT})") from None
        self._uri = uri
        self._extra: dict[str, Any] = ({} if "connect_timeout" in params
                                       else {"connect_timeout": CONNECT_SECONDS})
        self._size = size
        self._pid = os.getpid()
        self._slots = threading.BoundedSemaphore(size)
        self._idle: list[Conn] = []
        _cooperate()
        try:  # now: a database that cannot be used is one message, before the center serves
            with self._connection() as db, db.transaction():
                db.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
                db.execute(SCHEMA)
        except psycopg.Error as exc:
            raise StoreError(f"--store {self.where}: cannot make the center's tables: "
                             f"{str(exc).strip().splitlines()[0]}") from None

    # --- connections -----------------------------------------------------------------------
    def _connect(self) -> Conn:
        db: Conn | None = None
        try:
            db = psycopg.connect(self._uri, autocommit=True, **self._extra)
            db.execute(SESSION)
            return db
        except psycopg.Error as exc:
            if db is not None:
                db.close()
            raise StoreError(f"--store {self.where}: cannot connect: "
                             f"{str(exc).strip().splitlines()[0]}") from None

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Conn]:
        """A connection of this process's, returned to the idle ones unless it broke."""
        if self._pid != os.getpid():  # forked: the parent's connections are not ours
            self._pid = os.getpid()
            self._slots = threading.BoundedSemaphore(self._size)
            self._idle = []
        slots = self._slots
        if not slots.acquire(timeout=WAIT_SECONDS):
            raise StoreError(f"--store {self.where}: no connection free in {WAIT_SECONDS:.0f} s")
        try:
            db = self._idle.pop() if self._idle else self._connect()
            try:
                yield db
            finally:
                if db.broken or db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                    db.close()
                else:
                    self._idle.append(db)
        finally:
            slots.release()

    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """One statement in its own transaction; its rows, if it has any."""
        with self._connection() as db:
            cur = db.execute(sql, args)
            return cur.fetchall() if cur.description else []

    def close(self) -> None:
        """Close this process's idle connections."""
        if self._pid == os.getpid():
            while self._idle:
                self._idle.pop().close()

    # --- challenges ------------------------------------------------------------------------
    def add_nonce(self, nonce: bytes, kiosk_id: str, expires: datetime, now: datetime) -> None:
        self._run("WITH swept AS (DELETE FROM nonces WHERE expires < %s) "
                  "INSERT INTO nonces VALUES (%s, %s, %s)", (now, nonce, kiosk_id, expires))

    def take_nonce(self, nonce: bytes) -> tuple[str, datetime] | None:
        """The nonce's kiosk and expiry, removing it: a challenge is answered once."""
        rows = self._run("DELETE FROM nonces WHERE nonce = %s RETURNING kiosk, expires",
                         (nonce,))
        return (rows[0][0], rows[0][1]) if rows else None

    # --- sign-ins --------------------------------------------------------------------------
    def add_signin(self, token: str, signed: SignedIn) -> None:
        offers = json.dumps(schema.dump(signed.offers), ensure_ascii=False)
        self._run("INSERT INTO signins VALUES (%s, %s, %s, %s, %s)",
                  (token, signed.kiosk_id, signed.resident_id, signed.expires, offers))

    def signin(self, token: str) -> SignedIn | None:
        rows = self._run("SELECT kiosk, resident, expires, offers FROM signins "
                         "WHERE token = %s", (token,))
        if not rows:
            return None
        kiosk, resident, expires, offers = rows[0]
        return SignedIn(kiosk, resident, expires, schema.load(list[Offer], json.loads(offers)))

    # --- orders ----------------------------------------------------------------------------
    def add_order(self, o: OrderRecord) -> None:
        self._run("INSERT INTO orders VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                  (o.order_id, o.kiosk_id, o.municipality, o.certificate, o.copies, o.fee, o.day,
                   o.state, o.printed, json.dumps(list(o.document_ids))))

    def order(self, order_id: str) -> OrderRecord | None:
        rows = self._run(f"SELECT {ORDER_COLUMNS} FROM orders WHERE order_id = %s", (order_id,))
        return _order(rows[0]) if rows else None

    def finish_order(self, order_id: str, state: str, printed: int, refuse: str) -> str | None:
        """Move an order to ``state`` unless it is in ``refuse``; its state after, or None. A
        concurrent finish of the same order waits for this one's row lock, then sees its state."""
        with self._connection() as db, db.transaction():
            db.execute("UPDATE orders SET state = %s, printed = %s WHERE order_id = %s "
                       "AND state != %s", (state, printed, order_id, refuse))
            row = db.execute("SELECT state FROM orders WHERE order_id = %s",
                             (order_id,)).fetchone()
            # The documents are not needed again: a finished order's cached reply shrinks.
            db.execute("UPDATE idempotency SET reply = NULL WHERE order_id = %s "
                       "AND reply IS NOT NULL", (order_id,))
        return str(row[0]) if row else None

    def orders_of(self, kiosk_id: str, day: str, state: str) -> list[OrderRecord]:
        rows = self._run(f"SELECT {ORDER_COLUMNS} FROM orders WHERE kiosk = %s AND day = %s "
                         "AND state = %s", (kiosk_id, day, state))
        return [_order(row) for row in rows]

    def count_orders(self) -> int:
        return int(self._run("SELECT COUNT(*) FROM orders")[0][0])

    # --- idempotency -----------------------------------------------------------------------
    def reserve(self, kiosk_id: str, key: str, call: str, digest: str,
                now: datetime) -> bytes | object | None:
        """As CenterStore.reserve: None (this request makes the reply), the reply made before,
        PENDING, FINISHED or MISUSED; old replies and documents are swept first (rows another
        transaction holds are left to the next request)."""
        at = now.timestamp()
        with self._connection() as db:
            db.execute(SWEEP, {"reply": at - REPLY_SECONDS, "document": at - DOCUMENT_SECONDS})
            for _ in range(3):  # the row found in conflict may be gone (released) by the SELECT
                cur = db.execute("INSERT INTO idempotency (kiosk, key, call, digest, at) "
                                 "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (kiosk, key) "
                                 "DO NOTHING", (kiosk_id, key, call, digest, at))
                if cur.rowcount == 1:
                    return None
                row = db.execute("SELECT call, digest, reply, order_id FROM idempotency "
                                 "WHERE kiosk = %s AND key = %s", (kiosk_id, key)).fetchone()
                if row is not None:
                    break
            else:
                return PENDING  # another request keeps taking and releasing it: retry later
        if (row[0], row[1]) != (call, digest):
            return MISUSED
        if row[2] is not None:
            return bytes(row[2])
        return FINISHED if row[3] is not None else PENDING

    def keep_reply(self, kiosk_id: str, key: str, reply: bytes, order_id: str | None) -> None:
        self._run("UPDATE idempotency SET reply = %s, order_id = %s WHERE kiosk = %s "
                  "AND key = %s", (reply, order_id, kiosk_id, key))

    def release(self, kiosk_id: str, key: str) -> None:
        """Forget a reservation whose request failed before it had a reply."""
        self._run("DELETE FROM idempotency WHERE kiosk = %s AND key = %s AND reply IS NULL "
                  "AND order_id IS NULL", (kiosk_id, key))

    # --- the lab's faults -------------------------------------------------------------------
    def set_fault(self, kiosk_id: str, mode: str | None, times: int = 0) -> None:
        """``mode`` for this kiosk's next ``times`` calls (0: until changed); None clears."""
        if mode is None:
            self._run("DELETE FROM faults WHERE kiosk = %s", (kiosk_id,))
            return
        self._run("INSERT INTO faults VALUES (%s, %s, %s) ON CONFLICT (kiosk) DO UPDATE "
                  "SET mode = EXCLUDED.mode, remaining = EXCLUDED.remaining",
                  (kiosk_id, mode, times or None))

    def take_fault(self, kiosk_id: str) -> str | None:
        """The fault for this call of the kiosk's, counting it down (one call per count, on
        whichever host it comes)."""
        if not self._run("SELECT 1 FROM faults WHERE kiosk = %s", (kiosk_id,)):
            return None  # the common case: no fault, and no row lock taken for it
        with self._connection() as db, db.transaction():
            row = db.execute("SELECT mode, remaining FROM faults WHERE kiosk = %s FOR UPDATE",
                             (kiosk_id,)).fetchone()
            if row is None:
                return None
            if row[1] is not None:
                if row[1] <= 1:
                    db.execute("DELETE FROM faults WHERE kiosk = %s", (kiosk_id,))
                else:
                    db.execute("UPDATE faults SET remaining = remaining - 1 WHERE kiosk = %s",
                               (kiosk_id,))
            return str(row[0])

    # --- settlement ------------------------------------------------------------------------
    def add_settlement(self, kiosk_id: str, day: str, report: dict[str, Any],
                       now: datetime) -> None:
        self._run("INSERT INTO settlements VALUES (%s, %s, %s, %s) ON CONFLICT (kiosk, day) "
                  "DO UPDATE SET report = EXCLUDED.report, at = EXCLUDED.at",
                  (kiosk_id, day, json.dumps(report), now))

    def settlement(self, kiosk_id: str, day: str) -> dict[str, Any] | None:
        rows = self._run("SELECT report FROM settlements WHERE kiosk = %s AND day = %s",
                         (kiosk_id, day))
        return dict(json.loads(rows[0][0])) if rows else None

    # --- the 本籍地 registrations ---------------------------------------------------------------
    def registration(self, resident_id: str) -> RegistrationRecord | None:
        rows = self._run("SELECT resident_id, municipality, status, registration_id, "
                         "applied_day FROM registrations WHERE resident_id = %s", (resident_id,))
        return RegistrationRecord(*rows[0]) if rows else None

    def add_registration(self, r: RegistrationRecord) -> bool:
        """Record an application; False if the resident has one already (another kiosk's)."""
        with self._connection() as db:
            cur = db.execute("INSERT INTO registrations VALUES (%s, %s, %s, %s, %s) "
                             "ON CONFLICT (resident_id) DO NOTHING",
                             (r.resident_id, r.municipality, r.status, r.registration_id,
                              r.applied_day))
            return cur.rowcount == 1

    def approve_registrations(self, also: list[RegistrationRecord]) -> int:
        """Every pending application becomes registered, and so do ``also`` (pending in the
        world file, not applied for here); returns how many."""
        with self._connection() as db, db.transaction():
            count = db.execute("UPDATE registrations SET status = 'registered' "
                               "WHERE status = 'pending'").rowcount
            for r in also:
                count += db.execute(
                    "INSERT INTO registrations VALUES (%s, %s, 'registered', %s, %s) "
                    "ON CONFLICT (resident_id) DO NOTHING",
                    (r.resident_id, r.municipality, r.registration_id, r.applied_day)).rowcount
        return count
