"""Recovery on start: whatever a power cut interrupted is finished by written rules.

The rules, per order the journal holds neither completed nor voided:

1. A payout (change or refund) journaled as due but not seen given: what a counting unit's
   devices say came out (``cash_recovery``) is done; the rest, or all of it when the unit
   cannot tell, is owed on a refund voucher that the staff pay (never paid twice, never lost).
2. A document that was printing: if the printer can show it came out, it is printed; otherwise
   it did not (the resident is not charged for paper they may not have).
3. Not paid (money was still going in): the order is voided and everything put in is given back.
4. Paid, every copy printed: the order is completed (it was only not yet confirmed).
5. Paid, some copies printed: completed with those copies; the fee of the rest is given back.
6. Paid, nothing printed: voided, and the fee and everything else held is given back.
7. A finished order (completed or voided) that still holds money — the power went between the
   order's end and its payout — gives it back.
8. Money put in with no order at all is given back.

Money given back is dispensed by the cash unit; what it cannot give goes on a voucher. The center
is told of each completion and void; if it cannot be reached the journal still has it (the
settlement reconciles). Nothing is charged twice, and no order ends both printed and voided.
"""

from __future__ import annotations

import logging
from typing import Protocol

from kiosk.journal.cash_recovery import devices_first, devices_last, paid_before
from kiosk.journal.store import SqliteJournal
from kiosk.journal.tickets import at_the_counter
from kiosk.vocabulary.ports import CenterPort, PaymentPort
from kiosk.vocabulary.reasons import KioskError

log = logging.getLogger(__name__)


class PrinterRecord(Protocol):
    def came_out(self, name: str) -> int | None:
        """Pages of the document ``name`` known to have printed, or None if unknown."""


def recover(journal: SqliteJournal, payment: PaymentPort, printer: PrinterRecord,
            center: CenterPort | None) -> list[str]:
    """Apply the rules; returns what was done, one line each (no personal data)."""
    done: list[str] = []
    ledger = devices_first(journal, payment, done)  # what the cash devices did meanwhile
    if journal.created:  # made just now: no step of it was ever interrupted
        return done
    for row, order_id, kind, yen in journal.payouts_due():
        given = min(paid_before(ledger, row), yen)
        if given:  # the devices say what came out: only the rest is owed
            _paid_out(journal, row, order_id, kind, yen, given)
        else:
            journal.voucher(row, yen)
        done.append(f"{kind} of ¥{yen} for {order_id or 'no order'} interrupted: "
                    f"¥{given} came out, ¥{yen - given} on a voucher")
    counter = at_the_counter(journal)  # a counter kiosk's tickets wait for the clerk
    for order in journal.open_orders():
        if order.order_id in counter:
            continue
        printed = 0
        for document_id, state, _pages in journal.documents_of(order.order_id):
            if state == "printing":
                came = printer.came_out(f"{order.order_id}-{document_id}")
                if came:
                    journal.printed(document_id, came)
                    state = "printed"
                else:
                    journal.print_failed(document_id, 0)
                    done.append(f"document {document_id} was printing: counted as not printed")
            printed += state == "printed"
        if order.state == "paid" and printed == order.copies:
            journal.order_completed(order.order_id, printed)
            _tell(center, "complete", order.order_id, printed)
            done.append(f"order {order.order_id}: printed, confirmed")
        elif order.state == "paid" and printed > 0:
            journal.order_completed(order.order_id, printed)
            _tell(center, "complete", order.order_id, printed)
            done.append(f"order {order.order_id}: {printed} of {order.copies} copies printed")
        else:
            journal.order_voided(order.order_id, "power cut")
            _tell(center, "cancel", order.order_id, 0)
            done.append(f"order {order.order_id}: voided")
        _give_back(journal, payment, order.order_id, done)
    for order_id in journal.finished_holding_money():
        _give_back(journal, payment, order_id, done)
    _give_back(journal, payment, None, done)
    devices_last(ledger, payment)
    for line in done:
        log.warning("recovery: %s", line)
    return done


def _give_back(journal: SqliteJournal, payment: PaymentPort, order_id: str | None,
               done: list[str]) -> None:
    held = journal.held(order_id)
    if held <= 0:
        return
    row = journal.payout_due(order_id, "refund", held)
    given = payment.dispense(held)
    _paid_out(journal, row, order_id, "refund", held, given)
    done.append(f"¥{held} given back for {order_id or 'no order'}"
                + (f" (¥{held - given} on a voucher)" if given < held else ""))


def _paid_out(journal: SqliteJournal, row: int, order_id: str | None, kind: str, owed: int,
              given: int) -> None:
    """A payout of ``owed`` ended with ``given`` out: done for that, the rest on a voucher."""
    journal.payout_done(row, given)
    if given < owed:
        journal.voucher(journal.payout_due(order_id, kind, owed - given), owed - given)


def _tell(center: CenterPort | None, what: str, order_id: str, printed: int) -> None:
    if center is None:
        return
    try:
        if what == "complete":
            center.complete(order_id, printed)
        else:
            center.cancel(order_id)
    except KioskError as exc:
        log.warning("recovery: the center was not told (%s) of %s: %s", what, order_id,
                    exc.reason)
