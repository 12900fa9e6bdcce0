"""The world file's residents: their names, household, family register (本籍) and the cards
they carry. Part of the world file (``kiosk.lab.center.world``), checked the same strict way."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from kiosk import schema
from kiosk.lab.center.fields import check_id, check_years, iso_date
from kiosk.vocabulary.my_number import check_digit, valid_number

_DIGITS4 = re.compile(r"[0-9]{4}")
_DIGITS6 = re.compile(r"[0-9]{6}")
_RESIDENCE_CARD = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_USER_ID = re.compile(r"[A-Z0-9]{1,16}")  # a card-AP user id, printed on the card
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")
MAX_ATR = 33  # ISO 7816-3: TS, T0, up to 16 interface bytes, 15 historical bytes, TCK


def check_atr(path: str, text: str) -> bytes:
    """An ATR written as hex (spaces allowed): 2 to 33 bytes, starting with TS 3B or 3F."""
    compact = text.replace(" ", "")
    if not _HEX.fullmatch(compact):
        raise schema.SchemaError(path, "must be hex digits, two per byte")
    atr = bytes.fromhex(compact)
    if not 2 <= len(atr) <= MAX_ATR:
        raise schema.SchemaError(path, f"must be 2 to {MAX_ATR} bytes, not {len(atr)}")
    if atr[0] not in (0x3B, 0x3F):
        raise schema.SchemaError(path, f"must start with TS 3B or 3F, not {atr[0]:02X}")
    return atr


@dataclass
class PersonName:
    kanji: str
    kana: str


@dataclass
class Residence:
    """A foreign resident's residence card (在留カード)."""

    card_number: str
    status: str

    def check(self) -> None:
        if not _RESIDENCE_CARD.fullmatch(self.card_number):
            raise schema.SchemaError("card_number", "must be 2 letters, 8 digits, 2 letters")


@dataclass
class HouseholdMember:
    name: str
    relation: str
    born: str

    def check(self) -> None:
        iso_date("born", self.born)

    @property
    def born_date(self) -> date:
        return date.fromisoformat(self.born)


@dataclass
class Honseki:
    """The family-register domicile and whether the resident may get its certificates here."""

    municipality: str
    status: Literal["registered", "pending", "none"]
    # The register as the 本籍地 keeps it; absent, the resident's own address and name stand in.
    address: str | None = None  # in kanji, from the prefecture: 東京都渋谷区宇田川町1番1号
    address_kana: str | None = None  # its reading as typed: after the town, or all of it
    head: str | None = None  # the head of the register (筆頭者)
    head_kana: str | None = None


@dataclass
class PinResetReservation:
    """A PIN reset reserved in the phone app (card read, face matched): when, and which PINs."""

    reserved_at: str  # ISO 8601 with its UTC offset: 2026-11-21T08:00:00+09:00
    which: list[str]  # ["user"] or ["user", "signing"]

    def check(self) -> None:
        try:
            at = datetime.fromisoformat(self.reserved_at)
        except ValueError:
            raise schema.SchemaError("reserved_at", "must be an ISO 8601 time") from None
        if at.tzinfo is None:
            raise schema.SchemaError("reserved_at", "must say its UTC offset (+09:00)")
        if self.which not in (["user"], ["user", "signing"]):
            raise schema.SchemaError("which", 'must be ["user"] or ["user", "signing"]')

    @property
    def at(self) -> datetime:
        return datetime.fromisoformat(self.reserved_at)


@dataclass
class TownApDef:
    """A municipality's own AP on the card (the card-AP method): its user id, PIN and tries."""

    municipality: str
    user_id: str
    pin: str
    tries_left: int = 3

    def check(self) -> None:
        if not _DIGITS6.fullmatch(self.municipality):
            raise schema.SchemaError("municipality", "must be a 6-digit municipality code")
        if not _USER_ID.fullmatch(self.user_id):
            raise schema.SchemaError("user_id", "must be 1 to 16 capital letters and digits")
        if not _DIGITS4.fullmatch(self.pin):
            raise schema.SchemaError("pin", "must be 4 digits (the card AP's own PIN)")
        if not 0 <= self.tries_left <= 3:
            raise schema.SchemaError("tries_left", "must be 0 to 3")


@dataclass
class Card:
    type: Literal["mynumber", "smartphone", "iphone", "juki", "face-auth"]
    tries_left: int
    cert: Literal["valid", "revoked", "expired"]
    pin: str | None = None  # none on a face-authentication card or an iPhone
    user_id: str | None = None
    key: Literal["rsa2048", "ecdsa-p384"] = "rsa2048"  # the user-authentication key
    atr: str | None = None  # hex: the card answers with this ATR instead of the usual one
    ap: TownApDef | None = None  # a town's AP on a My Number card (juki: user_id, pin are it)
    expires: str | None = None  # YYYY-MM-DD: the card's body is valid until this day
    pin_reset: PinResetReservation | None = None  # reserved in the phone app
    number: str | None = None  # the individual number (absent: one derived from the id)
    helper_pin: str | None = None  # the text-helper AP's PIN (absent: ``pin``)

    def check(self) -> None:
        if self.type in ("face-auth", "iphone"):
            if self.pin is not None:
                raise schema.SchemaError("pin", f"a {self.type} card has no usable PIN at the "
                                         "kiosk: leave it out")
        elif self.pin is None or not _DIGITS4.fullmatch(self.pin):
            raise schema.SchemaError("pin", "must be 4 digits (the user-authentication PIN)")
        if self.atr is not None:
            check_atr("atr", self.atr)
        if not 0 <= self.tries_left <= 3:
            raise schema.SchemaError("tries_left", "must be 0 to 3")
        if self.type == "juki" and not self.user_id:
            raise schema.SchemaError("user_id", "a juki card needs the card-AP user id")
        if self.user_id is not None and not _USER_ID.fullmatch(self.user_id):
            raise schema.SchemaError("user_id", "must be 1 to 16 capital letters and digits")
        if self.ap is not None and self.type in ("juki", "iphone", "face-auth"):
            raise schema.SchemaError("ap", "only a My Number card carries a town AP (a juki "
                                     "card's is its user_id, pin and tries_left)")
        if self.expires is not None:
            iso_date("expires", self.expires)
        if self.number is not None and not valid_number(self.number):
            raise schema.SchemaError("number", "must be 12 digits, the last the check digit "
                                     "of the other 11 (the My Number rule)")
        if self.helper_pin is not None:
            if self.type != "mynumber":
                raise schema.SchemaError("helper_pin", "only a My Number card carries the "
                                         "text-helper AP")
            if not _DIGITS4.fullmatch(self.helper_pin):
                raise schema.SchemaError("helper_pin", "must be 4 digits (the text-helper "
                                         "AP's PIN)")

    @property
    def card_user_id(self) -> str | None:
        """The card-AP user id the card carries, if any (a juki card's, or its town AP's)."""
        return self.ap.user_id if self.ap is not None else self.user_id


@dataclass
class Resident:
    id: str
    name: PersonName
    municipality: str
    address: str
    born: str
    sex: Literal["male", "female"]
    nationality: str
    household: list[HouseholdMember]
    seal_registered: bool
    tax_years: list[int]
    card: Card
    residence: Residence | None = None
    honseki: Honseki | None = None
    support_measures: bool = False
    moved_out: bool = False

    def check(self) -> None:
        check_id("id", self.id)
        iso_date("born", self.born)
        check_years("tax_years", self.tax_years)
        if not _COUNTRY.fullmatch(self.nationality):
            raise schema.SchemaError("nationality", "must be a 2-letter country code (JP, VN)")

    @property
    def born_date(self) -> date:
        return date.fromisoformat(self.born)

    @property
    def individual_number(self) -> str:
        """The card's individual number: the world's, or one derived from the id (valid)."""
        if self.card.number is not None:
            return self.card.number
        first = str(int.from_bytes(hashlib.sha256(self.id.encode()).digest()[:8], "big"))
        first = first[-11:].rjust(11, "1")
        return first + str(check_digit(first))

    @property
    def register_address(self) -> str:
        """The 本籍 as the family register records it."""
        return (self.honseki.address if self.honseki else None) or self.address

    @property
    def register_head(self) -> str:
        """The head of the family register (筆頭者)."""
        return (self.honseki.head if self.honseki else None) or self.name.kanji
