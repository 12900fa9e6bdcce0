"""The till: the money of one visit. Every movement is journaled before it is acted on."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.center.protocol import Order
from kiosk.journal.opening import JournalError
from kiosk.session.jobs import EmoneyCharged, PaidOut
from kiosk.session.worker import Jobs
from kiosk.vocabulary.ports import EmoneyPort, Journal, PaymentPort
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)


class Till:
    """What went in, the fee kept and what was given back, for the visit in progress."""

    def __init__(self, payment: PaymentPort, emoney: EmoneyPort | None, journal: Journal,
                 jobs: Jobs) -> None:
        self.payment = payment
        self.emoney = emoney
        self.journal = journal
        self.jobs = jobs
        self.unjournaled: list[tuple[int, str, int]] = []  # counted coins whose row failed
        self.reset()

    def journal_waiting(self) -> int:
        """There is room again: the counted coins whose row failed are journaled and given
        back (no order); returns the yen of them."""
        due = 0
        while self.unjournaled:
            yen, device, counter = self.unjournaled[0]
            self.journal.money_in(None, yen, device, counter)  # JournalError: still waiting
            self.unjournaled.pop(0)
            due += yen
        if due:
            self.pay_out(None, "refund", due)
        return due

    def reset(self) -> None:
        """A new visit: nothing held."""
        self.inserted = 0
        self.paid_out = 0  # change and refunds given back
        self.refund_due = 0  # a refund being paid out (0 once the unit has given it)
        self.refunding = 0  # the refund of this visit: what is being, then was, given back
        self.refund_short = 0  # of it, what the unit could not give (staff pay it back)
        self.fee_collected = False
        self.paid_by = "cash"  # or emoney: a refund goes back the way the fee came
        self.emoney_pending = False  # the e-money terminal is charging the fee

    def refund(self, yen: int) -> None:
        """A refund of ``yen`` starts: the screen says so until the unit has given it."""
        self.refund_due = self.refunding = yen
        self.refund_short = 0

    def refund_given(self, yen: int) -> None:
        """The unit gave ``yen`` of the refund due: the screen shows what came back."""
        if self.refund_due:
            self.refund_short = max(0, self.refund_due - yen)
            self.refunding = min(self.refund_due, yen)
        self.refund_due = 0

    def money_in(self, order_id: str | None, yen: int, device: str = "",
                 counter: int | None = None) -> None:
        """Money put in: its row first. If the row cannot be written the money was never
        taken: the unit stops taking and gives it straight back (then JournalError)."""
        try:
            self.journal.money_in(order_id, yen, device, counter)
        except JournalError:
            self.payment.end()
            if counter is None:  # a note still in escrow (its row failed with it): it goes back
                self.payment.dispense(yen)
            else:  # a coin the acceptor counted: given back from a row once there is room (or
                self.unjournaled.append((yen, device, counter))  # by recovery, found by its
            raise  # counter): paying it now, unrecorded, would pay it twice
        self.inserted += yen

    def held(self, order: Order | None) -> int:
        """Money held for this resident, to give back if the order fails."""
        fee = order.fee if (order and self.fee_collected) else 0
        return self.inserted - fee - self.paid_out

    def begin(self, order: Order, cash: bool) -> Reason | None:
        """Payment starts: cash is taken towards the fee; says so if no change can be given."""
        if not cash:
            return None
        warning = None if self.payment.can_change(order.fee) else Reason.EXACT_AMOUNT_ONLY
        self.payment.begin(order.fee - self.inserted)
        return warning

    def collect_fee(self, order: Order) -> int:
        """The fee is in: journal it as paid, keep the notes in escrow; returns the change due."""
        self.payment.end()
        self.journal.order_paid(order.order_id, order.fee)
        self.payment.keep()
        self.fee_collected = True
        return self.inserted - order.fee

    def charge_emoney(self, fee: int) -> bool:
        """Ask the e-money terminal for the fee (a job); False when there is none."""
        emoney = self.emoney
        if emoney is None:
            return False
        self.payment.end()  # one way of paying at a time
        self.emoney_pending = True
        self.jobs.submit(EmoneyCharged, lambda: EmoneyCharged(emoney.charge(fee)),
                         Reason.EMONEY_TIMEOUT)
        return True

    def emoney_paid(self, order_id: str, yen: int) -> None:
        self.paid_by, self.emoney_pending = "emoney", False
        self.money_in(order_id, yen)

    def pay_out(self, order_id: str | None, kind: str, yen: int) -> bool:
        """Journal the payout as due, then let the unit give it (a job); True when it comes
        out as cash into the tray."""
        row = self.journal.payout_due(order_id, kind, yen)
        self.paid_out += yen
        to_card = kind == "refund" and self.paid_by == "emoney" and self.emoney is not None
        payer: Callable[[int], int] = (self.emoney.refund if to_card and self.emoney
                                       else self.payment.dispense)
        journal = self.journal

        def give() -> PaidOut:
            given = payer(yen)
            journal.payout_done(row, given)
            if given < yen:  # short (tubes empty, a jam): owed on a voucher, never lost
                journal.voucher(journal.payout_due(order_id, kind, yen - given), yen - given)
            return PaidOut(given)

        self.jobs.submit(PaidOut, give, Reason.CANCELLED)
        return self.paid_by == "cash"
