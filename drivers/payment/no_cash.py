"""No cash unit: a kiosk where the fee is waived or paid by e-money only. It takes no money."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


class NoCashUnit:
    """PaymentPort of a kiosk without coins and notes."""

    def begin(self, fee: int) -> None:
        """Nothing can be inserted."""

    def end(self) -> None:
        """Nothing was accepted."""

    def keep(self) -> None:
        """Nothing is in escrow."""

    def can_change(self, fee: int) -> bool:
        return True  # no cash comes in, so none is owed back

    def accepted(self) -> tuple[int, ...]:
        return ()  # no slot: the payment screen shows no coins or notes

    def dispense(self, yen: int) -> int:
        log.error("no cash unit: ¥%d cannot be paid out (staff attention)", yen)
        return 0

    def collect(self) -> int:
        return 0

    def refill(self, counts: dict[int, int]) -> int:
        return 0

    def levels(self) -> str:
        return "no cash unit"
