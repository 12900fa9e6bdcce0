"""The world file's residents: their names, household, family register (本籍) and the cards
they carry. Part of the world file (``kiosk.lab.center.world``), checked the same strict way."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from kiosk import schema
from kiosk.lab.center.fields import check_id, check_years, iso_date

_DIGITS4 = re.compile(r"[0-9]{4}")
_RESIDENCE_CARD = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_USER_ID = re.compile(r"[A-Z0-9]{1,16}")  # a card-AP user id, printed on the card


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
class Card:
    type: Literal["mynumber", "smartphone", "juki"]
    pin: str
    tries_left: int
    cert: Literal["valid", "revoked", "expired"]
    user_id: str | None = None

    def check(self) -> None:
        if not _DIGITS4.fullmatch(self.pin):
            raise schema.SchemaError("pin", "must be 4 digits (the user-authentication PIN)")
        if not 0 <= self.tries_left <= 3:
            raise schema.SchemaError("tries_left", "must be 0 to 3")
        if self.type == "juki" and not self.user_id:
            raise schema.SchemaError("user_id", "a juki card needs the card-AP user id")
        if self.user_id is not None and not _USER_ID.fullmatch(self.user_id):
            raise schema.SchemaError("user_id", "must be 1 to 16 capital letters and digits")


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
    def register_address(self) -> str:
        """The 本籍 as the family register records it."""
        return (self.honseki.address if self.honseki else None) or self.address

    @property
    def register_head(self) -> str:
        """The head of the family register (筆頭者)."""
        return (self.honseki.head if self.honseki else None) or self.name.kanji
