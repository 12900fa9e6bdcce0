"""The practice visit's card and center: they answer as a real card and center would for the
sample resident, and touch neither. Whatever card lies on the reader is never read or sent a
PIN (a real card's tries are never spent); any four digits sign in."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.center.protocol import (
    Authenticated,
    Catalog,
    Challenge,
    Document,
    Order,
    Registration,
    RegistrationChoices,
)
from kiosk.practice.document import sample_pdf
from kiosk.practice.sample import CERTIFICATES, MAX_COPIES, RESIDENT, TOWN, offer
from kiosk.vocabulary.ports import CardFace, CardInfo, TownCard
from kiosk.vocabulary.reasons import CardError, CenterError, PinWrong, Reason

PRACTICE_CERTIFICATE = b"practice: a sample resident's certificate"


class PracticeCard:
    """A CardPort for the sample resident: any four digits are the PIN."""

    def open(self, card_ap_towns: frozenset[str] = frozenset()) -> CardInfo:
        return CardInfo("mynumber", 3)

    def verify_pin(self, pin: bytearray) -> None:
        ok = len(pin) == 4 and bytes(pin).isdigit()
        for i in range(len(pin)):
            pin[i] = 0
        if not ok:
            raise PinWrong(3)

    def sign_message(self, message: bytes) -> bytes:
        return hashlib.sha256(b"practice" + message).digest()

    def town_card(self) -> TownCard | None:
        return None

    def read_auth_certificate(self) -> bytes:
        return PRACTICE_CERTIFICATE

    def pin_reset_nonce(self, pin: str) -> bytes:
        raise CardError("a practice visit resets no PIN", Reason.NOT_AVAILABLE_HERE)

    def reset_pin(self, pin: str, authorisation: bytes, new_pin: bytearray) -> None:
        raise CardError("a practice visit resets no PIN", Reason.NOT_AVAILABLE_HERE)

    def helper_tries_left(self) -> int:
        return 3

    def read_card_face(self, pin: bytearray) -> CardFace:
        """The sample resident's face (any four digits)."""
        self.verify_pin(pin)
        r = RESIDENT
        return CardFace(r.name, r.address, r.born_iso, "9")

    def read_helper_number(self) -> str:
        raise CardError("a practice card has no individual number", Reason.NOT_AVAILABLE_HERE)

    def close(self) -> None:
        """Nothing was opened."""


class PracticeCenter:
    """A CenterPort offering the sample town's certificates at no fee, printed as samples."""

    def __init__(self, visit_id: str, now: Callable[[], datetime]) -> None:
        self.visit_id = visit_id
        self._now = now
        self.orders: list[str] = []  # made in this practice visit
        self.completed: list[str] = []

    def catalog(self) -> Catalog:
        # the kiosk's catalog (the real towns' hours) is never replaced by the sample town's
        raise CenterError("a practice visit has no catalog")

    def challenge(self) -> Challenge:
        return Challenge(hashlib.sha256(self.visit_id.encode()).digest(), "")

    def authenticate(self, certificate: bytes, signature: bytes, nonce: bytes) -> Authenticated:
        if certificate != PRACTICE_CERTIFICATE:
            raise CenterError("not the practice card", Reason.NOT_AVAILABLE_HERE)
        return Authenticated(f"practice-{self.visit_id}", [offer()])

    def authenticate_ap(self, town: TownCard, mac: bytes, nonce: bytes) -> Authenticated:
        raise CenterError("not the practice card", Reason.NOT_AVAILABLE_HERE)

    def order(self, token: str, municipality: str, certificate: str,
              options: dict[str, object], copies: int) -> Order:
        known = {c.type for c in CERTIFICATES}
        if municipality != TOWN or certificate not in known or not 1 <= copies <= MAX_COPIES:
            raise CenterError("not in the practice catalog", Reason.NOT_AVAILABLE_HERE)
        order_id = f"practice-{self.visit_id}-{len(self.orders) + 1}"
        self.orders.append(order_id)
        now = self._now()
        docs = []
        for n in range(1, copies + 1):
            pdf = sample_pdf(order_id, certificate, n, now)
            docs.append(Document(f"{order_id}-{n}", order_id, hashlib.sha256(pdf).hexdigest(),
                                 b"", 1, pdf))
        return Order(order_id, 0, docs)

    def complete(self, order_id: str, printed: int) -> None:
        self.completed.append(order_id)

    def cancel(self, order_id: str) -> None:
        """Nothing to void: the practice order was never anywhere but here."""

    def registration_towns(self, token: str) -> RegistrationChoices:
        raise CenterError("a practice visit registers nothing", Reason.NOT_AVAILABLE_HERE)

    def register(self, token: str, municipality: str, honseki: str,
                 hittousha: str) -> Registration:
        raise CenterError("a practice visit registers nothing", Reason.NOT_AVAILABLE_HERE)

    def pin_reset_check(self, certificate: bytes) -> list[str]:
        raise CenterError("a practice visit resets no PIN", Reason.NOT_AVAILABLE_HERE)

    def pin_reset_authorise(self, certificate: bytes,
                            nonces: dict[str, bytes]) -> dict[str, bytes]:
        raise CenterError("a practice visit resets no PIN", Reason.NOT_AVAILABLE_HERE)


if TYPE_CHECKING:  # mypy holds the stand-ins to their ports: a drift fails here
    from kiosk.vocabulary.ports import CardPort, CenterPort

    def _conforms_card(card: PracticeCard) -> CardPort:
        return card

    def _conforms_center(center: PracticeCenter) -> CenterPort:
        return center
