"""An iPhone's sign-in: no PIN is typed at the kiosk; its owner confirms on the phone (Face ID).

The kiosk asks the center for a challenge and the phone to sign it; until the owner confirms,
the phone answers "not yet" and the kiosk asks again every ``POLL_SECONDS`` (a deadline of the
session, so the harness's virtual clock drives it) while the screen counts down the state's
timeout. A no on the phone ends the visit on ``phone-declined``; the countdown running out, on
``timeout``. The card connection stays open between asks: a reset would forget a confirmation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.center.protocol import Challenge
from kiosk.session.jobs import SignedIn
from kiosk.session.signin import SignInRules, answer_challenge, with_catalog
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult
from kiosk.vocabulary.reasons import PhoneNotConfirmed, Reason

POLL_SECONDS = 1.0  # how often the kiosk asks the phone again
FRESH_SECONDS = 5.0  # a challenge this close to its expiry is asked for anew


def still_fresh(challenge: Challenge | None, now: datetime) -> Challenge | None:
    """The challenge, while the center will still take an answer to it (else None: ask for a
    new one; a long wait on the phone outlives one)."""
    if challenge is None:
        return None
    try:
        expires = datetime.fromisoformat(challenge.expires)
        fresh = expires - timedelta(seconds=FRESH_SECONDS) > now
    except (ValueError, TypeError):  # unparsable, or without a UTC offset
        return None
    return challenge if fresh else None


@dataclass(frozen=True)
class PhoneAnswered(JobResult):
    """One ask of the phone: signed in, or not yet (``signed`` None) with the challenge to
    sign when the owner has confirmed."""

    signed: SignedIn | None
    challenge: Challenge


class PhoneRules(SignInRules):
    """The iPhone's confirmation (a part of ``Session``)."""

    phone_poll_at: datetime | None = None  # when to ask the phone again
    phone_challenge: Challenge | None = None  # the challenge it is asked to sign

    def card_on_phone(self, _: object = None) -> bool:
        """A condition: the card just read is an iPhone (its owner confirms on the phone)."""
        card = self.visit.card
        return card is not None and card.method == "phone"

    def _enter_phone_confirm(self) -> None:
        self.phone_poll_at, self.phone_challenge = None, None
        self._ask_phone()

    def _ask_phone(self) -> None:
        card, center, kiosk_id = self.ports.card, self.ports.center, self.kiosk_id
        challenge = still_fresh(self.phone_challenge, self.clock.now())
        stale = self.catalog_day != self.clock.now().date().isoformat()

        def job() -> PhoneAnswered:
            asked = challenge or center.challenge()
            try:
                signed = answer_challenge(card, center, asked, kiosk_id)
            except PhoneNotConfirmed:
                return PhoneAnswered(None, asked)
            return PhoneAnswered(with_catalog(signed, center) if stale else signed, asked)

        self.jobs.submit(PhoneAnswered, job, Reason.CARD_UNREADABLE)

    def phone_due(self, now: datetime) -> None:
        """On a tick: ask the phone again when it is time."""
        if (self.state == "phone_confirm" and self.phone_poll_at is not None
                and now >= self.phone_poll_at):
            self.phone_poll_at = None
            self._ask_phone()

    def phone_deadline(self) -> datetime | None:
        return self.phone_poll_at if self.state == "phone_confirm" else None

    def _done_phone(self, result: PhoneAnswered) -> None:
        if self.state != "phone_confirm":  # cancelled or timed out meanwhile
            return
        if result.signed is None:
            self.phone_challenge = result.challenge
            self.phone_poll_at = self.clock.now() + timedelta(seconds=POLL_SECONDS)
            return
        self.phone_poll_at = self.phone_challenge = None
        self._done_sign_in(result.signed)

    def _failed_phone(self, e: ev.WorkFailed) -> None:
        if self.state != "phone_confirm":
            return
        self.phone_poll_at = self.phone_challenge = None
        self._close_card()
        self.fail(e.reason)
