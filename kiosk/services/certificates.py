"""The certificate service: choose whose, which, its options and copies; order, pay, print."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.center.protocol import CertificateOffer, Hours, Offer, Order
from kiosk.i18n import N_
from kiosk.services.api import Core, Handler, Service, Transition
from kiosk.services.counter_ticket import Ticketing, TicketPrinted, at_counter
from kiosk.session.hours import first_closed
from kiosk.session.visit import OrderLine
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.reasons import DocumentRejected, PrinterError, Reason
from kiosk.vocabulary.states import SIGN_IN_JOURNEY, StateInfo
from kiosk.vocabulary.view import Choice, OptionField, View

log = logging.getLogger(__name__)

ID = "certificates"
CHOOSING = ("choose_municipality", "choose_certificate", "choose_options", "choose_copies")
OPTION_DEFAULTS: dict[str, object] = {
    "household": "self", "head_relation": False, "honseki": False, "mynumber": False,
    "resident_code": False, "nationality": False, "residence": False,
}
OPTION_CHOICES: dict[str, tuple[str, ...]] = {"household": ("self", "all")}


@dataclass(frozen=True)
class OrderMade(JobResult):
    """The center made the order; its documents passed their binding check."""

    order: Order


class CertificateFlow:
    """The resident's choices for one visit, and the rules of choosing and ordering."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.ticketing = Ticketing(core)  # a counter kiosk's end of an order
        self.reset()

    def reset(self) -> None:
        self.offer: Offer | None = None
        self.certificate: CertificateOffer | None = None
        self.options: dict[str, object] = {}
        self.copies = 1
        self.ticketing.reset()

    def entered(self, state: str) -> None:
        """Nothing starts by itself on the service's screens."""

    def handlers(self) -> Mapping[type[ev.Event], Handler]:
        return {ev.ChooseMunicipality: self._on_municipality,
                ev.ChooseCertificate: self._on_certificate, ev.SetOptions: self._on_options,
                ev.SetCopies: self._on_copies, ev.Confirm: self._on_confirm}

    def results(self) -> Mapping[type[JobResult], Handler]:
        return {OrderMade: self._done_order, TicketPrinted: self.ticketing.printed}

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        return {OrderMade: self._failed_order, TicketPrinted: self.ticketing.failed}

    # ------------------------------------------------------------------ choosing
    def _on_municipality(self, e: ev.ChooseMunicipality) -> None:
        offer = next((o for o in self.core.visit.offers if o.municipality == e.code), None)
        if self.core.state == "choose_municipality" and offer is not None:
            self.offer = offer
            self.core.visit.message = None
            self.core.trigger("municipality")

    def closed(self, cert: CertificateOffer, now: datetime) -> tuple[Reason, Hours] | None:
        """Why ``cert`` of the chosen town is not issued now, with the hours that say so (the
        town's, then the certificate's narrower ones), on the kiosk's clock; None if it is."""
        town = self.core.town_hours(self.offer.municipality) if self.offer else None
        return first_closed((town, cert.hours), now)

    def _on_certificate(self, e: ev.ChooseCertificate) -> None:
        offer = self.offer
        cert = next((c for c in offer.certificates if c.type == e.type), None) if offer else None
        if self.core.state == "choose_certificate" and cert is not None:
            closed = self.closed(cert, self.core.clock.now())
            if closed is not None:  # said at once, on this screen: another one may be chosen
                log.info("%s not issued now: %s", cert.type, closed[0])
                self.core.visit.message = closed[0]
                return
            self.core.visit.message = None
            self.certificate = cert
            self.options = default_options(cert)
            self.core.trigger("certificate")

    def _on_options(self, e: ev.SetOptions) -> None:
        cert = self.certificate
        if self.core.state != "choose_options" or cert is None:
            return
        options = dict(self.options)
        for key, value in e.options.items():
            if not option_ok(cert, key, value):
                log.info("option %s refused for %s", key, cert.type)
                return
            options[key] = value
        self.options = options
        self.core.trigger("options")

    def _on_copies(self, e: ev.SetCopies) -> None:
        offer = self.offer
        if self.core.state == "choose_copies" and offer and 1 <= e.copies <= offer.max_copies:
            self.copies = e.copies
            self.core.trigger("copies")

    # ------------------------------------------------------------------ ordering
    def _on_confirm(self, e: ev.Confirm) -> None:
        if self.core.state != "confirm" or not e.accepted:
            return
        assert self.offer and self.certificate
        core = self.core
        token, town, kind = core.visit.token, self.offer.municipality, self.certificate.type
        options, copies = dict(self.options), self.copies
        printer, center = core.ports.printer, core.ports.center

        def order() -> OrderMade:
            """Worker side: the printer is checked again before any money is asked for."""
            problem = printer.ready()
            if problem is not None:
                raise PrinterError(problem)
            return OrderMade(center.order(token, town, kind, options, copies))

        core.trigger("confirmed")
        core.submit(OrderMade, order, Reason.CENTER_UNAVAILABLE)

    def _line(self) -> OrderLine:
        assert self.offer and self.certificate
        return OrderLine(self.offer.municipality, self.certificate.type, self.copies)

    def _done_order(self, result: OrderMade) -> None:
        if at_counter(self.core):  # らくらく窓口: a ticket, and the counter takes the fee
            self.ticketing.issue(result.order, self._line())
        else:
            self.core.order_ready(result.order, self._line())

    def _failed_order(self, e: WorkFailed) -> None:
        if e.reason == Reason.PRINTER_FAULT:
            self.core.printer_fault(str(e.error) if e.error else "printer not ready")
        if isinstance(e.error, DocumentRejected) and self.offer and self.certificate:
            self.core.order_rejected(e.error, self._line())
        self.core.fail(e.reason)

    # ------------------------------------------------------------------ view
    def view(self, view: View, now: datetime) -> View:
        cert, offer = self.certificate, self.offer
        fee = view.fee
        if fee is None and cert is not None and view.screen == "confirm":
            free = "free" in self.core.config.payment.methods
            fee = 0 if free else cert.fee * self.copies
        return replace(
            view,
            municipalities=tuple(
                Choice(o.municipality, dict(o.names), note="home" if o.home else "register")
                for o in self.core.visit.offers),
            municipality=Choice(offer.municipality, dict(offer.names)) if offer else None,
            certificates=tuple(self._choice(c, now) for c in offer.certificates)
            if offer else (),
            certificate=cert.type if cert else None,
            options=option_fields(cert, self.options),
            copies=self.copies,
            max_copies=offer.max_copies if offer else 1,
            fee=fee,
            ticket=self.ticketing.number,
        )

    def _choice(self, cert: CertificateOffer, now: datetime) -> Choice:
        closed = self.closed(cert, now)
        if closed is None:
            return Choice(cert.type, fee=cert.fee)
        reason, hours = closed
        return Choice(cert.type, fee=cert.fee, closed=str(reason),
                      hours=(hours.open, hours.close, hours.weekdays_only))


# ---------------------------------------------------------------------- options
def default_options(cert: CertificateOffer) -> dict[str, object]:
    options: dict[str, object] = {k: OPTION_DEFAULTS[k] for k in cert.options
                                  if k in OPTION_DEFAULTS}
    if cert.years:
        options["year"] = max(cert.years)
    return options


def option_ok(cert: CertificateOffer, key: str, value: object) -> bool:
    if key == "year":
        return isinstance(value, int) and value in cert.years
    if key not in cert.options or key not in OPTION_DEFAULTS:
        return False
    if key in OPTION_CHOICES:
        return value in OPTION_CHOICES[key]
    return isinstance(value, bool)


def option_fields(cert: CertificateOffer | None,
                  options: dict[str, object]) -> tuple[OptionField, ...]:
    if cert is None:
        return ()
    fields = [
        OptionField(k, "choice" if k in OPTION_CHOICES else "bool", options.get(k),
                    OPTION_CHOICES.get(k, ()))
        for k in cert.options if k in OPTION_DEFAULTS
    ]
    if cert.years:
        fields.append(OptionField("year", "choice", options.get("year"),
                                  tuple(str(y) for y in cert.years)))
    return tuple(fields)


def _choosing(name: str) -> StateInfo:
    return StateInfo(name, prompt="choose", timeout="choose", step=name, cancellable=True,
                     service=ID)


SERVICE = Service(
    id=ID,
    title=N_("Get a certificate"),
    states=(
        *(_choosing(name) for name in CHOOSING),
        StateInfo("confirm", prompt="confirm", timeout="confirm", step="confirm",
                  cancellable=True, service=ID),
        StateInfo("requesting", prompt="please-wait", step="confirm", busy=True, service=ID),
        # a counter kiosk's ticket (受付票): take it to the counter, which takes the fee
        StateInfo("ticket", prompt="thanks", timeout="collect_giveup", on_timeout="leave",
                  alarm="collect_alarm", settled=True, service=ID),
    ),
    transitions=(
        Transition("municipality", "choose_municipality", "choose_certificate"),
        Transition("certificate", "choose_certificate", "choose_options"),
        Transition("options", "choose_options", "choose_copies"),
        Transition("copies", "choose_copies", "confirm"),
        Transition("confirmed", "confirm", "requesting"),
        Transition("order_ready", "requesting", "payment"),
        Transition("ticketed", "requesting", "ticket"),
        Transition("collected", "ticket", "thanks"),
        Transition("back", "choose_certificate", "choose_municipality"),
        Transition("back", "choose_options", "choose_certificate"),
        Transition("back", "choose_copies", "choose_options"),
        Transition("back", "confirm", "choose_copies"),
        # before any money is in; the order is voided first (PayingRules.back_from_payment)
        Transition("back", "payment", "confirm", condition="nothing_paid"),
    ),
    journey=(*SIGN_IN_JOURNEY, *CHOOSING, "confirm", "payment", "collect"),
    entry="choose_municipality",
    flow=CertificateFlow,
    order=10,
)
