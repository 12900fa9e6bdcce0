"""A simulated coin-and-note unit, modelled on the real ones in store copiers.

Coins go into recycling tubes (they pay change later), notes into the cash box. What the unit does
not accept, or anything inserted while it is not taking money, falls straight into the change
tray. It posts MoneyInserted / MoneyRejected; it never calls the session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.vocabulary.events import Event, MoneyInserted, MoneyRejected

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import PaymentPort

log = logging.getLogger(__name__)

COINS = (500, 100, 50, 10)
NOTES = (1000, 5000, 10000)


class SimulatedCashUnit:
    """PaymentPort for the demo, the harness and tests."""

    def __init__(self, accept: list[int], tubes: dict[int, int], post: Callable[[Event], None],
                 to_tray: Callable[[int], None]) -> None:
        self.accept = sorted(accept)
        self.tubes = {coin: tubes.get(coin, 0) for coin in COINS}
        self.cashbox: dict[int, int] = {}
        self.escrow: list[int] = []  # notes held until the payment completes
        self._due = 0  # what this payment still needs
        self._exact = False  # change is low: take nothing that needs change it cannot give
        self._post = post
        self._to_tray = to_tray
        self._accepting = False
        self._lock = threading.Lock()

    # --- what a person does at the slot -------------------------------------------------
    def insert(self, yen: int) -> bool:
        """A coin or note goes into the slot; True when it was taken."""
        with self._lock:
            taken = self._accepting and yen in self.accept
            over = yen - self._due
            if taken and self._exact and over > 0 and not self._makes(over, yen):
                taken = False  # exact amount only: this would need change it cannot give
            if taken:
                self._due = max(0, self._due - yen)
                if yen in self.tubes:
                    self.tubes[yen] += 1
                else:
                    self.escrow.append(yen)
        if taken:
            self._post(MoneyInserted(yen))
        else:
            log.info("returned a ¥%d %s", yen, "it does not take" if self._accepting else "unasked")
            self._to_tray(yen)
            self._post(MoneyRejected(yen))
        return taken

    # --- PaymentPort --------------------------------------------------------------------
    def accepted(self) -> tuple[int, ...]:
        """The coins and notes the slot takes, smallest first (what the payment screen shows)."""
        return tuple(self.accept)

    def can_change(self, fee: int) -> bool:
        """Whether the change for paying ``fee`` with the biggest coin or note it takes can be
        given; if not, the kiosk announces "exact amount only" before payment."""
        with self._lock:
            biggest = max(self.accept)
            return self._makes(-fee % biggest)

    def _makes(self, yen: int, arriving: int = 0) -> bool:
        """Whether the tubes (with the coin arriving) can pay exactly ``yen``."""
        tubes = dict(self.tubes)
        if arriving in tubes:
            tubes[arriving] += 1
        for coin in COINS:
            use = min(tubes[coin], yen // coin)
            yen -= use * coin
        return yen == 0

    def begin(self, fee: int) -> None:
        with self._lock:
            self._accepting = True
            self._due = fee
        self._exact = not self.can_change(fee)

    def end(self) -> None:
        with self._lock:
            self._accepting = False
            self._exact = False

    def keep(self) -> None:
        """The payment is complete: the notes in escrow go into the cash box."""
        with self._lock:
            for note in self.escrow:
                self.cashbox[note] = self.cashbox.get(note, 0) + 1
            self.escrow.clear()

    def dispense(self, yen: int) -> int:
        """Give ``yen`` back: notes still in escrow first (the resident's own), then coins
        from the tubes, largest first; returns what could be given."""
        given = 0
        with self._lock:
            for note in sorted(self.escrow, reverse=True):
                if given + note <= yen:
                    self.escrow.remove(note)
                    given += note
            for coin in COINS:
                while given + coin <= yen and self.tubes[coin] > 0:
                    self.tubes[coin] -= 1
                    given += coin
        if given < yen:
            log.error("change tubes short: owed ¥%d, gave ¥%d", yen, given)
        if given:
            self._to_tray(given)
        return given

    def collect(self) -> int:
        """The operator empties the cash box (notes); returns the yen taken out."""
        with self._lock:
            taken = sum(c * n for c, n in self.cashbox.items())
            self.cashbox.clear()
        return taken

    def refill(self, counts: dict[int, int]) -> int:
        """The operator fills the change tubes up to ``counts``; returns the yen put in."""
        added = 0
        with self._lock:
            for coin, want in counts.items():
                if coin in self.tubes and self.tubes[coin] < want:
                    added += (want - self.tubes[coin]) * coin
                    self.tubes[coin] = want
        return added

    def levels(self) -> str:
        """Tubes and cash box, for the operator."""
        with self._lock:
            tubes = " ".join(f"¥{c}×{n}" for c, n in self.tubes.items())
            box = sum(c * n for c, n in self.cashbox.items())
        return f"change tubes {tubes}; cash box ¥{box:,}"

    def total_held(self) -> int:
        with self._lock:
            return (sum(c * n for c, n in self.tubes.items())
                    + sum(c * n for c, n in self.cashbox.items()) + sum(self.escrow))


if TYPE_CHECKING:  # mypy holds SimulatedCashUnit to PaymentPort: a drift fails here

    def _conforms_simulated_cash_unit(unit: SimulatedCashUnit) -> PaymentPort:
        return unit
