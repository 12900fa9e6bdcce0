"""How the reference center's rules say no, and the sign-in check every resident's call makes."""

from __future__ import annotations

from datetime import datetime

from kiosk.lab.center.store import SignedIn, Store
from kiosk.vocabulary.reasons import Reason

BAD_REQUEST = "bad-request"  # a request the protocol or the order it names does not allow


class Refused(Exception):
    """A rule said no; ``reason`` is the code the kiosk shows."""

    def __init__(self, reason: Reason | str, detail: str = "") -> None:
        super().__init__(detail or str(reason))
        self.reason = str(reason)
        self.detail = detail


def signed_in(store: Store, kiosk_id: str, token: str, now: datetime) -> SignedIn:
    """The sign-in behind ``token``, made at this kiosk and not expired; else Refused(timeout)."""
    signed = store.signin(token)
    if signed is None or signed.kiosk_id != kiosk_id or signed.expires < now:
        raise Refused(Reason.TIMEOUT, "sign-in unknown or expired")
    return signed
