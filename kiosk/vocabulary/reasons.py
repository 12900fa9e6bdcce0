"""Reason codes shown to residents (replay-format.md) and the typed errors that carry them."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why a screen shows what it shows; the codes are part of the replay contract."""

    CARD_UNREADABLE = "card-unreadable"
    CARD_UNSUPPORTED = "card-unsupported"
    CARD_REMOVED = "card-removed"
    PIN_WRONG = "pin-wrong"
    PIN_LOCKED = "pin-locked"
    CERT_REVOKED = "cert-revoked"
    CERT_EXPIRED = "cert-expired"
    NOT_PARTICIPATING = "not-participating"
    NOT_AVAILABLE_HERE = "not-available-here"
    CLOSED_HOURS = "closed-hours"
    CLOSED_DAY = "closed-day"
    PRINTER_FAULT = "printer-fault"
    CASH_FAULT = "cash-fault"  # a bill validator, coin acceptor or hopper fault
    CENTER_UNAVAILABLE = "center-unavailable"
    TIMEOUT = "timeout"
    CANCELLED = "cancelled"
    DOCUMENT_REJECTED = "document-rejected"
    READER_UNAVAILABLE = "reader-unavailable"
    JOURNAL_UNAVAILABLE = "journal-unavailable"  # its disk is full or it cannot be written
    EXACT_AMOUNT_ONLY = "exact-amount-only"
    EMONEY_DECLINED = "emoney-declined"
    EMONEY_TIMEOUT = "emoney-timeout"
    REGISTRATION_MISMATCH = "registration-mismatch"  # typed 本籍 or 筆頭者 is not the register
    REGISTRATION_PENDING = "registration-pending"  # applied already: the 本籍地 has not answered
    ALREADY_REGISTERED = "already-registered"
    REGISTRATION_NOT_NEEDED = "registration-not-needed"  # 本籍 in the home town, or none
    FACE_AUTH_CARD = "face-auth-card"  # a card without a usable PIN: the municipal counter
    PHONE_DECLINED = "phone-declined"  # the iPhone's owner said no on the phone
    CARD_EXPIRED = "card-expired"  # the card's body is past its validity: a new card
    PIN_RESET_NOT_RESERVED = "pin-reset-not-reserved"  # none reserved, used, or over 24 h old
    PIN_MISMATCH = "pin-mismatch"  # the new PIN's two entries differ: typed again


class KioskError(Exception):
    """An expected failure with a reason code the resident can be shown."""

    reason: Reason = Reason.CENTER_UNAVAILABLE

    def __init__(self, detail: str = "", reason: Reason | None = None) -> None:
        super().__init__(detail or str(reason or self.reason))
        if reason is not None:
            self.reason = reason


class CardError(KioskError):
    """The card could not do what was asked (unreadable, unsupported, removed, ...); ``sw`` is
    the card's status word when one said so."""

    reason = Reason.CARD_UNREADABLE
    sw: int | None = None


class PinWrong(CardError):
    """VERIFY failed; ``tries_left`` tries remain (0 means now locked: see PinLocked)."""

    reason = Reason.PIN_WRONG

    def __init__(self, tries_left: int) -> None:
        super().__init__(f"wrong PIN, {tries_left} tries left")
        self.tries_left = tries_left


class PinLocked(CardError):
    """The user-authentication PIN is locked; only the town hall can reset it."""

    reason = Reason.PIN_LOCKED


class FaceAuthCard(CardError):
    """A face-authentication card (顔認証マイナンバーカード): its user-authentication PIN is not
    usable (``69 84``), so it cannot be used at a kiosk; told apart from a locked PIN."""

    reason = Reason.FACE_AUTH_CARD


class PhoneNotConfirmed(CardError):
    """An iPhone's owner has not yet confirmed on the phone (``69 82`` to the sign command):
    not an end, the kiosk asks again while its countdown runs."""


class PhoneDeclined(CardError):
    """An iPhone's owner declined on the phone (``69 85``)."""

    reason = Reason.PHONE_DECLINED


class CenterError(KioskError):
    """The center refused, or could not be reached; ``reason`` says which."""

    reason = Reason.CENTER_UNAVAILABLE


class DocumentRejected(CenterError):
    """An order whose documents failed their binding check; the center was told to void it."""

    reason = Reason.DOCUMENT_REJECTED

    def __init__(self, detail: str, order_id: str, fee: int) -> None:
        super().__init__(detail)
        self.order_id = order_id
        self.fee = fee


class PrinterError(KioskError):
    """The printer failed; ``pages_out`` pages came out before it did."""

    reason = Reason.PRINTER_FAULT

    def __init__(self, detail: str = "", pages_out: int = 0) -> None:
        super().__init__(detail)
        self.pages_out = pages_out


class PaymentError(KioskError):
    """The payment unit failed to take or give money."""

    reason = Reason.CANCELLED
