"""The session: one resident's visit as an explicit state machine (``transitions``).

It holds the resident's choices and the money, decides, and asks the ports to act through
worker jobs whose results come back as events. It knows no pygame, pyscard, requests or cups;
time comes only from the injected clock.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from transitions import EventData, Machine

from kiosk import events as ev
from kiosk.center.protocol import CertificateOffer, Offer, Order, auth_message
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.hours import closed_because, next_change, next_opening
from kiosk.operator import check_pin, test_page
from kiosk.ports import (
    AlarmPort,
    CardInfo,
    CardPort,
    CenterPort,
    EmoneyPort,
    Journal,
    MetricsPort,
    PaymentPort,
    PrinterPort,
    VoicePort,
)
from kiosk.reasons import DocumentRejected, KioskError, PinWrong, PrinterError, Reason
from kiosk.view import Choice, OperatorView, OptionField, View

log = logging.getLogger(__name__)
# An event that does not fit the current state (a tap on a screen just replaced, a card put
# down during the terms) is ignored by design; transitions would log each one as a warning.
logging.getLogger("transitions.core").setLevel(logging.ERROR)

STATES = [
    "closed", "out_of_service", "maintenance", "idle", "terms", "await_card", "reading_card",
    "pin_entry", "authenticating", "remove_card", "choose_municipality", "choose_certificate",
    "choose_options", "choose_copies", "confirm", "requesting", "payment", "printing", "collect",
    "thanks", "refunding", "error",
]

# The resident's journey, for "step n of m" on screen.
JOURNEY = ["await_card", "pin_entry", "choose_municipality", "choose_certificate",
           "choose_options", "choose_copies", "confirm", "payment", "collect"]
STEP_OF = {"reading_card": "await_card", "authenticating": "pin_entry",
           "remove_card": "pin_entry", "requesting": "confirm", "printing": "collect"}

BUSY = ["reading_card", "authenticating", "requesting", "printing"]
CHOOSING = ["choose_municipality", "choose_certificate", "choose_options", "choose_copies"]

# trigger, source(s), destination, conditions: tried in order, the first that holds is taken.
TRANSITIONS: list[dict[str, Any]] = [
    {"trigger": "start", "source": "idle", "dest": "terms"},
    {"trigger": "agree", "source": "terms", "dest": "await_card"},
    {"trigger": "card_placed", "source": "await_card", "dest": "reading_card"},
    {"trigger": "card_read", "source": "reading_card", "dest": "pin_entry"},
    {"trigger": "pin_entered", "source": "pin_entry", "dest": "authenticating"},
    {"trigger": "pin_rejected", "source": "authenticating", "dest": "pin_entry"},
    {"trigger": "authenticated", "source": "authenticating", "dest": "remove_card"},
    {"trigger": "card_gone", "source": "remove_card", "dest": "choose_municipality",
     "conditions": "is_signed_in"},
    {"trigger": "card_gone", "source": ["remove_card", "error"], "dest": "idle"},
    {"trigger": "municipality", "source": "choose_municipality", "dest": "choose_certificate"},
    {"trigger": "certificate", "source": "choose_certificate", "dest": "choose_options"},
    {"trigger": "options", "source": "choose_options", "dest": "choose_copies"},
    {"trigger": "copies", "source": "choose_copies", "dest": "confirm"},
    {"trigger": "confirmed", "source": "confirm", "dest": "requesting"},
    {"trigger": "order_ready", "source": "requesting", "dest": "payment"},
    {"trigger": "paid_in_full", "source": "payment", "dest": "printing"},
    {"trigger": "all_printed", "source": "printing", "dest": "collect"},
    {"trigger": "collected", "source": "collect", "dest": "thanks"},
    {"trigger": "back", "source": "terms", "dest": "idle"},
    {"trigger": "back", "source": "await_card", "dest": "terms"},
    {"trigger": "back", "source": "choose_certificate", "dest": "choose_municipality"},
    {"trigger": "back", "source": "choose_options", "dest": "choose_certificate"},
    {"trigger": "back", "source": "choose_copies", "dest": "choose_options"},
    {"trigger": "back", "source": "confirm", "dest": "choose_copies"},
    # the end of a visit, whichever way it ends
    {"trigger": "refund", "source": "*", "dest": "refunding"},
    {"trigger": "ask_card_back", "source": "*", "dest": "remove_card"},
    {"trigger": "fail", "source": "*", "dest": "error"},
    {"trigger": "finish", "source": "*", "dest": "idle"},
    # the kiosk itself
    {"trigger": "take_out_of_service", "source": "*", "dest": "out_of_service"},
    {"trigger": "close", "source": ["idle", "out_of_service"], "dest": "closed"},
    {"trigger": "enter_maintenance", "source": ["idle", "out_of_service", "closed"],
     "dest": "maintenance"},
    {"trigger": "reopen", "source": ["closed", "out_of_service", "maintenance"], "dest": "idle"},
]

ALARM_STEP = 5.0  # seconds between an ignored alarm's steps up (louder, faster)
# what the kiosk says on entering a screen (drivers/audio/voice.py has the words)
PROMPTS = {
    "idle": "welcome", "terms": "terms", "await_card": "insert-card",
    "reading_card": "please-wait", "pin_entry": "enter-pin", "authenticating": "please-wait",
    "remove_card": "remove-card", "choose_municipality": "choose",
    "choose_certificate": "choose", "choose_options": "choose", "choose_copies": "choose",
    "confirm": "confirm", "requesting": "please-wait", "payment": "insert-fee",
    "printing": "please-wait", "collect": "take-certificate", "thanks": "thanks",
    "refunding": "take-change", "error": "error", "out_of_service": "out-of-service",
    "closed": "out-of-service", "maintenance": "out-of-service",
}

OPTION_DEFAULTS: dict[str, object] = {
    "household": "self", "head_relation": False, "honseki": False, "mynumber": False,
    "resident_code": False, "nationality": False, "residence": False,
}
OPTION_CHOICES: dict[str, tuple[str, ...]] = {"household": ("self", "all")}


class Jobs(Protocol):
    def submit(self, job: str, fn: Callable[[], object], fallback: Reason) -> None: ...


@dataclass
class Ports:
    card: CardPort
    center: CenterPort
    payment: PaymentPort
    printer: PrinterPort
    alarm: AlarmPort
    journal: Journal
    voice: VoicePort | None = None
    emoney: EmoneyPort | None = None
    metrics: MetricsPort | None = None


@dataclass
class OperatorState:
    authorized: bool = False
    tries: int = 0
    report: tuple[str, ...] = ()
    last: str = ""


@dataclass
class Visit:
    """Everything about the resident in front of the kiosk; dropped when the visit ends."""

    card: CardInfo | None = None
    message: Reason | None = None
    signed_in: bool = False
    token: str = ""
    offers: list[Offer] = field(default_factory=list)
    offer: Offer | None = None
    certificate: CertificateOffer | None = None
    options: dict[str, object] = field(default_factory=dict)
    copies: int = 1
    order: Order | None = None
    fee_collected: bool = False
    inserted: int = 0
    paid_out: int = 0  # change and refunds given back
    refund_due: int = 0
    printed_docs: int = 0
    pages_done: int = 0  # of the documents printed whole
    pages_in_doc: int = 0  # of the document printing now
    pages_total: int = 0
    cancel_requested: bool = False
    paid_by: str = "cash"  # or emoney: a refund goes back the way the fee came
    ending: bool = False  # the visit is over; remove_card then leads to idle


class Session:
    """The kiosk's state machine. Feed it events with ``handle``; read ``view()``."""

    state: str  # set by the transitions Machine

    def __init__(self, config: Config, ports: Ports, jobs: Jobs, clock: Clock,
                 kiosk_id: str | None = None,
                 post: Callable[[ev.Event], None] | None = None) -> None:
        self.config = config
        self.ports = ports
        self.jobs = jobs
        self.clock = clock
        self.kiosk_id = kiosk_id or config.kiosk.id
        self.language = config.kiosk.language
        self.visit = Visit()
        self.card_present = False
        self.paper_in_tray = False
        self.change_in_tray = False
        self.alarm = "none"
        self.deadline: datetime | None = None
        self.alarm_at: datetime | None = None
        self.post = post or (lambda event: None)  # for what a running job reports on the way
        self.faults: dict[str, Reason] = {}  # what keeps the kiosk out of service
        self.printer_problem = ""  # what the printer said, for staff
        self.check_at: datetime | None = clock.now()  # the next printer pre-flight check
        self.hours_at: datetime | None = clock.now()  # the next look at the opening hours
        self.closed_reason: Reason | None = None
        self._checking = False
        self.alarm_since: datetime | None = None
        self.alerts: list[str] = []  # what staff were told (forgotten card, paper, money)
        self.no_tray_sensor = config.tray.sensor == "none"
        self.operator: OperatorState | None = None
        self.listeners: list[Callable[[str], None]] = []  # told the name of every state entered
        self.machine = Machine(
            model=self, states=STATES, transitions=TRANSITIONS, initial="idle",
            auto_transitions=False, ignore_invalid_triggers=True, send_event=True,
            after_state_change="_entered",
        )
        self._handlers: dict[type[ev.Event], Callable[[Any], None]] = {
            ev.ChooseLanguage: self._on_language,
            ev.Start: self._on_start,
            ev.Agree: self._on_agree,
            ev.CardPlaced: self._on_card_placed,
            ev.CardRemoved: self._on_card_removed,
            ev.EnterPin: self._on_pin,
            ev.ChooseMunicipality: self._on_municipality,
            ev.ChooseCertificate: self._on_certificate,
            ev.SetOptions: self._on_options,
            ev.SetCopies: self._on_copies,
            ev.Confirm: self._on_confirm,
            ev.Cancel: lambda e: self.cancel(Reason.CANCELLED),
            ev.Back: lambda e: self.trigger("back"),
            ev.Take: self._on_take,
            ev.MoreTime: lambda e: self._arm_timers(),
            ev.MoneyInserted: self._on_money,
            ev.MoneyRejected: lambda e: None,  # the unit returned it to the tray itself
            ev.TrayChanged: self._on_tray,
            ev.ReaderChanged: self._on_reader,
            ev.PrintProgress: self._on_progress,
            ev.PrinterCleared: lambda e: self.check_printer(),
            ev.PayEmoney: self._on_pay_emoney,
            ev.OperatorKey: self._on_operator_key,
            ev.OperatorAction: self._on_operator_action,
            ev.StopVoice: lambda e: self.ports.voice.stop() if self.ports.voice else None,
            ev.Tick: lambda e: self._on_tick(),
            ev.WorkDone: self._on_work_done,
            ev.WorkFailed: self._on_work_failed,
        }

    # ------------------------------------------------------------------ input
    def handle(self, event: ev.Event) -> None:
        handler = self._handlers.get(type(event))
        if handler is None:
            raise TypeError(f"the session has no handler for {type(event).__name__}")
        if type(event) not in (ev.Tick, ev.WorkDone, ev.WorkFailed, ev.TrayChanged):
            log.debug("%s in %s", type(event).__name__, self.state)
        handler(event)

    def is_signed_in(self, _: EventData | None = None) -> bool:
        return self.visit.signed_in and not self.visit.ending

    def _on_start(self, e: ev.Start) -> None:
        if self.state == "idle":
            self.trigger("start")
            self.check_printer()  # before the service is offered

    def _on_language(self, e: ev.ChooseLanguage) -> None:
        self.language = e.code
        self._arm_timers()
        prompt = PROMPTS.get(self.state)
        if prompt is not None:
            self._speak(prompt)  # the screen again, in the language just chosen

    def _on_agree(self, e: ev.Agree) -> None:
        if e.accepted:
            self.trigger("agree")
        elif self.state == "terms":
            self.cancel(Reason.CANCELLED)

    def _on_card_placed(self, e: ev.CardPlaced) -> None:
        self.card_present = True
        if self.state == "remove_card" or self.alarm == "forgotten-card":
            return  # put back while we asked for it: wait for it to be lifted
        self.trigger("card_placed")

    def _on_card_removed(self, e: ev.CardRemoved) -> None:
        self.card_present = False
        if self.alarm == "forgotten-card":
            self._set_alarm("none")
        if self.state == "pin_entry":
            self.cancel(Reason.CARD_REMOVED)
        elif self.state in ("remove_card", "error"):
            self.trigger("card_gone")
        # reading_card / authenticating: the running job fails by itself if it still needed the card

    def _on_pin(self, e: ev.EnterPin) -> None:
        if self.state == "maintenance" and self.operator and not self.operator.authorized:
            self._operator_pin(e.pin)
            return
        if self.state != "pin_entry":
            _wipe(e.pin)
            return
        if len(e.pin) != 4 or not bytes(e.pin).isdigit():
            _wipe(e.pin)
            self.visit.message = Reason.PIN_WRONG
            return
        pin = bytearray(e.pin)
        _wipe(e.pin)
        self.trigger("pin_entered")
        self.jobs.submit("authenticate", lambda: self._authenticate(pin), Reason.CARD_UNREADABLE)

    def _on_municipality(self, e: ev.ChooseMunicipality) -> None:
        offer = next((o for o in self.visit.offers if o.municipality == e.code), None)
        if self.state == "choose_municipality" and offer is not None:
            self.visit.offer = offer
            self.trigger("municipality")

    def _on_certificate(self, e: ev.ChooseCertificate) -> None:
        offer = self.visit.offer
        cert = next((c for c in offer.certificates if c.type == e.type), None) if offer else None
        if self.state == "choose_certificate" and cert is not None:
            self.visit.certificate = cert
            self.visit.options = self._default_options(cert)
            self.trigger("certificate")

    def _on_options(self, e: ev.SetOptions) -> None:
        if self.state != "choose_options" or self.visit.certificate is None:
            return
        options = dict(self.visit.options)
        for key, value in e.options.items():
            if not self._option_ok(self.visit.certificate, key, value):
                log.info("option %s refused for %s", key, self.visit.certificate.type)
                return
            options[key] = value
        self.visit.options = options
        self.trigger("options")

    def _on_copies(self, e: ev.SetCopies) -> None:
        offer = self.visit.offer
        if self.state == "choose_copies" and offer and 1 <= e.copies <= offer.max_copies:
            self.visit.copies = e.copies
            self.trigger("copies")

    def _on_confirm(self, e: ev.Confirm) -> None:
        if self.state == "error":
            self._end_error()
        elif self.state == "confirm" and e.accepted:
            v = self.visit
            assert v.offer and v.certificate
            token, town, kind = v.token, v.offer.municipality, v.certificate.type
            options, copies = dict(v.options), v.copies
            self.trigger("confirmed")
            self.jobs.submit("order", lambda: self._order(token, town, kind, options, copies),
                             Reason.CENTER_UNAVAILABLE)

    def _on_take(self, e: ev.Take) -> None:
        """With a tray sensor, the sensor reports what left the tray (TrayChanged) and this
        only keeps the timers alive; without one, the resident's word is all there is."""
        self._arm_timers()
        if self.no_tray_sensor:
            paper = self.paper_in_tray and e.what != "paper"
            change = self.change_in_tray and e.what != "change"
            self._on_tray(ev.TrayChanged(paper, change))

    def _on_tray(self, e: ev.TrayChanged) -> None:
        self.paper_in_tray, self.change_in_tray = e.paper, e.change
        if self.alarm in ("forgotten-paper", "forgotten-change") and not (e.paper or e.change):
            self._set_alarm("none")
        if self.state == "collect" and self._collected():
            self.trigger("collected")
        elif self.state == "refunding" and not e.change and self.visit.refund_due == 0:
            self._leave()

    def _on_pay_emoney(self, e: ev.PayEmoney) -> None:
        v = self.visit
        if (self.state != "payment" or v.order is None or v.inserted
                or "emoney" not in self.config.payment.methods or self.ports.emoney is None):
            return
        self.ports.payment.end()  # one way of paying at a time
        fee, emoney = v.order.fee, self.ports.emoney
        self.jobs.submit("emoney", lambda: emoney.charge(fee), Reason.EMONEY_TIMEOUT)

    def _done_emoney(self, yen: int) -> None:
        v = self.visit
        if self.state != "payment" or v.order is None:
            return
        v.paid_by = "emoney"
        v.inserted += yen
        self.ports.journal.money_in(v.order.order_id, yen)
        self._collect_fee()

    def _failed_emoney(self, e: ev.WorkFailed) -> None:
        if self.state == "payment" and self.visit.order is not None:
            self.visit.message = e.reason  # declined or timed out: cash still works
            self.ports.payment.begin(self.visit.order.fee)
            self._arm_timers()

    # ------------------------------------------------------------------ operator mode
    def _on_operator_key(self, e: ev.OperatorKey) -> None:
        """The service key combination: the operator PIN is asked next (never a gesture)."""
        if not self.config.operator.pin_hash:
            log.warning("operator key pressed, but operator mode has no PIN configured")
            return
        if self.state in ("idle", "out_of_service", "closed"):
            self.operator = OperatorState()
            self.trigger("enter_maintenance")

    def _operator_pin(self, pin: bytearray) -> None:
        op = self.operator
        assert op is not None
        if check_pin(pin, self.config.operator.pin_hash):
            op.authorized = True
            op.last = "signed in"
            self.ports.journal.operator("enter")
            return
        op.tries += 1
        op.last = "wrong operator PIN"
        log.warning("wrong operator PIN (%d)", op.tries)
        if op.tries >= 3:
            self.ports.journal.operator("refused", "three wrong operator PINs")
            self._leave_operator()

    def _on_operator_action(self, e: ev.OperatorAction) -> None:
        op = self.operator
        if self.state != "maintenance" or op is None or not op.authorized:
            return
        handler = getattr(self, f"_operator_{e.action}", None)
        if handler is None:
            log.warning("no operator action %r", e.action)
            return
        handler()

    def _operator_test_print(self) -> None:
        self.ports.journal.operator("test_print")
        pdf = test_page(self.kiosk_id, self.clock.now())
        self.jobs.submit("operator_print", lambda: self.ports.printer.print_document(
            f"test-{self.clock.now():%Y%m%d%H%M%S}", pdf), Reason.PRINTER_FAULT)

    def _done_operator_print(self, result: Any) -> None:
        if self.operator:
            self.operator.last = f"test page printed ({result.pages} page)"
        self.check_printer()

    def _failed_operator_print(self, e: ev.WorkFailed) -> None:
        if self.operator:
            self.operator.last = f"test print failed: {e.value}"

    def _operator_settlement(self) -> None:
        day = self.clock.now().date().isoformat()
        self.ports.journal.operator("settlement", day)
        report = self.ports.journal.report(day)
        t = report.totals
        lines = [f"{x.municipality} {x.certificate}: {x.count} ¥{x.fees:,}" for x in report.lines]
        lines.append(f"in ¥{t.money_in:,} fees ¥{t.fees_collected:,} change ¥{t.change:,} "
                     f"refunded ¥{t.refunded:,} outstanding ¥{t.outstanding:,}")
        if self.operator:
            self.operator.report = tuple(lines)
            self.operator.last = f"settlement {day}"

    def _operator_collect_cash(self) -> None:
        self.ports.journal.operator("collect_cash")
        taken = self.ports.payment.collect()
        self.ports.journal.operator("collect_cash done", f"¥{taken}")
        if self.operator:
            self.operator.last = f"cash box emptied: ¥{taken:,}"

    def _operator_refill(self) -> None:
        counts = {int(k): v for k, v in self.config.payment.change.items()}
        self.ports.journal.operator("refill")
        added = self.ports.payment.refill(counts)
        self.ports.journal.operator("refill done", f"¥{added}")
        if self.operator:
            self.operator.last = f"change tubes filled: ¥{added:,}"

    def _operator_clear_fault(self) -> None:
        self.ports.journal.operator("clear_fault", self.printer_problem)
        self.jobs.submit("operator_clear", self.ports.printer.clear_fault, Reason.PRINTER_FAULT)

    def _done_operator_clear(self, _: Any) -> None:
        if self.operator:
            self.operator.last = "printer fault cleared"
        self.check_printer()

    def _failed_operator_clear(self, e: ev.WorkFailed) -> None:
        if self.operator:
            self.operator.last = f"could not clear the fault: {e.value}"

    def _operator_out_of_service(self) -> None:
        self.ports.journal.operator("out_of_service")
        self.faults["operator"] = Reason.NOT_AVAILABLE_HERE
        if self.operator:
            self.operator.last = "out of service"

    def _operator_back_in_service(self) -> None:
        self.ports.journal.operator("back_in_service")
        self.faults.pop("operator", None)
        if self.operator:
            self.operator.last = "back in service"

    def _operator_leave(self) -> None:
        self.ports.journal.operator("leave")
        self._leave_operator()

    def _leave_operator(self) -> None:
        self.operator = None
        self.trigger("reopen")  # idle; out of service or closed again as need be

    def _operator_view(self) -> OperatorView | None:
        op = self.operator
        if op is None:
            return None
        service = f"no ({', '.join(sorted(self.faults))})" if self.faults else "yes"
        status = () if not op.authorized else (
            f"printer: {self.printer_problem or 'ready'}",
            f"cash: {self.ports.payment.levels()}",
            f"card reader: {'unavailable' if 'reader' in self.faults else 'ready'}",
            f"in service: {service}",
            f"staff alerts: {len(self.alerts)}")
        return OperatorView(not op.authorized, status, op.report, op.last)

    def _on_reader(self, e: ev.ReaderChanged) -> None:
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
            self._go_out_of_service()
        elif state in ("terms", "await_card", "pin_entry"):
            self.cancel(Reason.READER_UNAVAILABLE)  # the visit ends; then out of service
        elif state in ("remove_card", "error"):
            self._leave(force=True)  # the card cannot be seen lifted any more
        # reading_card / authenticating: the card job fails by itself and ends the visit;
        # later states need no card: the visit finishes, then the kiosk goes out of service.

    def _go_out_of_service(self) -> None:
        log.warning("out of service: %s", ", ".join(sorted(self.faults)))
        if self.ports.metrics:
            self.ports.metrics.out_of_service(True)
        self.trigger("take_out_of_service")

    def _on_money(self, e: ev.MoneyInserted) -> None:
        v = self.visit
        v.inserted += e.yen
        order_id = v.order.order_id if v.order else None
        self.ports.journal.money_in(order_id, e.yen)
        if self.state != "payment" or v.order is None:
            self._refund_unwanted()
            return
        self._arm_timers()
        if v.inserted >= v.order.fee:
            self._collect_fee()

    # ------------------------------------------------------------------ time
    def next_deadline(self) -> datetime | None:
        check = self.check_at if self.state in ("idle", "out_of_service") else None
        hours = self.hours_at if self.state in ("idle", "closed") else None
        step = (self.alarm_since + timedelta(seconds=ALARM_STEP * (self._alarm_steps() + 1))
                if self.alarm_since is not None else None)
        times = [t for t in (self.deadline, self.alarm_at, check, step, hours) if t is not None]
        return min(times) if times else None

    def _alarm_steps(self) -> int:
        if self.alarm_since is None:
            return 0
        return int((self.clock.now() - self.alarm_since).total_seconds() // ALARM_STEP)

    def _on_tick(self) -> None:
        now = self.clock.now()
        if self.alarm_at is not None and now >= self.alarm_at:
            self.alarm_at = None
            kind = self._forgotten()
            if kind is not None:
                self._set_alarm(kind)
        if self.alarm_since is not None:
            self.ports.alarm.escalate((now - self.alarm_since).total_seconds())
        if (self.hours_at is not None and now >= self.hours_at
                and self.state in ("idle", "closed")):
            self._look_at_hours(now)
        if (self.check_at is not None and now >= self.check_at
                and self.state in ("idle", "out_of_service")):
            self.check_at = None
            self.check_printer()
        if self.deadline is not None and now >= self.deadline:
            self.deadline = None
            self._timed_out()

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
        if self.state == "remove_card":
            return "forgotten-card" if self.card_present else None
        if self.paper_in_tray:
            return "forgotten-paper"
        return "forgotten-change" if self.change_in_tray else None

    def _timeout_for(self, state: str) -> float | None:
        t = self.config.timeouts
        table = {
            "terms": t.terms, "await_card": t.await_card, "pin_entry": t.pin_entry,
            "choose_municipality": t.choose, "choose_certificate": t.choose,
            "choose_options": t.choose, "choose_copies": t.choose, "confirm": t.confirm,
            "payment": t.payment, "remove_card": t.remove_card_giveup,
            "collect": t.collect_giveup, "thanks": t.thanks, "error": t.error,
            "refunding": t.refunding,
        }
        return table.get(state)

    def _arm_timers(self) -> None:
        now = self.clock.now()
        seconds = self._timeout_for(self.state)
        self.deadline = now + timedelta(seconds=seconds) if seconds else None
        alarm = {"remove_card": self.config.timeouts.remove_card_alarm,
                 "collect": self.config.timeouts.collect_alarm,
                 "refunding": self.config.timeouts.collect_alarm}.get(self.state)
        if alarm is None or self.alarm != "none":
            self.alarm_at = None
        else:
            self.alarm_at = now + timedelta(seconds=alarm)

    def _timed_out(self) -> None:
        state = self.state
        log.info("inactivity timeout in %s", state)
        if state in ("thanks", "error"):
            self._end_error() if state == "error" else self.trigger("finish")
        elif state == "remove_card":
            self._alert_staff("card left on the reader")
            self._leave(force=True)
        elif state in ("collect", "refunding"):
            if self.paper_in_tray or self.change_in_tray:
                self._alert_staff("certificate left in the tray" if self.paper_in_tray
                                  else "money left in the tray")
            self._leave(force=True)
        else:
            self.cancel(Reason.TIMEOUT)

    # ------------------------------------------------------------------ state entry
    def _entered(self, event: EventData) -> None:
        log.info("state %s", self.state)
        self._arm_timers()
        for listener in self.listeners:
            listener(self.state)
        if self.alarm in ("forgotten-paper", "forgotten-change") and self.state not in (
                "collect", "refunding"):
            self._set_alarm("none")
        prompt = PROMPTS.get(self.state)
        if prompt is not None:
            self._speak(prompt)
        enter = getattr(self, f"_enter_{self.state}", None)
        if enter is not None:
            enter()

    def _enter_idle(self) -> None:
        self._close_card()
        self.visit = Visit()
        self.language = self.config.kiosk.language
        self.deadline = None
        if self.check_at is None and not self._checking:
            self.check_at = self.clock.now() + timedelta(seconds=self.config.printer.check_seconds)
        if self.faults:
            self._go_out_of_service()
        else:
            self.hours_at = self.clock.now()  # closing time may have come during the visit

    def _enter_out_of_service(self) -> None:
        self._close_card()
        self.visit = Visit()
        self.deadline = None

    def _enter_terms(self) -> None:
        self.visit = Visit()
        if self.ports.metrics:
            self.ports.metrics.visit_started()

    def _enter_await_card(self) -> None:
        if self.card_present:  # already on the reader (put down before the prompt)
            self.trigger("card_placed")

    def _enter_reading_card(self) -> None:
        self.jobs.submit("read_card", self.ports.card.open, Reason.CARD_UNREADABLE)

    def _enter_remove_card(self) -> None:
        if not self.card_present:
            self.trigger("card_gone")

    def _enter_payment(self) -> None:
        order = self.visit.order
        assert order is not None
        if order.fee == 0:
            self._collect_fee()
            return
        if "cash" in self.config.payment.methods:
            if not self.ports.payment.can_change(order.fee):
                self.visit.message = Reason.EXACT_AMOUNT_ONLY  # said before any money goes in
            self.ports.payment.begin(order.fee - self.visit.inserted)

    def _enter_printing(self) -> None:
        self._print_next()

    def _enter_collect(self) -> None:
        self.ports.alarm.chime()  # the certificate is in the tray
        if self._collected():
            self.trigger("collected")

    # ------------------------------------------------------------------ jobs
    def _authenticate(self, pin: bytearray) -> object:
        """Worker side: VERIFY, sign the center's challenge on the card, ask the center."""
        card = self.ports.card
        try:
            card.verify_pin(pin)
        finally:
            _wipe(pin)
        challenge = self.ports.center.challenge()
        digest = hashlib.sha256(auth_message(challenge.nonce, self.kiosk_id)).digest()
        signature = card.sign(SHA256_DIGEST_INFO + digest)
        certificate = card.read_auth_certificate()
        card.close()
        return self.ports.center.authenticate(certificate, signature, challenge.nonce)

    def _order(self, token: str, town: str, kind: str, options: dict[str, object],
               copies: int) -> Order:
        """Worker side: the printer is checked again before any money is asked for."""
        problem = self.ports.printer.ready()
        if problem is not None:
            raise PrinterError(problem)
        return self.ports.center.order(token, town, kind, options, copies)

    # ------------------------------------------------------------------ the printer
    def check_printer(self) -> None:
        """Pre-flight: ask the printer (a job) whether it can print."""
        if not self._checking:
            self._checking = True
            self.jobs.submit("preflight", self.ports.printer.ready, Reason.PRINTER_FAULT)

    def _done_preflight(self, problem: str | None) -> None:
        self._checking = False
        if self.state in ("idle", "out_of_service"):
            self.check_at = self.clock.now() + timedelta(
                seconds=self.config.printer.check_seconds)
        if self.ports.metrics:
            self.ports.metrics.printer(problem is None)
        if problem is None:
            if self.faults.pop("printer", None) is not None:
                log.info("printer ready again")
            self.printer_problem = ""
            if self.state == "out_of_service" and not self.faults:
                self.trigger("reopen")
                if self.ports.metrics:
                    self.ports.metrics.out_of_service(False)
        else:
            self._printer_fault(problem)

    def _failed_preflight(self, e: ev.WorkFailed) -> None:
        self._done_preflight(str(e.value) if e.value else "the printer does not answer")

    def _printer_fault(self, problem: str) -> None:
        if self.ports.metrics and "printer" not in self.faults:
            self.ports.metrics.error(str(Reason.PRINTER_FAULT))
        self.faults["printer"] = Reason.PRINTER_FAULT
        if problem != self.printer_problem:
            log.warning("printer not ready: %s", problem)
        self.printer_problem = problem
        if self.state in ("idle", "closed", "maintenance"):
            self._go_out_of_service()
        elif self.state in ("terms", "await_card", "pin_entry"):
            self.cancel(Reason.PRINTER_FAULT)
        # later: the order job checks again before money is taken; a visit in payment or
        # printing finishes (or is refunded), then the kiosk goes out of service

    def _on_progress(self, e: ev.PrintProgress) -> None:
        if self.state == "printing":
            self.visit.pages_in_doc = e.pages

    def _on_work_done(self, e: ev.WorkDone) -> None:
        handler = getattr(self, f"_done_{e.job.split(':')[0]}")
        handler(e.value)

    def _on_work_failed(self, e: ev.WorkFailed) -> None:
        job = e.job.split(":")[0]
        handler = getattr(self, f"_failed_{job}", None)
        if handler is not None:
            handler(e)
        else:
            log.error("job %s failed: %s", e.job, e.reason)

    def _done_read_card(self, info: CardInfo) -> None:
        self.visit.card = info
        if info.tries_left == 0:
            self._close_card()
            self._fail(Reason.PIN_LOCKED)
        elif self.visit.cancel_requested:
            self._close_card()
            self.cancel(Reason.CANCELLED)
        else:
            self.trigger("card_read")

    def _failed_read_card(self, e: ev.WorkFailed) -> None:
        self._close_card()
        self._fail(e.reason)

    def _done_authenticate(self, result: Any) -> None:
        self.visit.signed_in = True
        self.visit.token = result.token
        self.visit.offers = list(result.offers)
        self.visit.message = None
        if self.visit.cancel_requested:
            self.cancel(Reason.CANCELLED)
        else:
            self.trigger("authenticated")

    def _failed_authenticate(self, e: ev.WorkFailed) -> None:
        if isinstance(e.value, PinWrong) and e.value.tries_left > 0 and self.visit.card:
            self.visit.card = CardInfo(self.visit.card.kind, e.value.tries_left)
            self.visit.message = Reason.PIN_WRONG
            self.trigger("pin_rejected")
            return
        self._close_card()
        self._fail(Reason.PIN_LOCKED if isinstance(e.value, PinWrong) else e.reason)

    def _done_order(self, order: Order) -> None:
        v = self.visit
        assert v.offer and v.certificate
        if "free" in self.config.payment.methods:
            order = replace(order, fee=0)  # the town waives the fee at this kiosk
        v.order = order
        v.pages_total = sum(d.pages for d in order.documents)
        self.ports.journal.order_created(order.order_id, v.offer.municipality,
                                         v.certificate.type, v.copies, order.fee)
        if v.cancel_requested:
            self.cancel(Reason.CANCELLED)
        else:
            self.trigger("order_ready")

    def _failed_order(self, e: ev.WorkFailed) -> None:
        if e.reason == Reason.PRINTER_FAULT:
            self._printer_fault(str(e.value))
        v = self.visit
        if isinstance(e.value, DocumentRejected) and v.offer and v.certificate:
            # Created at the center, refused here before the printer saw a byte: on record as
            # voided (the client has told the center), nothing charged.
            self.ports.journal.order_created(e.value.order_id, v.offer.municipality,
                                             v.certificate.type, v.copies, e.value.fee)
            self.ports.journal.order_voided(e.value.order_id, str(e.reason))
        self._fail(e.reason)

    def _print_next(self) -> None:
        v = self.visit
        assert v.order is not None
        if v.printed_docs == len(v.order.documents):
            self.ports.journal.order_completed(v.order.order_id, v.printed_docs)
            if self.ports.metrics and v.certificate:
                self.ports.metrics.certificate_printed(v.certificate.type, v.printed_docs)
            order_id, printed = v.order.order_id, v.printed_docs
            self.jobs.submit("complete", lambda: self.ports.center.complete(order_id, printed),
                             Reason.CENTER_UNAVAILABLE)
            self.trigger("all_printed")
            return
        doc = v.order.documents[v.printed_docs]
        self.ports.journal.printing(v.order.order_id, doc.document_id)
        name = f"{v.order.order_id}-{doc.document_id}"
        progress = self.post_progress
        self.jobs.submit(f"print:{doc.document_id}",
                         lambda: self.ports.printer.print_document(name, doc.pdf, progress),
                         Reason.PRINTER_FAULT)

    def post_progress(self, pages: int) -> None:
        """Called from the print job as pages come out."""
        self.post(ev.PrintProgress(pages))

    def _done_print(self, result: Any) -> None:
        v = self.visit
        assert v.order is not None
        doc = v.order.documents[v.printed_docs]
        self.ports.journal.printed(doc.document_id, result.pages)
        v.printed_docs += 1
        v.pages_done += result.pages
        v.pages_in_doc = 0
        if self.no_tray_sensor:
            self.paper_in_tray = True  # nothing tells us otherwise until the resident does
        self._print_next()

    def _failed_print(self, e: ev.WorkFailed) -> None:
        v = self.visit
        assert v.order is not None
        doc = v.order.documents[v.printed_docs]
        pages = getattr(e.value, "pages_out", 0)
        self.ports.journal.print_failed(doc.document_id, pages)
        self._printer_fault(str(e.value) if e.value else "print failed")
        log.error("printing failed: %s; giving back what was not printed", e.reason)
        v.message = Reason.PRINTER_FAULT
        order_id = v.order.order_id
        if v.printed_docs:  # these copies were handed over: the order stands for them
            self.ports.journal.order_completed(order_id, v.printed_docs)
            printed = v.printed_docs
            self.jobs.submit("complete", lambda: self.ports.center.complete(order_id, printed),
                             Reason.CENTER_UNAVAILABLE)
        else:
            self._void_order(Reason.PRINTER_FAULT)
        v.fee_collected = False
        v.refund_due = self.ports.journal.held(order_id)
        v.ending = True
        if v.refund_due > 0:
            self._pay_out("refund", v.refund_due)
        self.trigger("refund")

    def _done_complete(self, _: Any) -> None:
        log.info("order completed at the center")

    def _failed_complete(self, e: ev.WorkFailed) -> None:
        log.warning("the center did not take the completion (%s); the journal has it", e.reason)

    def _done_cancel(self, _: Any) -> None:
        log.info("order voided at the center")

    def _failed_cancel(self, e: ev.WorkFailed) -> None:
        log.warning("the center did not take the void (%s); the journal has it", e.reason)

    def _done_payout(self, _: Any) -> None:
        if self.state == "refunding":
            self.visit.refund_due = 0
            if not self.change_in_tray:  # nothing to take (or it went back to the card)
                self._leave()

    def _failed_payout(self, e: ev.WorkFailed) -> None:
        log.error("the cash unit could not pay out (%s): staff attention needed", e.reason)
        if self.state == "refunding":
            self.visit.refund_due = 0
            self._leave(force=True)

    # ------------------------------------------------------------------ money
    def _collect_fee(self) -> None:
        v = self.visit
        assert v.order is not None
        self.ports.payment.end()
        self.ports.journal.order_paid(v.order.order_id, v.order.fee)
        self.ports.payment.keep()
        v.fee_collected = True
        change = v.inserted - v.order.fee
        if change > 0:
            self._pay_out("change", change)
        self.trigger("paid_in_full")

    def _pay_out(self, kind: str, yen: int) -> None:
        """Journal the payout as due, then let the cash unit give it; done when it reports."""
        order_id = self.visit.order.order_id if self.visit.order else None
        row = self.ports.journal.payout_due(order_id, kind, yen)
        self.visit.paid_out += yen
        if self.no_tray_sensor and self.visit.paid_by == "cash":
            self.change_in_tray = True

        to_card = kind == "refund" and self.visit.paid_by == "emoney" and self.ports.emoney
        payer = self.ports.emoney.refund if to_card else self.ports.payment.dispense  # type: ignore[union-attr]

        def give() -> int:
            given = payer(yen)
            self.ports.journal.payout_done(row, given)
            return given

        self.jobs.submit(f"payout:{kind}", give, Reason.CANCELLED)

    def _held(self) -> int:
        """Money the kiosk holds for this resident and must give back if the order fails."""
        v = self.visit
        fee = v.order.fee if (v.order and v.fee_collected) else 0
        return v.inserted - fee - v.paid_out

    def _refund_unwanted(self) -> None:
        held = self._held()
        if held > 0:
            self._pay_out("refund", held)

    def _start_refund(self) -> None:
        """The visit ends before payment completed: everything held goes back."""
        v = self.visit
        v.refund_due = self._held()
        v.ending = True
        self._pay_out("refund", v.refund_due)
        self.trigger("refund")

    # ------------------------------------------------------------------ ending
    def cancel(self, reason: Reason) -> None:
        """End the visit from any resident-facing state: void the order, return every yen."""
        state = self.state
        if state in BUSY:
            self.visit.cancel_requested = True  # acted on when the running job reports
            return
        if state in ("idle", "closed", "out_of_service", "maintenance", "thanks", "collect",
                     "refunding"):
            return
        if state == "error":
            self._end_error()
            return
        self.ports.payment.end()
        self.visit.message = reason
        self.visit.ending = True
        self._void_order(reason)
        if self._held() > 0:
            self._start_refund()
        else:
            self._leave()

    def _void_order(self, reason: Reason) -> None:
        order = self.visit.order
        if order is None or self.visit.fee_collected and reason != Reason.PRINTER_FAULT:
            return
        self.ports.journal.order_voided(order.order_id, str(reason))
        self.jobs.submit("cancel", lambda: self.ports.center.cancel(order.order_id),
                         Reason.CENTER_UNAVAILABLE)

    def _fail(self, reason: Reason) -> None:
        if self.ports.metrics:
            self.ports.metrics.refused(str(reason))
        self.visit.message = reason
        self.visit.ending = True
        if self.faults:  # the failure is the kiosk's, not the resident's: out of service
            self._leave(force=True)
        else:
            self.trigger("fail")

    def _end_error(self) -> None:
        if self.card_present:
            self.trigger("ask_card_back")
        else:
            self.trigger("finish")

    def _leave(self, force: bool = False) -> None:
        """The visit is over: the card comes back first, then the kiosk is idle again."""
        self.visit.ending = True
        if self.card_present and not force and self.state != "remove_card":
            self.trigger("ask_card_back")
        else:
            self._set_alarm("none")
            self.trigger("finish")

    def _close_card(self) -> None:
        try:
            self.ports.card.close()
        except KioskError as exc:
            log.info("card release: %s", exc.reason)

    def _collected(self) -> bool:
        return not self.paper_in_tray and not self.change_in_tray

    def _set_alarm(self, kind: str) -> None:
        if kind == self.alarm:
            return
        self.alarm = kind
        if kind == "none":
            self.alarm_since = None
            self.ports.alarm.silence()
        else:
            log.warning("alarm: %s", kind)
            if self.ports.metrics:
                self.ports.metrics.alarm(kind)
            self.alarm_since = self.clock.now()
            self.ports.alarm.sound(kind)
            self._speak(kind)

    def _alert_staff(self, what: str) -> None:
        """Nobody came back: tell the staff, and go on safely."""
        log.warning("staff attention needed: %s", what)
        self.alerts.append(what)

    def _speak(self, prompt: str) -> None:
        if self.ports.voice is not None:
            self.ports.voice.speak(prompt, self.language)

    # ------------------------------------------------------------------ options
    def _default_options(self, cert: CertificateOffer) -> dict[str, object]:
        options: dict[str, object] = {k: OPTION_DEFAULTS[k] for k in cert.options
                                      if k in OPTION_DEFAULTS}
        if cert.years:
            options["year"] = max(cert.years)
        return options

    def _option_ok(self, cert: CertificateOffer, key: str, value: object) -> bool:
        if key == "year":
            return isinstance(value, int) and value in cert.years
        if key not in cert.options or key not in OPTION_DEFAULTS:
            return False
        if key in OPTION_CHOICES:
            return value in OPTION_CHOICES[key]
        return isinstance(value, bool)

    # ------------------------------------------------------------------ view
    def view(self) -> View:
        v = self.visit
        state = self.state
        step_state = STEP_OF.get(state, state)
        in_journey = step_state in JOURNEY and not v.ending
        fee = v.order.fee if v.order else None
        if fee is None and v.certificate is not None and state == "confirm":
            fee = 0 if "free" in self.config.payment.methods else v.certificate.fee * v.copies
        now = self.clock.now()
        return View(
            screen=state,
            language=self.language,
            step=JOURNEY.index(step_state) + 1 if in_journey else 0,
            steps=len(JOURNEY) if in_journey else 0,
            message=(str(next(iter(self.faults.values()))) if state == "out_of_service"
                     and self.faults else str(self.closed_reason) if state == "closed"
                     and self.closed_reason else str(v.message) if v.message else None),
            opens_at=self._opens_at(now) if state == "closed" else None,
            operator=self._operator_view() if state == "maintenance" else None,
            tries_left=v.card.tries_left if v.card else None,
            last_try_warning=bool(v.card and v.card.tries_left == 1 and state == "pin_entry"),
            municipalities=tuple(
                Choice(o.municipality, dict(o.names), note="home" if o.home else "register")
                for o in v.offers),
            municipality=(Choice(v.offer.municipality, dict(v.offer.names)) if v.offer else None),
            certificates=tuple(Choice(c.type, fee=c.fee) for c in v.offer.certificates)
            if v.offer else (),
            certificate=v.certificate.type if v.certificate else None,
            options=self._option_fields(),
            copies=v.copies,
            max_copies=v.offer.max_copies if v.offer else 1,
            fee=fee,
            paid=v.inserted,
            change=max(0, v.inserted - fee) if (fee is not None and v.fee_collected) else 0,
            refund=v.refund_due,
            pages_done=v.pages_done + v.pages_in_doc,
            pages_total=v.pages_total,
            alarm=self.alarm,
            card_kind=v.card.kind if v.card else None,
            can_cancel=state in ("terms", "await_card", "pin_entry", "confirm", "payment",
                                 *CHOOSING),
            can_back=any(t["trigger"] == "back" and t["source"] == state for t in TRANSITIONS),
            methods=tuple(self.config.payment.methods),
            busy=state in BUSY,
            seconds_left=math.ceil((self.deadline - now).total_seconds()) if self.deadline
            else None,
        )

    def _opens_at(self, now: datetime) -> str | None:
        when = next_opening(self.config.hours, now)
        return when.isoformat(timespec="minutes") if when else None

    def _option_fields(self) -> tuple[OptionField, ...]:
        cert = self.visit.certificate
        if cert is None:
            return ()
        fields = [
            OptionField(k, "choice" if k in OPTION_CHOICES else "bool", self.visit.options.get(k),
                        OPTION_CHOICES.get(k, ()))
            for k in cert.options if k in OPTION_DEFAULTS
        ]
        if cert.years:
            fields.append(OptionField("year", "choice", self.visit.options.get("year"),
                                      tuple(str(y) for y in cert.years)))
        return tuple(fields)


SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


def _wipe(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0
