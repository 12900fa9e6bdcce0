"""What a recording leaves out, put back from the world: the PIN and the text a resident typed.

A recording writes ``{"pin": "right"}`` or ``"wrong"`` (what the card answered) and a text
field as ``"right"`` or ``"wrong"`` (what the 本籍地 answered), never what was typed; the
harness types the world's PIN or reading for the card on the reader, or something else.
"""

from __future__ import annotations

from typing import Any

from kiosk.record.lines import RECORDED, REPLAY_OPERATOR_PIN
from kiosk.vocabulary.keyboard import keystrokes

WRONG_TEXT = "ちがう"  # typed where a recording says the resident's text was wrong
SIGNING_PASSWORD = "signing_password"  # the PIN reset's new signing password (issue 15)
REPLAY_SIGNING_PASSWORD = "REPLAY2026"  # typed for a recorded one: the card takes any
MISTYPED_SIGNING_PASSWORD = "MISTYPED26"  # its second entry, recorded as not the first


class NotReplayable(Exception):
    """A recorded line the harness cannot fill in here; str() says why."""


def world_resident(issuer: Any, resident_id: str | None) -> Any:
    """The world's resident whose card is on the reader."""
    if resident_id is None:
        raise NotReplayable("no resident's card was placed before it")
    world = issuer[0] if issuer else None
    resident = world.resident(resident_id) if world is not None else None
    if resident is None:
        raise NotReplayable(f"no resident {resident_id!r} in the world")
    return resident


def pin_for(issuer: Any, resident_id: str | None, typed: str, operator: bool,
            card_ap: bool = False, helper: bool = False) -> str:
    """The digits to type for a PIN line: as written, or the right or a wrong PIN (the card's,
    its town AP's when it signs in by it, its text-helper AP's on the forms service's PIN
    screen, or in operator mode the one a recording's header
    gives the operator)."""
    if typed not in RECORDED:
        return typed
    if operator:
        right = REPLAY_OPERATOR_PIN
    else:
        card = world_resident(issuer, resident_id).card
        own = card.ap.pin if card_ap and card.ap is not None else card.pin
        if helper:
            own = card.helper_pin or card.pin
        right = own or "0000"  # face-auth: none
    if typed == "right":
        return right
    return next(d * 4 for d in "0123456789" if d * 4 != right)


def text_for(issuer: Any, resident_id: str | None, field: str, typed: str) -> str:
    """The text to type into a field: as written, or the resident's own reading, or not."""
    if typed not in RECORDED:
        return typed
    if field == SIGNING_PASSWORD:  # never recorded: a stand-in, and another for a mistype
        return REPLAY_SIGNING_PASSWORD if typed == "right" else MISTYPED_SIGNING_PASSWORD
    if typed == "wrong":
        return WRONG_TEXT
    resident = world_resident(issuer, resident_id)
    honseki = resident.honseki
    if field == "honseki":
        reading = honseki.address_kana if honseki is not None else None
    elif field == "hittousha":
        if honseki is None:
            reading = resident.name.kana
        else:  # the register's head, or (none named) the resident's own name
            reading = honseki.head_kana or (None if honseki.head else resident.name.kana)
    else:
        raise NotReplayable(f"a recorded {field!r} has no reading in the world")
    if not reading:
        raise NotReplayable(f"resident {resident.id!r} has no {field} reading in the world")
    keystrokes(reading)  # the world's reading is typed on the same keyboard (NotOnKeyboard)
    return str(reading)
