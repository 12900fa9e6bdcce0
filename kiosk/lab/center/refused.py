"""How the reference center's rules say no, and the sign-in check every resident's call makes."""

from __future__ import annotations

from datetime import datetime

from cryptography import x509

from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.store import SignedIn, Store
from kiosk.vocabulary.reasons import Reason

BAD_REQUEST = "bad-request"  # a request the protocol or the order it names does not allow


class Refused(Exception):
    """A rule said no; ``reason`` is the code the kiosk shows."""

    def __init__(self, reason: Reason | str, detail: str = "") -> None:
        super().__init__(detail or str(reason))
        self.reason = str(reason)
        self.detail = detail


def trusted_certificate(pki: TestJPKI, der: bytes, now: datetime) -> x509.Certificate:
    """A user-authentication certificate the test JPKI CA issued, valid now; else Refused
    (card-unreadable, cert-revoked, cert-expired, card-unsupported)."""
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        raise Refused(Reason.CARD_UNREADABLE, "not a certificate") from None
    status = pki.check(der, now)
    if status == "revoked":
        raise Refused(Reason.CERT_REVOKED)
    if status == "expired":
        raise Refused(Reason.CERT_EXPIRED)
    if status != "valid":
        raise Refused(Reason.CARD_UNSUPPORTED, "certificate not issued by the JPKI CA")
    return cert


def signed_in(store: Store, kiosk_id: str, token: str, now: datetime) -> SignedIn:
    """The sign-in behind ``token``, made at this kiosk and not expired; else Refused(timeout)."""
    signed = store.signin(token)
    if signed is None or signed.kiosk_id != kiosk_id or signed.expires < now:
        raise Refused(Reason.TIMEOUT, "sign-in unknown or expired")
    return signed
