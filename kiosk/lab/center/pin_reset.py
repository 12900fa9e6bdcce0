"""The PIN reset (暗証番号の再設定) at the reference center.

A resident reserves the reset in the phone app (the world's ``card.pin_reset``); within 24 hours
a kiosk reads the card's user-authentication certificate and asks whether a reset is reserved
for it, then asks for one authorisation per PIN, each an AES-CMAC with the card's PIN-reset key
over the card's own nonce. Issuing them uses the reservation up. The center never sees a PIN.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from kiosk.center import protocol as p
from kiosk.center.pin_reset_messages import RESERVATION_HOURS, Authorisation, reset_message
from kiosk.clock import Clock
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.refused import BAD_REQUEST, Refused, trusted_certificate
from kiosk.lab.center.residents import PinResetReservation
from kiosk.lab.center.store import Store
from kiosk.lab.center.store_pin_reset import reservation_used, use_reservation
from kiosk.lab.center.world import Resident, World
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)

KEY_PURPOSE = "pin-reset"  # TestJPKI.symmetric_key's purpose: the card's PIN-reset key


class PinResetDesk:
    """The PIN reset calls of the ReferenceCenter (a mixin over its world, PKI, store, clock)."""

    world: World
    pki: TestJPKI
    store: Store
    clock: Clock

    def call_pin_reset_check(self, kiosk_id: str, req: p.PinResetCheck) -> p.PinResetReserved:
        _, reservation = self._reserved(kiosk_id, req.certificate)
        return p.PinResetReserved(list(reservation.which))

    def call_pin_reset_authorise(self, kiosk_id: str,
                                 req: p.PinResetAuthorise) -> p.PinResetAuthorised:
        resident, reservation = self._reserved(kiosk_id, req.certificate)
        if sorted(n.pin for n in req.nonces) != sorted(reservation.which):
            raise Refused(BAD_REQUEST, f"nonces: one for each of {', '.join(reservation.which)}")
        now = self.clock.now()
        if not use_reservation(self.store, resident.id, reservation.reserved_at, kiosk_id, now):
            raise Refused(Reason.PIN_RESET_NOT_RESERVED, "the reservation is used")
        key = self.pki.symmetric_key(KEY_PURPOSE, resident.id)
        authorisations = []
        for n in req.nonces:
            mac = cmac.CMAC(algorithms.AES(key))
            mac.update(reset_message(n.pin, n.nonce))
            authorisations.append(Authorisation(n.pin, mac.finalize()))
        log.info("pin reset authorised at %s (%s)", kiosk_id, ", ".join(reservation.which))
        return p.PinResetAuthorised(authorisations)

    def _reserved(self, kiosk_id: str, certificate: bytes) -> tuple[Resident,
                                                                    PinResetReservation]:
        """The card's resident and a reservation usable now; else Refused."""
        if self.world.kiosk(kiosk_id) is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "unknown kiosk")
        now = self.clock.now()
        cert = trusted_certificate(self.pki, certificate, now)
        resident_id = self.pki.resident_for_serial(cert.serial_number)
        resident = self.world.resident(resident_id) if resident_id else None
        if resident is None:
            raise Refused(Reason.CARD_UNSUPPORTED, "no resident holds this certificate")
        reservation = resident.card.pin_reset
        if reservation is None:
            raise Refused(Reason.PIN_RESET_NOT_RESERVED, "no reservation")
        age = now - reservation.at
        if age < timedelta(0) or age > timedelta(hours=RESERVATION_HOURS):
            raise Refused(Reason.PIN_RESET_NOT_RESERVED,
                          f"reserved more than {RESERVATION_HOURS} hours ago")
        if reservation_used(self.store, resident.id, reservation.reserved_at):
            raise Refused(Reason.PIN_RESET_NOT_RESERVED, "the reservation is used")
        return resident, reservation
