"""Orders, money and printing: the part of a visit every paid service shares.

An order a service made is journaled, paid for (cash or e-money, change given), printed
document by document and completed at the center; whatever goes wrong, every yen held goes back.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from kiosk.center.protocol import Order
from kiosk.session import jobs
from kiosk.session.base import SessionBase
from kiosk.session.printing import PrintRun
from kiosk.session.visit import OrderLine
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import DocumentRejected, Reason

log = logging.getLogger(__name__)


class PayingRules(SessionBase):
    """Orders, money and printing (a part of ``Session``)."""

    # ------------------------------------------------------------------ orders
    def order_ready(self, order: Order, line: OrderLine) -> None:
        if "free" in self.config.payment.methods:
            order = replace(order, fee=0)  # the town waives the fee at this kiosk
        v = self.visit
        v.order, v.line, v.printing = order, line, PrintRun(order)
        self.ports.journal.order_created(order.order_id, line.municipality, line.certificate,
                                         line.copies, order.fee)
        if v.cancel_requested:  # pressed while the order was made: it is voided at once
            self.cancel_now(Reason.CANCELLED)
        else:
            self.trigger("order_ready")

    def order_rejected(self, error: DocumentRejected, line: OrderLine) -> None:
        """Created at the center, refused here before the printer saw a byte: journaled, then
        voided at the center; nothing charged."""
        journal = self.ports.journal
        journal.order_created(error.order_id, line.municipality, line.certificate, line.copies,
                              error.fee)
        journal.order_voided(error.order_id, str(error.reason))
        self._void_at_center(error.order_id)

    def _void_at_center(self, order_id: str) -> None:
        center = self.ports.center

        def void() -> jobs.OrderVoided:
            center.cancel(order_id)
            return jobs.OrderVoided()

        self.jobs.submit(jobs.OrderVoided, void, Reason.CENTER_UNAVAILABLE)

    def _complete_at_center(self, order_id: str, printed: int) -> None:
        self.ports.journal.order_completed(order_id, printed)
        center = self.ports.center

        def complete() -> jobs.OrderCompleted:
            center.complete(order_id, printed)
            return jobs.OrderCompleted()

        self.jobs.submit(jobs.OrderCompleted, complete, Reason.CENTER_UNAVAILABLE)

    def _print_next(self) -> None:
        run = self.visit.printing
        assert run is not None
        if run.finished:
            self._complete_at_center(run.order.order_id, run.printed_docs)
            if self.ports.metrics and self.visit.line:
                self.ports.metrics.certificate_printed(self.visit.line.certificate,
                                                       run.printed_docs)
            self.trigger("all_printed")
            return
        run.start_next(self.ports.journal, self.ports.printer, self.jobs, self.post_progress)

    def post_progress(self, pages: int) -> None:
        """Called from the print job as pages come out."""
        self.post(ev.PrintProgress(pages))

    def _done_print(self, result: jobs.DocumentPrinted) -> None:
        run = self.visit.printing
        assert run is not None
        run.printed(self.ports.journal, result.result.pages)
        if self.no_tray_sensor:
            self.paper_in_tray = True  # nothing tells us otherwise until the resident does
        self._print_next()

    def _failed_print(self, e: ev.WorkFailed) -> None:
        run, v = self.visit.printing, self.visit
        assert run is not None
        run.failed(self.ports.journal, getattr(e.error, "pages_out", 0))
        self.printer_fault(str(e.error) if e.error else "print failed")
        log.error("printing failed: %s; giving back what was not printed", e.reason)
        v.message = Reason.PRINTER_FAULT
        order_id = run.order.order_id
        if run.printed_docs:  # these copies were handed over: the order stands for them
            self._complete_at_center(order_id, run.printed_docs)
        else:
            self._void_order(Reason.PRINTER_FAULT)
        self.till.fee_collected = False
        self.till.refund(self.ports.journal.held(order_id))
        v.ending = True
        if self.till.refund_due > 0:
            self._pay_out("refund", self.till.refund_due)
        self.trigger("refund")

    # ------------------------------------------------------------------ money
    def _on_money(self, e: ev.MoneyInserted) -> None:
        order = self.visit.order
        self.till.money_in(order.order_id if order else None, e.yen, e.device, e.counter)
        if self.state != "payment" or order is None:
            self._refund_unwanted()
            return
        self._arm_timers()
        if self.till.inserted >= order.fee:
            self._collect_fee()

    def _on_pay_emoney(self, e: ev.PayEmoney) -> None:
        order = self.visit.order
        if (self.state == "payment" and order is not None and not self.till.inserted
                and "emoney" in self.config.payment.methods):
            self.till.charge_emoney(order.fee)

    def _done_emoney(self, result: jobs.EmoneyCharged) -> None:
        order = self.visit.order
        if self.state == "payment" and order is not None:
            self.till.emoney_paid(order.order_id, result.yen)
            self._collect_fee()

    def _failed_emoney(self, e: ev.WorkFailed) -> None:
        self.till.emoney_pending = False
        order = self.visit.order
        if self.state == "payment" and order is not None:
            if self.cash_refused():  # the cash unit failed meanwhile: no money taken
                self.cancel(Reason.CASH_FAULT)
                return
            self.visit.message = e.reason  # declined or timed out: cash still works
            self.ports.payment.begin(order.fee)
            self._arm_timers()

    def nothing_paid(self, _: object = None) -> bool:
        """Back from payment is offered only while no yen is in and none is being charged."""
        return (self.state == "payment" and self.till.inserted == 0
                and not self.till.emoney_pending and not self.till.fee_collected)

    def back_from_payment(self) -> None:
        """Back to the summary before any money is in: the unit stops taking money and the
        order (journaled, made at the center) is voided; confirming again makes a new one."""
        if not self.may_trigger("back"):  # money in, or a service without a summary
            return
        self.ports.payment.end()
        self._void_order(Reason.CANCELLED)
        v = self.visit
        v.order, v.line, v.printing, v.message = None, None, None, None
        self.trigger("back")

    def _collect_fee(self) -> None:
        assert self.visit.order is not None
        change = self.till.collect_fee(self.visit.order)
        if change > 0:
            self._pay_out("change", change)
        self.trigger("paid_in_full")

    def _pay_out(self, kind: str, yen: int) -> None:
        order = self.visit.order
        cash = self.till.pay_out(order.order_id if order else None, kind, yen)
        if self.no_tray_sensor and cash:
            self.change_in_tray = True

    def _done_payout(self, result: jobs.PaidOut) -> None:
        if self.state == "refunding":
            self.till.refund_given(result.yen)  # the screen shows what came back
            if self.till.refund_short:  # the journal holds it as owed; the screen says so
                self._alert_staff(f"¥{self.till.refund_short} of a refund could not be paid out")
            if not self.change_in_tray and not self.till.refund_short:
                self._leave()  # nothing to take (or it went back to the card)
            # short: the screen says what could not be returned until the resident has read it

    def _failed_payout(self, e: ev.WorkFailed) -> None:
        log.error("the cash unit could not pay out (%s): staff attention needed", e.reason)
        if self.state == "refunding":
            self.till.refund_given(0)  # nothing came out: owed, and staff were told
            self._leave(force=True)

    def _held(self) -> int:
        return self.till.held(self.visit.order)

    def _refund_unwanted(self) -> None:
        held = self._held()
        if held > 0:
            self._pay_out("refund", held)

    def _void_order(self, reason: Reason) -> None:
        order = self.visit.order
        if order is None or self.till.fee_collected and reason != Reason.PRINTER_FAULT:
            return
        self.ports.journal.order_voided(order.order_id, str(reason))
        self._void_at_center(order.order_id)
