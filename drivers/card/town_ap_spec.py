"""What a municipality's own card AP (条例利用 / the card-AP method) looks like from outside.

The real layouts are each municipality's own; these are the project's, documented in the README:
the AID is a fixed prefix and the town's 6-digit code in BCD, so one SELECT by a partial DF name
(``00 A4 04 00``, P2 00: the first match, with its FCI) finds whichever town's AP a card carries.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.cmac import CMAC

TOWN_AP_PREFIX = bytes.fromhex("D39210003100010105")
TOWN_AID_LENGTH = len(TOWN_AP_PREFIX) + 3  # + the municipality code in BCD (6 digits)

EF_TOWN_USER_ID = 0x0001  # the user id printed on the card: 16 ASCII bytes, space padded
EF_TOWN_PIN = 0x0011  # the AP's own 4-digit PIN
EF_TOWN_KEY = 0x0012  # the AP's AES-128 key: INTERNAL AUTHENTICATE after the PIN
TOWN_PIN_TRIES = 3
USER_ID_LENGTH = 16
CHALLENGE_LENGTH = 32  # INTERNAL AUTHENTICATE's data: SHA-256 of the center's auth message
MAC_LENGTH = 16  # its answer: AES-CMAC over that data


def town_aid(municipality: str) -> bytes:
    """The AID of ``municipality``'s AP (a 6-digit national local-government code)."""
    if len(municipality) != 6 or not municipality.isascii() or not municipality.isdigit():
        raise ValueError("a municipality code is 6 digits")
    return TOWN_AP_PREFIX + bytes.fromhex(municipality)


def ap_mac(key: bytes, challenge: bytes) -> bytes:
    """AES-CMAC of ``challenge`` under the AP's key: what the card answers to INTERNAL
    AUTHENTICATE, what the center expects."""
    mac = CMAC(AES(key))
    mac.update(challenge)
    return mac.finalize()


def municipality_of(aid: bytes) -> str | None:
    """The municipality whose AP ``aid`` names, or None when it is not a town AP's AID."""
    if len(aid) != TOWN_AID_LENGTH or not aid.startswith(TOWN_AP_PREFIX):
        return None
    code = aid[len(TOWN_AP_PREFIX):].hex()
    return code if code.isdigit() else None
