"""The session: one resident's visit as an explicit state machine (``transitions``).

What remains here is the transition table and the flow rules every service shares: sign-in,
paying, printing and collecting, cancelling, and the kiosk's own states. The money is the till's,
the alarms, the printer pre-flight and operator mode are objects of their own, the view is a
function (``kiosk.session.viewmodel``), and each service's choices live in its flow. It knows no
pygame, pyscard, requests or cups; time comes only from the injected clock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from transitions import EventData

from kiosk.center.protocol import Hours
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.journal.opening import JournalError
from kiosk.services.api import Flow, Service
from kiosk.services.registry import installed_services, state_table
from kiosk.session import jobs
from kiosk.session.alarms import Alarms
from kiosk.session.cash_rules import CashRules
from kiosk.session.kiosk_rules import KioskRules
from kiosk.session.operator_mode import OperatorMode
from kiosk.session.paying import PayingRules
from kiosk.session.phone import PhoneAnswered, PhoneRules
from kiosk.session.practice import PracticeRules
from kiosk.session.preflight import Preflight
from kiosk.session.table import machine_for
from kiosk.session.till import Till
from kiosk.session.visit import Ports, Visit
from kiosk.session.worker import J, Jobs
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.view import View

log = logging.getLogger(__name__)
# An event that does not fit the current state (a tap on a screen just replaced, a card put
# down during the terms) is ignored by design; transitions would log each one as a warning.
logging.getLogger("transitions.core").setLevel(logging.ERROR)

NOTICE_SECONDS = 10  # how long the idle screen says that the last visit was cancelled


class Session(PracticeRules, PhoneRules, PayingRules, CashRules, KioskRules):
    """The kiosk's state machine. Feed it events with ``handle``; read ``view()``."""

    state: str  # set by the transitions Machine

    def __init__(self, config: Config, ports: Ports, worker: Jobs, clock: Clock,
                 kiosk_id: str | None = None, post: Callable[[ev.Event], None] | None = None,
                 services: tuple[Service, ...] | None = None) -> None:
        self.config = config
        self.ports = ports
        self.jobs = worker
        self.clock = clock
        self.kiosk_id = kiosk_id or config.kiosk.id
        self.language = config.kiosk.language
        self.post = post or (lambda event: None)  # for what a running job reports on the way
        self.services = services if services is not None else installed_services()
        self.states = state_table(self.services)
        self.visit = Visit()
        self.till = Till(ports.payment, ports.emoney, ports.journal, worker)
        self.alarms = Alarms(ports.alarm, clock, self._speak, ports.metrics)
        self.preflight = Preflight(ports.printer, worker, clock, config.printer.check_seconds)
        self.operator: OperatorMode | None = None
        self.card_present = False
        self.paper_in_tray = False
        self.change_in_tray = False
        self.deadline: datetime | None = None
        self.alerts: list[str] = []  # what staff were told (forgotten card, paper, money)
        self.no_tray_sensor = config.tray.sensor == "none"
        self.listeners: list[Callable[[str], None]] = []  # told the name of every state entered
        self.catalog_hours: dict[str, Hours] = {}
        self.catalog_card_ap: frozenset[str] = frozenset()  # towns taking the card-AP method
        self.catalog_day: str | None = None
        self.notice: tuple[Reason, datetime] | None = None  # idle: how the last visit ended
        KioskRules.__init__(self)
        self.flows: dict[str, Flow] = {s.id: s.flow(self) for s in self.services}
        self.machine = machine_for(self.services)
        self.machine.add_model(self, initial="idle")
        self.back_from = {t.source for t in self.machine.get_transitions("back")}
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.ChooseLanguage: self._on_language, ev.Start: self._on_start,
            ev.Agree: self._on_agree, ev.CardPlaced: self._on_card_placed,
            ev.CardRemoved: self._on_card_removed, ev.EnterPin: self._on_pin,
            ev.Confirm: self._on_confirm, ev.Cancel: lambda e: self.cancel(Reason.CANCELLED),
            ev.Back: self._on_back, ev.Take: self._on_take,
            ev.MoreTime: lambda e: self._arm_timers(), ev.MoneyInserted: self._on_money,
            ev.MoneyRejected: lambda e: None,  # the unit returned it to the tray itself
            ev.TrayChanged: self._on_tray, ev.ReaderChanged: self.on_reader,
            ev.CashChanged: self.on_cash,
            ev.PrintProgress: self._on_progress,
            ev.PrinterCleared: lambda e: self.preflight.check(),
            ev.PayEmoney: self._on_pay_emoney, ev.OperatorKey: self._on_operator_key,
            ev.OperatorAction: self._on_operator_action, ev.HelpCall: self._on_help,
            ev.StopVoice: lambda e: self.ports.voice.stop() if self.ports.voice else None,
            ev.Tick: lambda e: self.on_tick(), ev.WorkDone: self._on_work_done,
            ev.WorkFailed: self._on_work_failed,
        }
        self._service_events = {t for f in self.flows.values() for t in f.handlers()}
        self._results: dict[type[ev.JobResult], Callable[[Any], None]] = {
            jobs.CardRead: self._done_read_card, jobs.SignedIn: self._done_sign_in,
            PhoneAnswered: self._done_phone,
            jobs.DocumentPrinted: self._done_print, jobs.PaidOut: self._done_payout,
            jobs.EmoneyCharged: self._done_emoney, jobs.PrinterChecked: self.printer_checked,
            jobs.TestPrinted: self._operator_done, jobs.FaultCleared: self._operator_done,
            jobs.OrderCompleted: lambda r: log.info("order completed at the center"),
            jobs.OrderVoided: lambda r: log.info("order voided at the center"),
        }
        self._failures: dict[type[ev.JobResult], Callable[[ev.WorkFailed], None]] = {
            jobs.CardRead: self._failed_read_card, jobs.SignedIn: self._failed_sign_in,
            PhoneAnswered: self._failed_phone,
            jobs.DocumentPrinted: self._failed_print, jobs.PaidOut: self._failed_payout,
            jobs.EmoneyCharged: self._failed_emoney,
            jobs.PrinterChecked: lambda e: self.printer_checked(jobs.PrinterChecked(
                str(e.error) if e.error else "the printer does not answer")),
            jobs.TestPrinted: self._operator_failed, jobs.FaultCleared: self._operator_failed,
            jobs.OrderCompleted: lambda e: log.warning(
                "the center did not take the completion (%s); the journal has it", e.reason),
            jobs.OrderVoided: lambda e: log.warning(
                "the center did not take the void (%s); the journal has it", e.reason),
        }
        for flow in self.flows.values():
            self._results.update(flow.results())
            self._failures.update(flow.failures())
        self.wire_help()
        # what entering a core state starts (a service's states: its flow's ``entered``)
        self._on_enter: dict[str, Callable[[], None]] = {
            "idle": self._enter_idle, "out_of_service": self._enter_out_of_service,
            "terms": self._enter_terms, "await_card": self._enter_await_card,
            "reading_card": self._enter_reading_card, "remove_card": self._enter_remove_card,
            "phone_confirm": self._enter_phone_confirm,
            "payment": self._enter_payment, "printing": self._print_next,
            "collect": self._enter_collect,
        }

    # ------------------------------------------------------------------ the core API
    def submit(self, job: type[J], fn: Callable[[], J], fallback: Reason) -> None:
        self.jobs.submit(job, fn, fallback)

    @property
    def flow(self) -> Flow | None:
        """The flow of the service the resident chose, if any."""
        return self.flows.get(self.visit.service)

    @property
    def alarm(self) -> str:
        return self.alarms.kind

    def close(self) -> None:
        """The session ends: the state machine it shares with others lets go of it."""
        self.machine.remove_model(self)

    def is_signed_in(self, _: EventData | None = None) -> bool:
        return self.visit.signed_in and not self.visit.ending

    def view(self) -> View:
        from kiosk.session.viewmodel import build_view

        return build_view(self)

    # ------------------------------------------------------------------ input
    def handle(self, event: ev.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is None:
            if type(event) not in self._service_events:
                raise TypeError(f"the session has no handler for {type(event).__name__}")
            flow = self.flow
            handler = flow.handlers().get(type(event)) if flow else None
            if handler is None:
                return  # another service's screen: not now
        if type(event) not in (ev.Tick, ev.WorkDone, ev.WorkFailed, ev.TrayChanged):
            log.debug("%s in %s", type(event).__name__, self.state)
        try:
            handler(event)
        except JournalError as exc:  # nothing may move on without its row: stop here
            self.journal_failed(exc, event)

    def _on_start(self, e: ev.Start) -> None:
        if self.state == "idle" and e.service in self.flows and self.room_for_a_visit():
            self.notice = None
            self._new_visit()
            self.visit_begins()  # a practice visit, if staff armed one
            self.visit.service = e.service
            self.trigger("start")
            self.preflight.check()  # before the service is offered

    def _on_language(self, e: ev.ChooseLanguage) -> None:
        self.language = e.code
        self._arm_timers()
        prompt = self.states[self.state].prompt
        if prompt is not None:
            self._speak(prompt)  # the screen again, in the language just chosen

    def _on_agree(self, e: ev.Agree) -> None:
        service = self.states[self.state].service  # a service's own question (the forms')
        handler = self.flows[service].handlers().get(ev.Agree) if service else None
        if handler is not None:
            handler(e)
        elif e.accepted:
            self.trigger("agree")
        elif self.state == "terms":
            self.cancel(Reason.CANCELLED)

    def _on_confirm(self, e: ev.Confirm) -> None:
        if self.state == "error":
            self._end_error()
            return
        flow = self.flow
        handler = flow.handlers().get(ev.Confirm) if flow else None
        if handler is not None:
            handler(e)

    def _on_back(self, e: ev.Back) -> None:
        if self.state == "payment":
            self.back_from_payment()
        else:
            self.trigger("back")

    def _on_take(self, e: ev.Take) -> None:
        """With a tray sensor, the sensor reports what left the tray (TrayChanged) and this
        only keeps the timers alive; without one, the resident's word is all there is."""
        self._arm_timers()
        if self.no_tray_sensor:
            paper = self.paper_in_tray and e.what != "paper"
            change = self.change_in_tray and e.what != "change"
            self._on_tray(ev.TrayChanged(paper, change))
        elif self.state == "refunding" and not self.change_in_tray and not self.till.refund_due:
            self._leave()  # read what could not be returned; nothing lies in the tray

    def _on_tray(self, e: ev.TrayChanged) -> None:
        self.paper_in_tray, self.change_in_tray = e.paper, e.change
        if self.alarm in ("forgotten-paper", "forgotten-change") and not (e.paper or e.change):
            self.alarms.set("none")
        if self.state in ("collect", "ticket") and self._collected():  # (a counter's ticket)
            self.trigger("collected")
        elif self.state == "refunding" and not e.change and self.till.refund_due == 0:
            self._leave()

    def _on_progress(self, e: ev.PrintProgress) -> None:
        if self.state == "printing" and self.visit.printing is not None:
            self.visit.printing.pages_in_doc = e.pages

    # ------------------------------------------------------------------ jobs
    def _on_work_done(self, e: ev.WorkDone) -> None:
        self._results[type(e.result)](e.result)

    def _on_work_failed(self, e: ev.WorkFailed) -> None:
        if e.reason == Reason.JOURNAL_UNAVAILABLE:  # a job's own journal write failed
            self.faults["journal"] = Reason.JOURNAL_UNAVAILABLE
        handler = self._failures.get(e.job)
        if handler is not None:
            handler(e)
        else:
            log.error("job %s failed: %s", e.job.__name__, e.reason)

    # ------------------------------------------------------------------ ending
    def cancel(self, reason: Reason) -> None:
        """End the visit from any resident-facing state: void the order, return every yen."""
        if self.states[self.state].busy:
            self.visit.cancel_requested = True  # acted on when the running job reports
            return
        self.cancel_now(reason)

    def cancel_now(self, reason: Reason) -> None:
        """``cancel``, also from a busy state (its job has just reported)."""
        self.visit.cancel_requested = False
        info = self.states[self.state]
        if info.kiosk or info.settled or self.state == "idle":
            return
        if self.state == "error":
            self._end_error()
            return
        self.ports.payment.end()
        self.visit.message = reason
        self.visit.ending = True
        self._void_order(reason)
        if self._held() > 0:
            self.till.refund(self._held())
            self._pay_out("refund", self.till.refund_due)
            self.trigger("refund")
        else:
            self._leave()

    def fail(self, reason: Reason) -> None:
        if self.ports.metrics:
            self.ports.metrics.refused(str(reason))
        self.visit.message = reason
        self.visit.ending = True
        if self.faults:  # the failure is the kiosk's, not the resident's: out of service
            self._leave(force=True)
        else:
            self.trigger("fail")

    def _end_error(self) -> None:
        self.trigger("ask_card_back" if self.card_present else "finish")

    def _leave(self, force: bool = False) -> None:
        """The visit is over: the card comes back first, then the kiosk is idle again."""
        self.visit.ending = True
        if self.card_present and not force and self.state != "remove_card":
            self.trigger("ask_card_back")
        else:
            self.alarms.set("none")
            self.trigger("finish")

    def _collected(self) -> bool:
        return not self.paper_in_tray and not self.change_in_tray

    def _speak(self, prompt: str) -> None:
        if self.ports.voice is not None:
            self.ports.voice.speak(prompt, self.language)

    # ------------------------------------------------------------------ state entry
    def _entered(self, event: EventData) -> None:
        info = self.states[self.state]
        log.info("state %s", self.state)
        self._arm_timers()
        for listener in self.listeners:
            listener(self.state)
        if self.alarm in ("forgotten-paper", "forgotten-change") and info.alarm != "collect_alarm":
            self.alarms.set("none")
        if info.prompt is not None:
            self._speak(info.prompt)
        enter = self._on_enter.get(self.state)
        if enter is not None:
            enter()
        elif info.service:
            self.flows[info.service].entered(self.state)

    def _new_visit(self) -> None:
        self.visit = Visit()
        self.till.reset()
        for flow in self.flows.values():
            flow.reset()

    def _enter_idle(self) -> None:
        self.visit_ended()
        ended = self.visit.message
        self._close_card()
        self._new_visit()
        # a cancelled visit says so on the idle screen for a while (the next resident's start,
        # or the time, ends it)
        self.notice = ((ended, self.clock.now() + timedelta(seconds=NOTICE_SECONDS))
                       if ended == Reason.CANCELLED else None)
        self.language = self.config.kiosk.language
        self.deadline = None
        self.preflight.schedule_if_idle()
        if self.faults:
            self.go_out_of_service()
        else:
            self.hours_at = self.clock.now()  # closing time may have come during the visit

    def _enter_out_of_service(self) -> None:
        self.visit_ended()
        self._close_card()
        self._new_visit()
        self.deadline = None

    def _enter_terms(self) -> None:
        if self.ports.metrics:
            self.ports.metrics.visit_started()

    def _enter_payment(self) -> None:
        order = self.visit.order
        assert order is not None
        if order.fee and not self.room_for_a_visit():  # the journal could not take its money
            self.cancel(Reason.JOURNAL_UNAVAILABLE)
            return
        if order.fee and self.cash_refused():  # a standing cash fault: no money taken
            self.cancel(Reason.CASH_FAULT)
            return
        if order.fee == 0:
            self._collect_fee()
            return
        warning = self.till.begin(order, "cash" in self.config.payment.methods)
        if warning is not None:
            self.visit.message = warning  # said before any money goes in

    def _enter_collect(self) -> None:
        self.ports.alarm.chime()  # the certificate is in the tray
        if self._collected():
            self.trigger("collected")
