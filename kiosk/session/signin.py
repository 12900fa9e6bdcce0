"""Sign-in: the PIN to the card, the center's challenge signed on the card, the center's answer.

The worker side (``sign_in``) runs the exchange over the card and center ports; the PIN is wiped
as soon as the card has it. ``after_failure`` says what a failed sign-in means for the visit.
``SignInRules`` is the part of the session every service shares from "place your card" to
"take your card": reading it, the PIN, the sign-in's results.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from kiosk.center.protocol import Hours, auth_message
from kiosk.session import jobs
from kiosk.session.base import SessionBase
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
    challenge = center.challenge()
    signature = card.sign_message(auth_message(challenge.nonce, kiosk_id))
    certificate = card.read_auth_certificate()
    card.close()
    return SignedIn(center.authenticate(certificate, signature, challenge.nonce))


def with_catalog(signed: SignedIn, center: CenterPort) -> SignedIn:
    """Worker side, after a sign-in: the center's catalog with it (its towns' hours); without
    it (the center cannot give it now) the sign-in stands and the order is where hours are
    checked; it is asked for again at the next sign-in."""
    try:
        return replace(signed, catalog=center.catalog())
    except KioskError as exc:
        log.info("no catalog from the center (%s): hours are checked at the order", exc.reason)
        return signed


@dataclass(frozen=True)
class TryAgain:
    """A wrong PIN with tries left: the PIN screen again, showing them."""

    card: CardInfo


def after_failure(failure: WorkFailed, card: CardInfo | None) -> TryAgain | Reason:
    """A wrong PIN with tries left can be typed again; anything else ends the visit."""
    error = failure.error
    if isinstance(error, PinWrong) and error.tries_left > 0 and card is not None:
        return TryAgain(CardInfo(card.kind, error.tries_left))
    return Reason.PIN_LOCKED if isinstance(error, PinWrong) else failure.reason


class SignInRules(SessionBase):
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
        if self.state == "pin_entry":
            self.cancel(Reason.CARD_REMOVED)
        elif self.state in ("remove_card", "error"):
            self.trigger("card_gone")
        # reading_card / authenticating: the running job fails by itself if it still needed the card

    def _on_pin(self, e: ev.EnterPin) -> None:
        if self.state == "maintenance" and self.operator and not self.operator.authorized:
            self._operator_effect(self.operator.pin(e.pin))
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

    def _done_read_card(self, result: jobs.CardRead) -> None:
        self.visit.card = result.info
        if result.info.tries_left == 0:
            self._close_card()
            self.fail(Reason.PIN_LOCKED)
        elif self.visit.cancel_requested:
            self._close_card()
            self.cancel(Reason.CANCELLED)
        else:
            self.trigger("card_read")

    def _failed_read_card(self, e: ev.WorkFailed) -> None:
        self._close_card()
        self.fail(e.reason)

    def _done_sign_in(self, result: jobs.SignedIn) -> None:
        if result.catalog is not None:
            self.catalog_hours = {m.code: m.hours for m in result.catalog.municipalities}
            self.catalog_day = self.clock.now().date().isoformat()
        v = self.visit
        v.signed_in, v.token = True, result.result.token
        v.offers, v.message = list(result.result.offers), None
        if v.cancel_requested:
            self.cancel(Reason.CANCELLED)
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
        card = self.ports.card
        self.jobs.submit(jobs.CardRead, lambda: jobs.CardRead(card.open()), Reason.CARD_UNREADABLE)

    def _enter_remove_card(self) -> None:
        if not self.card_present:
            self.trigger("card_gone")
