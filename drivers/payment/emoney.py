"""A simulated e-money terminal (交通系 IC, QUICPay, …): it approves, declines or times out as
configured, like a terminal whose network or card fails."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.vocabulary.reasons import PaymentError, Reason

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import EmoneyPort

log = logging.getLogger(__name__)

OUTCOMES = ("approve", "decline", "timeout")


class SimulatedEmoney:
    """The terminal's answers come from ``outcome``; ``charged`` and ``refunded`` keep count."""

    def __init__(self, outcome: str = "approve") -> None:
        if outcome not in OUTCOMES:
            raise ValueError(f"e-money outcome must be one of {', '.join(OUTCOMES)}")
        self.outcome = outcome
        self.charged = 0
        self.refunded = 0

    def charge(self, yen: int) -> int:
        """Take ``yen`` from the resident's card; PaymentError when declined or timed out."""
        if self.outcome == "decline":
            raise PaymentError("the card was declined", Reason.EMONEY_DECLINED)
        if self.outcome == "timeout":
            raise PaymentError("the terminal did not answer", Reason.EMONEY_TIMEOUT)
        self.charged += yen
        return yen

    def refund(self, yen: int) -> int:
        """Give ``yen`` back to the card the fee came from."""
        self.refunded += yen
        return yen


if TYPE_CHECKING:  # mypy holds SimulatedEmoney to EmoneyPort: a drift fails here

    def _conforms_simulated_emoney(emoney: SimulatedEmoney) -> EmoneyPort:
        return emoney
