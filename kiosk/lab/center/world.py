"""The world file: the center, the municipalities, the residents with their cards, the kiosks.

Loaded strictly with ``kiosk.schema``: an unknown field, a wrong type or a broken cross-reference
is one ``WorldError`` naming the file and the field (``resident[3].card.pin``) or the TOML line.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from kiosk import schema
from kiosk.center.protocol import CertificateOffer, Hours

SCHEMA_VERSION = 1
SAMPLE_WORLD = "sample-world.toml"

CERTIFICATE_TYPES = (
    "juminhyo", "kisai-jiko", "inkan", "tax-income", "tax-assessment", "tax-payment",
    "koseki-zenbu", "koseki-kojin", "koseki-fuhyo",
)
TAX_TYPES = ("tax-income", "tax-assessment", "tax-payment")
# Options a municipality may offer, per certificate type; any other type takes none.
RESIDENT_RECORD_OPTIONS = ("household", "head_relation", "honseki", "mynumber", "resident_code")
CERTIFICATE_OPTIONS: dict[str, tuple[str, ...]] = {
    "juminhyo": RESIDENT_RECORD_OPTIONS,
    "kisai-jiko": RESIDENT_RECORD_OPTIONS,
}

_DIGITS4 = re.compile(r"[0-9]{4}")
_RESIDENCE_CARD = re.compile(r"[A-Z]{2}[0-9]{8}[A-Z]{2}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class WorldError(schema.SchemaError):
    """A world file that cannot be used: names the file and the field path (or the line)."""

    def __init__(self, source: str, path: str, message: str, line: int | None = None) -> None:
        super().__init__(path, message)
        self.source = source
        self.line = line
        where = f"line {line}" if line is not None else (path or "(top)")
        self.args = (f"{source}: {where}: {message}",)


def check_digit(first5: str) -> int:
    """The check digit of a national local-government code (全国地方公共団体コード)."""
    total = sum(weight * int(d) for weight, d in zip((6, 5, 4, 3, 2), first5, strict=True))
    return (11 - total % 11) % 10


def _iso_date(path: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise schema.SchemaError(path, f"must be a date YYYY-MM-DD, not {value!r}") from None


def _require_ja(path: str, names: dict[str, str]) -> None:
    if "ja" not in names:
        raise schema.SchemaError(path, "needs a Japanese name (key 'ja')")


def _unique(items: Sequence[object], key: str, section: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise schema.SchemaError(f"{section}[{i}].{key}", f"{value!r} is used twice")
        seen.add(value)


# --- the center ----------------------------------------------------------------------------------
@dataclass
class CenterInfo:
    name: dict[str, str]
    store_commission: int
    closed_days: list[str]

    def check(self) -> None:
        _require_ja("name", self.name)
        if self.store_commission < 0:
            raise schema.SchemaError("store_commission", "must not be negative")
        for i, day in enumerate(self.closed_days):
            if not re.fullmatch(r"[0-9]{2}-[0-9]{2}", day):
                raise schema.SchemaError(f"closed_days[{i}]", f"must be MM-DD, not {day!r}")
            try:
                date(2000, int(day[:2]), int(day[3:]))  # a leap year: 02-29 is a real day
            except ValueError:
                raise schema.SchemaError(f"closed_days[{i}]", f"{day!r} is not a day") from None


# --- municipalities ------------------------------------------------------------------------------
@dataclass
class MunicipalityDef:
    code: str
    name: dict[str, str]
    participating: bool
    auth: list[Literal["jpki", "card-ap"]]
    hours: Hours
    certificates: list[CertificateOffer]
    max_copies: int = 0

    def check(self) -> None:
        if not re.fullmatch(r"[0-9]{6}", self.code):
            raise schema.SchemaError("code", f"must be 6 digits, not {self.code!r}")
        if check_digit(self.code[:5]) != int(self.code[5]):
            raise schema.SchemaError(
                "code", f"{self.code!r} has a wrong check digit "
                f"(expected {self.code[:5]}{check_digit(self.code[:5])})")
        _require_ja("name", self.name)
        if self.participating and not self.auth:
            raise schema.SchemaError("auth", "a participating municipality needs an auth method")
        if self.participating and self.max_copies < 1:
            raise schema.SchemaError("max_copies", "must be at least 1 where participating")
        _unique(self.certificates, "type", "certificates")
        for i, offer in enumerate(self.certificates):
            self._check_offer(f"certificates[{i}]", offer)

    @staticmethod
    def _check_offer(path: str, offer: CertificateOffer) -> None:
        if offer.type not in CERTIFICATE_TYPES:
            raise schema.SchemaError(
                f"{path}.type", f"unknown certificate {offer.type!r} "
                f"(known: {', '.join(CERTIFICATE_TYPES)})")
        if offer.fee < 0:
            raise schema.SchemaError(f"{path}.fee", "must not be negative")
        allowed = CERTIFICATE_OPTIONS.get(offer.type, ())
        for j, option in enumerate(offer.options):
            if option not in allowed:
                raise schema.SchemaError(
                    f"{path}.options[{j}]", f"{option!r} is not an option of {offer.type}")
        is_tax = offer.type in TAX_TYPES
        if is_tax and not offer.years:
            raise schema.SchemaError(f"{path}.years", "a tax certificate needs its years")
        if offer.years and not is_tax:
            raise schema.SchemaError(f"{path}.years", "only tax certificates have years")


# --- residents -----------------------------------------------------------------------------------
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
        _iso_date("born", self.born)

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
        if not self.id:
            raise schema.SchemaError("id", "must not be empty")
        _iso_date("born", self.born)
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


# --- kiosks --------------------------------------------------------------------------------------
@dataclass
class KioskDef:
    id: str
    kind: Literal["store", "office"]
    name: str
    hours: Hours | None = None


# --- the world -----------------------------------------------------------------------------------
@dataclass
class WorldFile:
    """The world file exactly as written: one list per ``[[table]]`` kind.

    ``parse_world`` checks ``schema`` before the rest, so that a file of another version fails on
    its version rather than on its fields.
    """

    schema: int
    center: CenterInfo
    municipality: list[MunicipalityDef]
    resident: list[Resident]
    kiosk: list[KioskDef]

    def check(self) -> None:
        _unique(self.municipality, "code", "municipality")
        _unique(self.resident, "id", "resident")
        _unique(self.kiosk, "id", "kiosk")
        codes = {m.code for m in self.municipality}
        user_ids: set[str] = set()
        for i, r in enumerate(self.resident):
            if r.municipality not in codes:
                raise schema.SchemaError(f"resident[{i}].municipality",
                                         f"no municipality has code {r.municipality!r}")
            if r.honseki is not None and r.honseki.municipality not in codes:
                raise schema.SchemaError(f"resident[{i}].honseki.municipality",
                                         f"no municipality has code {r.honseki.municipality!r}")
            user_id = r.card.user_id
            if user_id is not None:
                if user_id in user_ids:
                    raise schema.SchemaError(f"resident[{i}].card.user_id",
                                             f"{user_id!r} is used twice")
                user_ids.add(user_id)


@dataclass
class World:
    """The checked world: the lists of the file (plural names) and lookups by id or code.

    The lists are read-only once loaded: the lookups index them on first use.
    """

    schema: int
    center: CenterInfo
    municipalities: list[MunicipalityDef]
    residents: list[Resident]
    kiosks: list[KioskDef]

    @classmethod
    def from_file(cls, wf: WorldFile) -> World:
        return cls(wf.schema, wf.center, wf.municipality, wf.resident, wf.kiosk)

    @cached_property
    def _residents(self) -> dict[str, Resident]:
        return {r.id: r for r in self.residents}

    @cached_property
    def _by_user_id(self) -> dict[str, Resident]:
        return {r.card.user_id: r for r in self.residents if r.card.user_id is not None}

    @cached_property
    def _municipalities(self) -> dict[str, MunicipalityDef]:
        return {m.code: m for m in self.municipalities}

    @cached_property
    def _kiosks(self) -> dict[str, KioskDef]:
        return {k.id: k for k in self.kiosks}

    def resident(self, resident_id: str) -> Resident | None:
        return self._residents.get(resident_id)

    def resident_by_user_id(self, user_id: str) -> Resident | None:
        """The resident whose card carries this card-AP user id (card-AP method)."""
        return self._by_user_id.get(user_id)

    def municipality(self, code: str) -> MunicipalityDef | None:
        return self._municipalities.get(code)

    def kiosk(self, kiosk_id: str) -> KioskDef | None:
        return self._kiosks.get(kiosk_id)


# --- loading -------------------------------------------------------------------------------------
def parse_world(text: str, source: str = "<world>") -> World:
    """The world from TOML text; ``source`` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found[1]) if found else None
        raise WorldError(source, "", f"not valid TOML: {exc}", line) from None
    if "schema" not in data:
        raise WorldError(source, "schema", "is required")
    if data["schema"] != SCHEMA_VERSION:
        raise WorldError(source, "schema", f"must be {SCHEMA_VERSION}, not {data['schema']!r}")
    try:
        return World.from_file(schema.load(WorldFile, data))
    except schema.SchemaError as exc:
        raise WorldError(source, exc.path, exc.message) from None


def load_world(path: str | Path | None = None) -> World:
    """The world in ``path``, or the sample world shipped with the simulator."""
    if path is None:
        source = f"{SAMPLE_WORLD} (packaged)"
        text = resources.files(__package__).joinpath(SAMPLE_WORLD).read_text("utf-8")
        return _parsed(text, source)
    source = str(path)
    try:
        text = Path(path).read_text("utf-8")
    except OSError as exc:
        raise WorldError(source, "", f"cannot be read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise WorldError(source, "", "is not UTF-8 text") from None
    return _parsed(text, source)


@functools.lru_cache(maxsize=16)
def _parsed(text: str, source: str) -> World:
    """A world is read-only once loaded, so the same text is parsed once per process."""
    return parse_world(text, source)
