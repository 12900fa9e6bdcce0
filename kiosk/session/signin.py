"""Sign-in: the PIN to the card, the center's challenge signed on the card, the center's answer.

The worker side (``sign_in``) runs the exchange over the card and center ports; the PIN is wiped
as soon as the card has it. ``after_failure`` says what a failed sign-in means for the visit.
``SignInRules`` is the part of the session every service shares from "place your card" to
"take your card": reading it, the PIN, the sign-in's results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from kiosk.center.protocol import Catalog, Challenge, Hours, auth_message
from kiosk.session import jobs
from kiosk.session.card_services import CardServiceRules
from kiosk.session.jobs import SignedIn
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import WorkFailed
from kiosk.vocabulary.ports import CardInfo, CardPort, CenterPort
from kiosk.vocabulary.reasons import KioskError, PinWrong, Reason

log = logging.getLogger(__name__)


def wipe(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0


def pin_acceptable(pin: bytearray) -> bool:
    """Four digits, as the keypad makes them."""
    return len(pin) == 4 and bytes(pin).isdigit()


def sign_in(card: CardPort, center: CenterPort, pin: bytearray, kiosk_id: str) -> SignedIn:
    """Worker side: VERIFY, sign the center's challenge on the card, ask the center."""
    try:
        card.verify_pin(pin)
    finally:
        wipe(pin)
    return answer_challenge(card, center, center.challenge(), kiosk_id)


def answer_challenge(card: CardPort, center: CenterPort, challenge: Challenge,
                     kiosk_id: str) -> SignedIn:
    """Worker side, once the card may sign: its answer to the challenge, to the center (the
    certificate and signature, or a town AP's user id and MAC); the card is released."""
    signature = card.sign_message(auth_message(challenge.nonce, kiosk_id))
    town = card.town_card()
    if town is not None:
        card.close()
        return SignedIn(center.authenticate_ap(town, signature, challenge.nonce))
    certificate = card.read_auth_certificate()
    card.close()
    return SignedIn(center.authenticate(certificate, signature, challenge.nonce))


def with_catalog(signed: SignedIn, center: CenterPort) -> SignedIn:
    """Worker side, after a sign-in: the center's catalog with it (its towns' hours); without
    it (the center cannot give it now) the sign-in stands and the order is where hours are
    checked; it is asked for again at the next sign-in."""
    catalog = catalog_or_none(center)
    return signed if catalog is None else replace(signed, catalog=catalog)


def catalog_or_none(center: CenterPort) -> Catalog | None:
    """Worker side: the center's catalog, or None when it cannot give it now."""
    try:
        return center.catalog()
    except KioskError as exc:
        log.info("no catalog from the center (%s): hours are checked at the order", exc.reason)
        return None


def card_ap_towns(catalog: Catalog) -> frozenset[str]:
    """The towns that take the card-AP method (a municipality's own AP on the card)."""
    return frozenset(m.code for m in catalog.municipalities
                     if m.participating and "card-ap" in m.auth)


@dataclass(frozen=True)
class TryAgain:
    """A wrong PIN with tries left: the PIN screen again, showing them."""

    card: CardInfo


def after_failure(failure: WorkFailed, card: CardInfo | None) -> TryAgain | Reason:
    """A wrong PIN with tries left can be typed again; anything else ends the visit."""
    error = failure.error
    if isinstance(error, PinWrong) and error.tries_left > 0 and card is not None:
        return TryAgain(replace(card, tries_left=error.tries_left))
    return Reason.PIN_LOCKED if isinstance(error, PinWrong) else failure.reason


class SignInRules(CardServiceRules):
    """The card and the sign-in (a part of ``Session``)."""

    def _on_card_placed(self, e: ev.CardPlaced) -> None:
        self.card_present = True
        if self.state == "remove_card" or self.alarms.kind == "forgotten-card":
            return  # put back while we asked for it: wait for it to be lifted
        self.trigger("card_placed")

    def _on_card_removed(self, e: ev.CardRemoved) -> None:
        self.card_present = False
        if self.alarms.kind == "forgotten-card":
            self.alarms.set("none")
        if self.state in ("pin_entry", "phone_confirm"):
            self.cancel(Reason.CARD_REMOVED)
        elif self._service_card_removed():
            return
        elif self.state in ("remove_card", "error"):
            self.trigger("card_gone")
        # reading_card / authenticating: the running job fails by itself if it still needed the card

    def _on_pin(self, e: ev.EnterPin) -> None:
        if self.state == "maintenance" and self.operator and not self.operator.authorized:
            self._operator_effect(self.operator.pin(e.pin))
            return
        if self._service_pin(e):  # a service's own PIN screen (the PIN reset's)
            return
        if self.state != "pin_entry" or not pin_acceptable(e.pin):
            if self.state == "pin_entry":
                self.visit.message = Reason.PIN_WRONG
            wipe(e.pin)
            return
        pin = bytearray(e.pin)
        wipe(e.pin)
        self.trigger("pin_entered")
        card, center, kiosk_id = self.ports.card, self.ports.center, self.kiosk_id
        stale = self.catalog_day != self.clock.now().date().isoformat()  # once a day

        def job() -> SignedIn:
            signed = sign_in(card, center, pin, kiosk_id)
            return with_catalog(signed, center) if stale else signed

        self.jobs.submit(jobs.SignedIn, job, Reason.CARD_UNREADABLE)

    def town_hours(self, municipality: str) -> Hours | None:
        """A town's hours of issuing, from the center's catalog (None: not known)."""
        return self.catalog_hours.get(municipality)

    def _take_catalog(self, catalog: Catalog | None) -> None:
        if catalog is not None:
            self.catalog_hours = {m.code: m.hours for m in catalog.municipalities}
            self.catalog_card_ap = card_ap_towns(catalog)
            self.catalog_day = self.clock.now().date().isoformat()

    def _done_read_card(self, result: jobs.CardRead) -> None:
        self._take_catalog(result.catalog)
        self.visit.card = result.info
        if (result.info.needs_pin and result.info.tries_left == 0
                and not self._reads_card_itself()):  # (a PIN reset takes a locked card)
            self._close_card()
            self.fail(Reason.PIN_LOCKED)
        elif self.visit.cancel_requested:
            self._close_card()
            self.cancel_now(Reason.CANCELLED)
        else:
            self.trigger("card_read")

    def _failed_read_card(self, e: ev.WorkFailed) -> None:
        self._close_card()
        self.fail(e.reason)

    def _done_sign_in(self, result: jobs.SignedIn) -> None:
        self._take_catalog(result.catalog)
        v = self.visit
        v.signed_in, v.token = True, result.result.token
        v.offers, v.message = list(result.result.offers), None
        if v.cancel_requested:
            self.cancel_now(Reason.CANCELLED)
        else:
            self.trigger("authenticated")

    def _failed_sign_in(self, e: ev.WorkFailed) -> None:
        outcome = after_failure(e, self.visit.card)
        if isinstance(outcome, TryAgain):
            self.visit.card, self.visit.message = outcome.card, Reason.PIN_WRONG
            self.trigger("pin_rejected")
            return
        self._close_card()
        self.fail(outcome)

    def _close_card(self) -> None:
        try:
            self.ports.card.close()
        except KioskError as exc:
            log.info("card release: %s", exc.reason)

    def _enter_await_card(self) -> None:
        if self.card_present:  # already on the reader (put down before the prompt)
            self.trigger("card_placed")

    def _enter_reading_card(self) -> None:
        card, center = self.ports.card, self.ports.center
        towns = self.catalog_card_ap
        stale = self.catalog_day != self.clock.now().date().isoformat()

        def job() -> jobs.CardRead:
            # today's catalog first, if the kiosk has none: it says which towns take the
            # card-AP method (whose AP on a card is then used to sign in)
            catalog = catalog_or_none(center) if stale else None
            found = card_ap_towns(catalog) if catalog is not None else towns
            return jobs.CardRead(card.open(found), catalog)

        self.jobs.submit(jobs.CardRead, job, Reason.CARD_UNREADABLE)

    def _enter_remove_card(self) -> None:
        if not self.card_present:
            self.trigger("card_gone")
