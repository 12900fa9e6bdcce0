"""Recovery's part for a cash unit that counts (ID-003 and ccTalk): the devices kept running
while the kiosk was down, so they say what happened, and the journal is brought up to it.

Before the journal's rules run:
- a payout run written ahead and never closed is closed with what its device says came out
  (a hopper's event counter shows whether the run started, its status how many coins it paid;
  a note being given back is gone from escrow, or still there);
- a note the journal has in escrow and the validator still holds is held again (a refund the
  rules give back takes it first); one the validator no longer holds was stacked if its order
  was paid (a STACK goes only after that), else the validator gave it back by its own escrow
  timeout (a refund given); a note in escrow the journal never had goes back to the resident;
- coins the acceptor credited after the journal's last counter are journaled as money in for
  the visit that was paying (the rules then give them back).
After the rules: a journaled note still in escrow is the kiosk's, and is stacked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.journal.cash_ledger import JournalCashLedger
from kiosk.vocabulary.cash_ports import CountingCash

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal
    from kiosk.vocabulary.ports import PaymentPort


def devices_first(journal: SqliteJournal, payment: PaymentPort, done: list[str]
                  ) -> JournalCashLedger | None:
    """Bring the journal up to what the devices did; the ledger, or None for another unit."""
    if not isinstance(payment, CountingCash):
        return None
    ledger = JournalCashLedger(journal)
    payment.attach(ledger, ledger.known_levels())
    for run in ledger.open_runs():
        paid = payment.outcome(run.device, run.before)
        ledger.payout_run_done(run.run, paid)
        done.append(f"a payout run of the {run.device} was interrupted: {paid} came out")
    held, found = ledger.note_held(), payment.found_note()
    if held and not found and ledger.note_could_be_stacked():
        ledger.note_stacked(held)
        done.append(f"the ¥{held} note in escrow was stacked before the power went")
    elif held and not found:  # no STACK can have gone before its order was paid
        order = ledger.note_given_back(held)
        done.append(f"the ¥{held} note in escrow went back to the resident by the validator's "
                    f"own timeout: a refund given for {order or 'no order'}")
    payment.settle_found_note(journaled=bool(found) and found == held)
    if found and found != held:
        done.append(f"a ¥{found} note in escrow the journal never had: given back")
    credits = payment.credits_since(ledger.coin_counter())
    paying = [o.order_id for o in journal.open_orders() if o.state == "created"] if credits else []
    order = paying[-1] if paying else None
    for counter, yen in credits:
        journal.money_in(order, yen, "coins", counter)
        done.append(f"a ¥{yen} coin taken while the kiosk was down: journaled for "
                    f"{order or 'no order'}")
    return ledger


def paid_before(ledger: JournalCashLedger | None, row: int) -> int:
    """What the runs of an interrupted payout are known to have paid (0 for another unit)."""
    return ledger.paid_towards(row) if ledger is not None else 0


def devices_last(ledger: JournalCashLedger | None, payment: PaymentPort) -> None:
    """A journaled note the rules did not give back is the kiosk's: stacked."""
    if ledger is not None and ledger.note_held():
        payment.keep()
