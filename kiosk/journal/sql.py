"""The journal's tables, and the queries too long to read inline."""

from kiosk.journal import cash_tables, forms, practice_log, staff_calls

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id     TEXT PRIMARY KEY,
    municipality TEXT NOT NULL,
    certificate  TEXT NOT NULL,
    copies       INTEGER NOT NULL CHECK (copies > 0),
    fee          INTEGER NOT NULL CHECK (fee >= 0),
    state        TEXT NOT NULL CHECK (state IN ('created', 'paid', 'completed', 'voided')),
    printed      INTEGER NOT NULL DEFAULT 0,  -- copies handed over when completed
    reason       TEXT,
    created      TEXT NOT NULL,
    updated      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS money (
    id        INTEGER PRIMARY KEY,
    order_id  TEXT,
    kind      TEXT NOT NULL CHECK (kind IN ('in', 'fee', 'change', 'refund')),
    yen       INTEGER NOT NULL CHECK (yen >= 0),
    state     TEXT NOT NULL CHECK (state IN ('due', 'done', 'voucher')),
    at        TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS operator_log (
    id      INTEGER PRIMARY KEY,
    action  TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS registrations (  -- applications the center accepted (no one's data)
    registration_id TEXT PRIMARY KEY,
    municipality    TEXT NOT NULL,
    at              TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    document_id TEXT PRIMARY KEY,
    order_id    TEXT NOT NULL REFERENCES orders(order_id),
    state       TEXT NOT NULL CHECK (state IN ('printing', 'printed', 'failed')),
    pages       INTEGER NOT NULL DEFAULT 0,
    at          TEXT NOT NULL
);
"""

SCHEMA += staff_calls.TABLE + practice_log.TABLE  # the town hall's: no money, no one's data
SCHEMA += forms.TABLE  # pre-filled forms printed, by kind
SCHEMA += cash_tables.TABLE  # the cash devices' counters, escrow and payout runs

# Completed or voided orders whose money in exceeds what was given back and kept (as held()):
# one query, however long the journal.
HOLDING_MONEY = """
SELECT o.order_id FROM orders o JOIN (
    SELECT order_id, SUM(CASE kind WHEN 'in' THEN yen WHEN 'change' THEN -yen
                                   WHEN 'refund' THEN -yen ELSE 0 END) AS net
    FROM money WHERE order_id IS NOT NULL GROUP BY order_id) m ON m.order_id = o.order_id
WHERE o.state IN ('completed', 'voided')
  AND m.net - (CASE WHEN o.state = 'completed' THEN o.fee * o.printed / o.copies ELSE 0 END) > 0
ORDER BY o.created
"""
