"""The cash unit's faults: a bill validator, coin acceptor or hopper that fails takes the kiosk
out of service, with every yen accounted (what was inserted goes back the usual way; what the
unit cannot pay goes on a voucher) and the reason shown to staff."""

from __future__ import annotations

import logging
from collections.abc import Callable

from kiosk.services.api import Service
from kiosk.session.base import SessionBase
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)

BEFORE_SERVICE = ("terms", "await_card", "pin_entry", "phone_confirm")  # sign-in's own


class CashRules(SessionBase):
    """What a cash fault does to the kiosk and to a visit (a part of ``Session``)."""

    services: tuple[Service, ...]
    listeners: list[Callable[[str], None]]

    def on_cash(self, e: ev.CashChanged) -> None:
        """The cash unit's faults changed (posted by the unit): ``fault`` is staff text."""
        metrics = self.ports.metrics
        if e.fault is None:
            if metrics:
                metrics.cash_fault(False)
            if self.faults.pop("cash", None) is not None:
                log.info("cash unit well again")
            if self.state == "out_of_service" and not self.faults:
                self.trigger("reopen")
                if metrics:
                    metrics.out_of_service(False)
            return
        if metrics:
            if "cash" not in self.faults:
                metrics.error(str(Reason.CASH_FAULT))
            metrics.cash_fault(True)
        self.faults["cash"] = Reason.CASH_FAULT
        log.warning("cash unit fault: %s", e.fault)
        self._cash_fault_in(self.state, e)

    def _cash_fault_in(self, state: str, e: ev.CashChanged) -> None:
        info = self.states[state]
        if state in ("idle", "closed"):
            self.go_out_of_service()
        elif state == "maintenance":  # staff at work on it (a cassette out to empty it):
            return  # the status shows the fault; out of service when they leave
        elif state == "payment":
            if not self.till.emoney_pending:  # (a charge on the card finishes; cash is done)
                self.cancel(Reason.CASH_FAULT)  # what went in comes back; short: a voucher
        elif info.kiosk or info.settled or self.till.fee_collected or state == "error":
            return  # paid, or over: the visit finishes, then out of service
        elif state == "remove_card":
            self.visit.message = Reason.CASH_FAULT  # signed in: the card comes off, then
            self.visit.ending = True  # the visit ends
        elif info.busy:  # reading the card, signing in, making the order: when it reports
            self._again_after(state, e)
        elif state in BEFORE_SERVICE or self._visit_pays():
            self.cancel(Reason.CASH_FAULT)
        # a visit of a service that takes no money goes on; out of service after it

    def _again_after(self, busy: str, e: ev.CashChanged) -> None:
        """The fault again once the job running in ``busy`` has reported (on the next screen;
        payment takes no money with it either)."""

        def entered(state: str) -> None:
            if state != busy:
                self.listeners.remove(entered)
                if "cash" in self.faults:  # (not cleared meanwhile)
                    self.post(e)  # handled after this state's entry, like any event

        self.listeners.append(entered)

    def _visit_pays(self) -> bool:
        service = next((s for s in self.services if s.id == self.visit.service), None)
        return service is not None and "payment" in service.journey

    def cash_refused(self) -> bool:
        """Payment is about to start: with a standing cash fault no money is taken (True)."""
        return "cash" in self.faults and "cash" in self.config.payment.methods
