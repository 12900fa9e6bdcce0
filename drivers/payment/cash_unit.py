"""A simulated coin-and-note unit, modelled on the real ones in store copiers.

Coins go into recycling tubes (they pay change later), notes into the cash box. What the unit does
not accept, or anything inserted while it is not taking money, falls straight into the change
tray. It posts MoneyInserted / MoneyRejected; it never calls the session.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kiosk.events import Event, MoneyInserted, MoneyRejected

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
        self._post = post
        self._to_tray = to_tray
        self._accepting = False
        self._lock = threading.Lock()

    # --- what a person does at the slot -------------------------------------------------
    def insert(self, yen: int) -> bool:
        """A coin or note goes into the slot; True when it was taken."""
        with self._lock:
            taken = self._accepting and yen in self.accept
            if taken:
                if yen in self.tubes:
                    self.tubes[yen] += 1
                else:
                    self.cashbox[yen] = self.cashbox.get(yen, 0) + 1
        if taken:
            self._post(MoneyInserted(yen))
        else:
            log.info("returned a ¥%d %s", yen, "it does not take" if self._accepting else "unasked")
            self._to_tray(yen)
            self._post(MoneyRejected(yen))
        return taken

    # --- PaymentPort --------------------------------------------------------------------
    def begin(self, fee: int) -> None:
        with self._lock:
            self._accepting = True

    def end(self) -> None:
        with self._lock:
            self._accepting = False

    def dispense(self, yen: int) -> int:
        """Pay ``yen`` from the tubes, largest coins first; returns what could be given."""
        given = 0
        with self._lock:
            for coin in COINS:
                while given + coin <= yen and self.tubes[coin] > 0:
                    self.tubes[coin] -= 1
                    given += coin
        if given < yen:
            log.error("change tubes short: owed ¥%d, gave ¥%d", yen, given)
        if given:
            self._to_tray(given)
        return given

    def total_held(self) -> int:
        with self._lock:
            return (sum(c * n for c, n in self.tubes.items())
                    + sum(c * n for c, n in self.cashbox.items()))
