"""Sign-in: the PIN to the card, the center's challenge signed on the card, the center's answer.

The worker side (``sign_in``) runs the exchange over the card and center ports; the PIN is wiped
as soon as the card has it. ``after_failure`` says what a failed sign-in means for the visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.center.protocol import auth_message
from kiosk.session.jobs import SignedIn
from kiosk.vocabulary.events import WorkFailed
from kiosk.vocabulary.ports import CardInfo, CardPort, CenterPort
from kiosk.vocabulary.reasons import PinWrong, Reason


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
