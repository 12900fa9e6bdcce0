"""The PIN reset's messages (暗証番号の再設定), part of protocol v1, and what the card checks.

A resident reserves the reset in the phone app; at the kiosk the center is asked whether a reset
is reserved for the card's user-authentication certificate (``PinResetCheck``), then for one
authorisation per PIN over the card's own nonce (``PinResetAuthorise``). The center never sees a
PIN: the kiosk sends the authorisation with the new PIN to the card only.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import schema

PIN_NAMES = ("user", "signing")  # the user-authentication PIN (EF 0018), the signing one (001B)
CARD_NONCE_BYTES = 8  # GET CHALLENGE's answer
AUTHORISATION_BYTES = 16  # an AES-CMAC
MAX_CERTIFICATE = 0x2000  # bytes of a DER certificate (as the card reader bounds it)
RESERVATION_HOURS = 24  # a reservation is usable this long after it was made


def reset_message(pin: str, nonce: bytes) -> bytes:
    """The bytes the card's PIN-reset key MACs (AES-CMAC) to allow resetting ``pin``."""
    return b"jpki-pin-reset/v1\n" + pin.encode("ascii") + b"\n" + nonce


def _check_certificate(certificate: bytes) -> None:
    if not 1 <= len(certificate) <= MAX_CERTIFICATE:
        raise schema.SchemaError("certificate", f"must be 1 to {MAX_CERTIFICATE} bytes")


@dataclass
class PinResetCheck:
    """Is a reset reserved for the card of this user-authentication certificate?"""

    certificate: bytes

    def check(self) -> None:
        _check_certificate(self.certificate)


@dataclass
class PinResetReserved:
    """The PINs the reservation resets: ["user"] or ["user", "signing"]."""

    which: list[str]

    def check(self) -> None:
        if not self.which or len(set(self.which)) != len(self.which) or any(
                w not in PIN_NAMES for w in self.which):
            raise schema.SchemaError("which", f"must be distinct names of {', '.join(PIN_NAMES)}")


@dataclass
class CardNonce:
    """A nonce the card gave (GET CHALLENGE) with the PIN it was asked for selected."""

    pin: str
    nonce: bytes

    def check(self) -> None:
        if self.pin not in PIN_NAMES:
            raise schema.SchemaError("pin", f"must be one of {', '.join(PIN_NAMES)}")
        if len(self.nonce) != CARD_NONCE_BYTES:
            raise schema.SchemaError("nonce", f"must be {CARD_NONCE_BYTES} bytes")


@dataclass
class PinResetAuthorise:
    """One card nonce per PIN of the reservation: the center answers one authorisation each."""

    certificate: bytes
    nonces: list[CardNonce]

    def check(self) -> None:
        _check_certificate(self.certificate)
        names = [n.pin for n in self.nonces]
        if not names or len(set(names)) != len(names):
            raise schema.SchemaError("nonces", "must name each PIN once")


@dataclass
class Authorisation:
    """The one-time authorisation for ``pin``: AES-CMAC of ``reset_message`` with the card's key."""

    pin: str
    mac: bytes

    def check(self) -> None:
        if self.pin not in PIN_NAMES:
            raise schema.SchemaError("pin", f"must be one of {', '.join(PIN_NAMES)}")
        if len(self.mac) != AUTHORISATION_BYTES:
            raise schema.SchemaError("mac", f"must be {AUTHORISATION_BYTES} bytes")


@dataclass
class PinResetAuthorised:
    authorisations: list[Authorisation]
