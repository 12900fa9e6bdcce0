"""The kiosk's own rules: faults and out of service, opening hours, inactivity timers, operator
mode. Visits come and go; these hold across them."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kiosk.journal.opening import JournalError
from kiosk.session import jobs
from kiosk.session.base import SessionBase
from kiosk.session.hours import closed_because, next_change, next_opening
from kiosk.session.operator_mode import Effect, OperatorMode
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)


class KioskRules(SessionBase):
    """Faults, hours, timers and operator mode (a part of ``Session``)."""

    def __init__(self) -> None:
        self.faults = {}
        self.closed_reason: Reason | None = None
        self.hours_at: datetime | None = self.clock.now()  # the next look at the opening hours

    # ------------------------------------------------------------------ faults
    def on_reader(self, e: ev.ReaderChanged) -> None:
        if e.available:
            self.faults.pop("reader", None)
            if self.state == "out_of_service" and not self.faults:
                log.info("card reader back: in service again")
                self.trigger("reopen")
            return
        if self.ports.metrics and "reader" not in self.faults:
            self.ports.metrics.error(str(Reason.READER_UNAVAILABLE))
        self.faults["reader"] = Reason.READER_UNAVAILABLE
        self.card_present = False
        state = self.state
        if state in ("idle", "closed", "maintenance"):
            self.go_out_of_service()
        elif state in ("terms", "await_card", "pin_entry"):
            self.cancel(Reason.READER_UNAVAILABLE)  # the visit ends; then out of service
        elif state in ("remove_card", "error"):
            self._leave(force=True)  # the card cannot be seen lifted any more
        # reading_card / authenticating: the card job fails by itself and ends the visit;
        # later states need no card: the visit finishes, then the kiosk goes out of service.

    def room_for_a_visit(self) -> bool:
        """Whether the journal's disk has its reserve; if not, out of service (said why)."""
        room = self.ports.journal.room()
        if room >= self.config.journal.reserve_kib * 1024:
            if self.faults.pop("journal", None) is not None:
                log.info("journal has room again: %d bytes free", room)
                if self.till.unjournaled and self.state in ("idle", "out_of_service"):
                    self._give_back_waiting()
            return True
        if "journal" not in self.faults:
            log.error("journal's disk below its reserve (%d bytes free): out of service", room)
            if self.ports.metrics:
                self.ports.metrics.error(str(Reason.JOURNAL_UNAVAILABLE))
        self.faults["journal"] = Reason.JOURNAL_UNAVAILABLE
        if self.state == "idle":
            self.go_out_of_service()
        return False

    def _give_back_waiting(self) -> None:
        """Coins counted while the journal was full are journaled now, and paid back."""
        try:
            given = self.till.journal_waiting()
        except JournalError as exc:
            log.error("coins waiting for the journal still cannot be journaled: %s", exc)
            return
        self._alert_staff(f"¥{given} of coins taken while the journal was full: given back")

    def journal_failed(self, exc: JournalError, event: ev.Event) -> None:
        """A journal write failed: what it was for did not happen. The visit ends; money
        recorded as in stays held for the journal's recovery (paying it back unrecorded could
        pay it twice); out of service until there is room."""
        log.error("journal write failed in %s (%s): out of service", self.state, exc)
        self.faults["journal"] = Reason.JOURNAL_UNAVAILABLE
        self.ports.payment.end()  # money whose row failed went back already (Till.money_in)
        held = self.till.held(self.visit.order)
        if held > 0:  # recorded as in: the journal's recovery gives it back, never twice
            self._alert_staff(f"¥{held} held: the journal could not record its return")
        self.visit.message = Reason.JOURNAL_UNAVAILABLE
        self.visit.ending = True
        self._leave(force=not self.card_present)

    def go_out_of_service(self) -> None:
        log.warning("out of service: %s", ", ".join(sorted(self.faults)))
        if self.ports.metrics:
            self.ports.metrics.out_of_service(True)
        self.trigger("take_out_of_service")

    def printer_checked(self, result: jobs.PrinterChecked) -> None:
        self.preflight.answered(waiting=self.state in ("idle", "out_of_service"))
        problem = result.problem
        if self.ports.metrics:
            self.ports.metrics.printer(problem is None)
        if problem is not None:
            self.printer_fault(problem)
            return
        if self.faults.pop("printer", None) is not None:
            log.info("printer ready again")
        self.preflight.problem = ""
        if self.state == "out_of_service" and not self.faults:
            self.trigger("reopen")
            if self.ports.metrics:
                self.ports.metrics.out_of_service(False)

    def printer_fault(self, problem: str) -> None:
        if self.ports.metrics and "printer" not in self.faults:
            self.ports.metrics.error(str(Reason.PRINTER_FAULT))
        self.faults["printer"] = Reason.PRINTER_FAULT
        if problem != self.preflight.problem:
            log.warning("printer not ready: %s", problem)
        self.preflight.problem = problem
        if self.state in ("idle", "closed", "maintenance"):
            self.go_out_of_service()
        elif self.state in ("terms", "await_card", "pin_entry"):
            self.cancel(Reason.PRINTER_FAULT)
        # later: the order job checks again before money is taken; a visit in payment or
        # printing finishes (or is refunded), then the kiosk goes out of service

    # ------------------------------------------------------------------ time
    def next_deadline(self) -> datetime | None:
        check = self.preflight.check_at if self.state in ("idle", "out_of_service") else None
        hours = self.hours_at if self.state in ("idle", "closed") else None
        notice = self.notice[1] if self.notice and self.state == "idle" else None
        phone = self.phone_deadline()
        times = [t for t in (self.deadline, self.alarms.next_deadline(), check, hours, notice,
                             phone, self.help_deadline()) if t is not None]
        return min(times) if times else None

    def on_tick(self) -> None:
        now = self.clock.now()
        if self.alarms.due(now):
            kind = self._forgotten()
            if kind is not None:
                self.alarms.set(kind)
        self.alarms.escalate(now)
        if self.notice is not None and now >= self.notice[1]:
            self.notice = None  # the idle screen stops saying how the last visit ended
        if (self.hours_at is not None and now >= self.hours_at
                and self.state in ("idle", "closed")):
            self._look_at_hours(now)
        if self.state in ("idle", "out_of_service") and self.preflight.due(now):
            self.preflight.check()
            self._look_at_room()
        self.phone_due(now)
        if self.deadline is not None and now >= self.deadline:
            self.deadline = None
            self._timed_out()

    def _look_at_room(self) -> None:
        """While the kiosk waits (with the printer's check): out of service when the journal's
        disk runs below its reserve, back in service when there is room again."""
        if self.room_for_a_visit() and self.state == "out_of_service" and not self.faults:
            self.trigger("reopen")

    def _look_at_hours(self, now: datetime) -> None:
        """Close an idle kiosk outside its hours; open a closed one inside them. A visit in
        progress is never cut short: the kiosk closes when it is idle again."""
        self.hours_at = next_change(self.config.hours, now)
        reason = closed_because(self.config.hours, now)
        if reason is not None and self.state == "idle":
            self.closed_reason = reason
            log.info("closed: %s until %s", reason, next_opening(self.config.hours, now))
            self.trigger("close")
        elif reason is None and self.state == "closed":
            self.closed_reason = None
            self.trigger("reopen")
        elif reason is not None and self.state == "closed":
            self.closed_reason = reason  # still closed, maybe for another reason now

    def _forgotten(self) -> str | None:
        """What the resident is leaving behind, if anything."""
        if self.states[self.state].alarm == "remove_card_alarm":  # the card is to come off
            return "forgotten-card" if self.card_present else None
        if self.paper_in_tray:
            return "forgotten-paper"
        return "forgotten-change" if self.change_in_tray else None

    def _arm_timers(self) -> None:
        info = self.states[self.state]
        t = self.config.timeouts
        now = self.clock.now()
        self.deadline = (now + timedelta(seconds=getattr(t, info.timeout)) if info.timeout
                         else None)
        self.alarms.arm(getattr(t, info.alarm) if info.alarm else None)

    def _timed_out(self) -> None:
        info = self.states[self.state]
        log.info("inactivity timeout in %s", self.state)
        if info.on_timeout == "finish":
            self._end_error() if self.state == "error" else self.trigger("finish")
        elif info.on_timeout == "leave":
            if self.states[self.state].alarm == "remove_card_alarm":
                self._alert_staff("card left on the reader")
            elif self.paper_in_tray or self.change_in_tray:
                self._alert_staff("certificate left in the tray" if self.paper_in_tray
                                  else "money left in the tray")
            self._leave(force=True)
        else:
            self.cancel(Reason.TIMEOUT)

    def _alert_staff(self, what: str) -> None:
        """Nobody came back: tell the staff, and go on safely."""
        log.warning("staff attention needed: %s", what)
        self.alerts.append(what)

    # ------------------------------------------------------------------ operator mode
    def _on_operator_key(self, e: ev.OperatorKey) -> None:
        """The service key combination: the operator PIN is asked next (never a gesture)."""
        if not self.config.operator.pin_hash:
            log.warning("operator key pressed, but operator mode has no PIN configured")
            return
        if self.state in ("idle", "out_of_service", "closed"):
            p = self.ports
            self.operator = OperatorMode(self.config, p.journal, p.payment, p.printer,
                                         self.jobs, self.kiosk_id)
            self.trigger("enter_maintenance")

    def _on_operator_action(self, e: ev.OperatorAction) -> None:
        if self.state != "maintenance" or self.operator is None:
            return
        try:
            operation = ev.Operation(e.action)
        except ValueError:
            log.warning("no operator action %r", e.action)
            return
        self._operator_effect(self.operator.act(operation, self.clock.now(),
                                                self.preflight.problem))

    def _operator_effect(self, effect: Effect) -> None:
        if effect is Effect.OUT_OF_SERVICE:
            self.faults["operator"] = Reason.NOT_AVAILABLE_HERE
        elif effect is Effect.BACK_IN_SERVICE:
            self.faults.pop("operator", None)
        elif effect is Effect.PRACTICE:
            self.arm_practice()
        elif effect is Effect.LEAVE:
            self.operator = None
            self.trigger("reopen")  # idle; out of service or closed again as need be

    def _operator_done(self, result: jobs.TestPrinted | jobs.FaultCleared) -> None:
        if self.operator:
            if isinstance(result, jobs.TestPrinted):
                self.operator.test_printed(result.result.pages)
            else:
                self.operator.cleared()
        self.preflight.check()

    def _operator_failed(self, e: ev.WorkFailed) -> None:
        if self.operator:
            if e.job is jobs.TestPrinted:
                self.operator.test_print_failed(e.error)
            else:
                self.operator.clear_failed(e.error)
