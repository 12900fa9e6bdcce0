"""The journal's side of the cash devices (``CashLedger``): runs written ahead, the note in
escrow, and what recovery reads back (the tables are in ``cash_tables``)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NamedTuple

from kiosk.journal.opening import JournalError

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal

log = logging.getLogger(__name__)


class OpenRun(NamedTuple):
    """A run written ahead whose end the journal never saw."""

    run: int
    payout: int | None
    device: str
    before: int | None
    coin: int


class JournalCashLedger:
    """``CashLedger`` over the journal (the unit writes ahead here)."""

    def __init__(self, journal: SqliteJournal) -> None:
        self.journal = journal

    def payout_run(self, device: str, before: int | None, coins: int, coin: int) -> int:
        j = self.journal
        return j._write(
            "INSERT INTO cash_runs (payout, device, before, coins, coin, at) VALUES ((SELECT "
            "MAX(id) FROM money WHERE state = 'due'), ?, ?, ?, ?, ?)",
            (device, before, coins, coin, j._now()))

    def payout_run_done(self, run: int, paid: int) -> None:
        j = self.journal
        try:
            with j._transaction():
                j._db.execute("BEGIN")
                j._db.execute("UPDATE cash_runs SET paid = ? WHERE id = ?", (paid, run))
                j._db.execute("UPDATE hopper_levels SET coins = MAX(0, coins - ?) WHERE device = "
                              "(SELECT device FROM cash_runs WHERE id = ?)", (paid, run))
                if paid:
                    j._db.execute("UPDATE escrow SET state = 'returned' WHERE state = 'held' "
                                  "AND EXISTS (SELECT 1 FROM cash_runs WHERE id = ? AND device "
                                  "= 'bills')", (run,))
        except JournalError as exc:  # the money moved: the device tells the recovery later
            log.error("a payout run's end could not be journaled: %s", exc)

    def note_stacked(self, yen: int) -> None:
        try:
            self.journal._write("UPDATE escrow SET state = 'stacked' WHERE state = 'held'", ())
        except JournalError as exc:  # stacked: recovery finds escrow empty and says so
            log.error("a stacked ¥%d note could not be journaled as stacked: %s", yen, exc)

    def hopper_levels(self, levels: dict[str, tuple[int, int]]) -> None:
        j = self.journal
        with j._transaction():
            j._db.execute("BEGIN")
            j._db.executemany(
                "INSERT INTO hopper_levels VALUES (?, ?, ?) ON CONFLICT(device) DO UPDATE SET "
                "coins = excluded.coins, configured = excluded.configured",
                [(device, coins, configured) for device, (coins, configured)
                 in sorted(levels.items())])

    # --- for the recovery ----------------------------------------------------------------
    def known_levels(self) -> dict[str, tuple[int, int]]:
        """The hoppers' coins as the journal knows them, with the configured count they started
        from ({} before the first start)."""
        return {device: (int(coins), int(configured)) for device, coins, configured
                in self.journal._rows("SELECT device, coins, configured FROM hopper_levels")}

    def coin_counter(self) -> int | None:
        rows = self.journal._rows("SELECT counter FROM cash_counters WHERE device = 'coins'")
        return int(rows[0][0]) if rows else None

    def note_held(self) -> int:
        """The note the journal has in escrow (0: none)."""
        rows = self.journal._rows("SELECT yen FROM escrow WHERE state = 'held' ORDER BY id "
                                  "DESC LIMIT 1")
        return int(rows[0][0]) if rows else 0

    def note_could_be_stacked(self) -> bool:
        """Whether the held note's order was paid: only then can a STACK have gone."""
        rows = self.journal._rows(
            "SELECT o.state FROM escrow e JOIN orders o ON o.order_id = e.order_id WHERE "
            "e.state = 'held' ORDER BY e.id DESC LIMIT 1")
        return bool(rows) and rows[0][0] in ("paid", "completed")

    def note_given_back(self, yen: int) -> str | None:
        """The held note went back to the resident by the validator's own escrow timeout: a
        refund given, of the order it was put in for; that order (None: none)."""
        j = self.journal
        rows = j._rows("SELECT id, order_id FROM escrow WHERE state = 'held' ORDER BY id DESC "
                       "LIMIT 1")
        if not rows:
            return None
        row, order_id = rows[0]
        payout = j.payout_due(order_id, "refund", yen)
        with j._transaction():
            j._db.execute("BEGIN")
            j._db.execute("UPDATE money SET state = 'done', at = ? WHERE id = ?",
                          (j._now(), payout))
            j._db.execute("UPDATE escrow SET state = 'returned' WHERE id = ?", (row,))
        return str(order_id) if order_id is not None else None

    def open_runs(self) -> list[OpenRun]:
        return [OpenRun(*row) for row in self.journal._rows(
            "SELECT id, payout, device, before, coin FROM cash_runs WHERE paid IS NULL "
            "ORDER BY id")]

    def paid_towards(self, payout: int) -> int:
        """The yen the runs of a payout are known to have paid."""
        rows = self.journal._rows("SELECT COALESCE(SUM(paid * coin), 0) FROM cash_runs WHERE "
                                  "payout = ? AND paid IS NOT NULL", (payout,))
        return int(rows[0][0])
