"""The card-AP method (条例利用方式) over any JPKI client's connection: find the town's AP on
the card, read its user id, and prove the card by INTERNAL AUTHENTICATE with the AP's key.

The AP's PIN is verified with the client's own ``verify``/``tries_left`` on EF 0011. APDUs:
drivers/card/town_ap_spec.py and the README's card section.
"""

from __future__ import annotations

import hashlib

from drivers.card.jpki import CardError, JPKIClient, status_error
from drivers.card.jpki_spec import SW_FILE_NOT_FOUND, SW_OK
from drivers.card.town_ap_spec import (
    CHALLENGE_LENGTH,
    EF_TOWN_KEY,
    EF_TOWN_USER_ID,
    MAC_LENGTH,
    TOWN_AP_PREFIX,
    USER_ID_LENGTH,
    municipality_of,
    town_aid,
)
from kiosk.vocabulary.reasons import Reason

_FCI_MAX = 0x40  # a 6F template holding one AID is far shorter


def find_town_ap(client: JPKIClient) -> str | None:
    """SELECT by the town APs' common prefix: the municipality whose AP the card carries (now
    selected), or None when it carries none."""
    data, sw = client.exchange([0x00, 0xA4, 0x04, 0x00, len(TOWN_AP_PREFIX), *TOWN_AP_PREFIX,
                                0x00])
    if sw == SW_FILE_NOT_FOUND or sw >> 8 in (0x6D, 0x6E):  # none, or a card that cannot say
        return None
    if sw != SW_OK:
        raise status_error(sw, "select town AP")
    aid = _aid_from_fci(data)
    code = municipality_of(aid) if aid is not None else None
    if code is None:
        raise CardError("town AP's FCI names no town AP", reason=Reason.CARD_UNSUPPORTED)
    return code


def _aid_from_fci(fci: bytes) -> bytes | None:
    """The DF name (tag 84) of a ``6F`` FCI template, or None when it is not one."""
    if len(fci) < 2 or len(fci) > _FCI_MAX or fci[0] != 0x6F or fci[1] != len(fci) - 2:
        return None
    at = 2
    while at + 2 <= len(fci):
        tag, length = fci[at], fci[at + 1]
        value = fci[at + 2 : at + 2 + length]
        if len(value) != length:
            return None
        if tag == 0x84:
            return value
        at += 2 + length
    return None


def select_town_ap(client: JPKIClient, municipality: str) -> None:
    """SELECT the town's AP by its full AID (again, after a reset)."""
    aid = town_aid(municipality)
    _, sw = client.exchange([0x00, 0xA4, 0x04, 0x0C, len(aid), *aid])
    if sw != SW_OK:
        raise status_error(sw, "select town AP")


def read_user_id(client: JPKIClient) -> str:
    """The user id of the selected town AP (EF 0001), without its padding."""
    client.select_ef(EF_TOWN_USER_ID)
    raw = client.read_binary(0, USER_ID_LENGTH)
    try:
        text = raw.decode("ascii").strip(" \x00")
    except UnicodeDecodeError:
        raise CardError("user id is not ASCII", reason=Reason.CARD_UNSUPPORTED) from None
    if not text or not text.isalnum():
        raise CardError("user id is empty or not letters and digits",
                        reason=Reason.CARD_UNSUPPORTED)
    return text


def internal_authenticate(client: JPKIClient, message: bytes) -> bytes:
    """INTERNAL AUTHENTICATE over SHA-256(message) with the AP's key (after its PIN): the
    card's AES-CMAC of it."""
    challenge = hashlib.sha256(message).digest()
    assert len(challenge) == CHALLENGE_LENGTH
    client.select_ef(EF_TOWN_KEY)
    data, sw = client.exchange([0x00, 0x88, 0x00, 0x00, CHALLENGE_LENGTH, *challenge, 0x00])
    if sw != SW_OK:
        raise status_error(sw, "internal authenticate")
    if len(data) != MAC_LENGTH:
        raise CardError(f"internal authenticate: {len(data)} bytes for a {MAC_LENGTH}-byte MAC")
    return bytes(data)
