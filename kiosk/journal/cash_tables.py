"""The journal's record of the cash devices: so a power cut leaves every yen accounted.

- ``cash_counters``: the coin acceptor's event counter of the last coin journaled (written in the
  money row's own transaction), so coins credited while the kiosk was down are found by it.
- ``escrow``: a note journaled as money in while it waits in the validator's escrow, then
  ``stacked`` or ``returned``.
- ``cash_runs``: written ahead of each payout run (a hopper's coins, or the note in escrow given
  back) with the hopper's event counter before it, closed with what came out.
- ``hopper_levels``: the coins in each hopper, set at a refill and lessened in the commit that
  closes each run, so a kiosk started again knows them; with the configuration's count they
  started from (a count changed in the configuration is the staff setting the hopper anew).
"""

from __future__ import annotations

TABLE = """
CREATE TABLE IF NOT EXISTS cash_counters (  -- a device's last journaled event counter
    device  TEXT PRIMARY KEY,
    counter INTEGER NOT NULL CHECK (counter BETWEEN 0 AND 255)
);
CREATE TABLE IF NOT EXISTS escrow (  -- a note journaled while in the validator's escrow
    id    INTEGER PRIMARY KEY,
    order_id TEXT,  -- the order it was put in for (a STACK comes only once that is paid)
    yen   INTEGER NOT NULL CHECK (yen > 0),
    state TEXT NOT NULL CHECK (state IN ('held', 'stacked', 'returned')),
    at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS cash_runs (  -- written ahead of each payout run of a device
    id     INTEGER PRIMARY KEY,
    payout INTEGER REFERENCES money(id),  -- the payout (change or refund) it pays towards
    device TEXT NOT NULL,
    before INTEGER,  -- the hopper's event counter before the run (NULL: a note)
    coins  INTEGER NOT NULL CHECK (coins > 0),
    coin   INTEGER NOT NULL CHECK (coin > 0),
    paid   INTEGER,  -- NULL until the run has ended
    at     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hopper_levels (  -- the coins in each hopper, as the journal knows
    device     TEXT PRIMARY KEY,
    coins      INTEGER NOT NULL CHECK (coins >= 0),
    configured INTEGER NOT NULL  -- payment.change's count when they were set
);
"""


def money_in_rows(at: str, order_id: str | None, device: str, counter: int | None,
                  yen: int) -> list[tuple[str, tuple[object, ...]]]:
    """The rows that go with a money row, in its transaction: the coin's counter, the note in
    escrow."""
    if device == "coins" and counter is not None:
        return [("INSERT INTO cash_counters VALUES ('coins', ?) ON CONFLICT(device) DO UPDATE "
                 "SET counter = excluded.counter", (counter,))]
    if device == "bills":
        return [("INSERT INTO escrow (order_id, yen, state, at) VALUES (?, ?, 'held', ?)",
                 (order_id, yen, at))]
    return []
