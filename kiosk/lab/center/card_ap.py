"""The card-AP method (条例利用方式) at the reference center: a town's AP on the card proved the
card by its MAC over the challenge (AES-CMAC of the SHA-256 of the auth message), after its own
PIN; the center holds each AP's key.

Only a town whose ``auth`` includes ``card-ap`` takes it, and only for a card carrying that
town's AP with that user id.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.cmac import CMAC

from kiosk.center import protocol as p
from kiosk.clock import Clock
from kiosk.lab.center.cards import town_ap_key, town_ap_of
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.refused import Refused
from kiosk.lab.center.world import Resident, World
from kiosk.vocabulary.reasons import Reason


class CardApDesk:
    """The ``authenticate_ap`` call of the ReferenceCenter (a mixin over its world and CA)."""

    world: World
    pki: TestJPKI
    clock: Clock

    # the ReferenceCenter's: the challenge used up, and the sign-in both methods share
    take_challenge: Callable[[str, bytes, datetime], None]
    sign_in: Callable[[str, Resident, datetime], p.Authenticated]

    def call_authenticate_ap(self, kiosk_id: str,
                             req: p.AuthenticateApRequest) -> p.Authenticated:
        now = self.clock.now()
        self.take_challenge(kiosk_id, req.nonce, now)
        town = self.world.municipality(req.municipality)
        if town is None or not town.participating:
            raise Refused(Reason.NOT_PARTICIPATING)
        if "card-ap" not in town.auth:
            raise Refused(Reason.CARD_UNSUPPORTED, "this town does not take the card-AP method")
        resident = self.world.resident_by_user_id(req.user_id)
        ap = town_ap_of(resident) if resident is not None else None
        if resident is None or ap is None or ap.municipality != req.municipality:
            raise Refused(Reason.CARD_UNSUPPORTED, "no card carries this town AP and user id")
        mac = CMAC(AES(town_ap_key(self.pki, ap.municipality, ap.user_id)))
        mac.update(hashlib.sha256(p.auth_message(req.nonce, kiosk_id)).digest())
        if not hmac.compare_digest(mac.finalize(), req.mac):
            raise Refused(Reason.CARD_UNREADABLE, "the card AP's MAC does not verify")
        return self.sign_in(kiosk_id, resident, now)
