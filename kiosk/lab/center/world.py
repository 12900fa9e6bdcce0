"""The world file: the center, the municipalities, the residents with their cards
(``residents``), the kiosks.

Loaded strictly with ``kiosk.schema``: an unknown field, a wrong type or a broken cross-reference
is one ``WorldError`` naming the file and the field (``resident[3].card.pin``) or the TOML line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from kiosk import schema
from kiosk.center.protocol import MAX_COPIES, CertificateOffer, Hours
from kiosk.lab.center.fields import (
    MAX_FEE,
    check_fee,
    check_id,
    check_range,
    check_years,
    require_ja,
    unique,
)
from kiosk.lab.center.residents import Resident

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


# --- the center ----------------------------------------------------------------------------------
@dataclass
class CenterInfo:
    name: dict[str, str]
    store_commission: int
    closed_days: list[str]

    def check(self) -> None:
        require_ja("name", self.name)
        check_range("store_commission", self.store_commission, 0, MAX_FEE)
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
        require_ja("name", self.name)
        check_range("max_copies", self.max_copies, 0, MAX_COPIES)
        if self.participating and not self.auth:
            raise schema.SchemaError("auth", "a participating municipality needs an auth method")
        if self.participating and self.max_copies < 1:
            raise schema.SchemaError("max_copies", "must be at least 1 where participating")
        unique(self.certificates, "type", "certificates")
        for i, offer in enumerate(self.certificates):
            self._check_offer(f"certificates[{i}]", offer)

    @staticmethod
    def _check_offer(path: str, offer: CertificateOffer) -> None:
        if offer.type not in CERTIFICATE_TYPES:
            raise schema.SchemaError(
                f"{path}.type", f"unknown certificate {offer.type!r} "
                f"(known: {', '.join(CERTIFICATE_TYPES)})")
        check_fee(f"{path}.fee", offer.fee)
        check_years(f"{path}.years", offer.years)
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


# --- kiosks --------------------------------------------------------------------------------------
@dataclass
class KioskDef:
    id: str
    kind: Literal["store", "office", "counter"]
    name: str
    hours: Hours | None = None

    def check(self) -> None:
        check_id("id", self.id)


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
        unique(self.municipality, "code", "municipality")
        unique(self.resident, "id", "resident")
        unique(self.kiosk, "id", "kiosk")
        codes = {m.code for m in self.municipality}
        user_ids: set[str] = set()
        for i, r in enumerate(self.resident):
            if r.municipality not in codes:
                raise schema.SchemaError(f"resident[{i}].municipality",
                                         f"no municipality has code {r.municipality!r}")
            if r.honseki is not None and r.honseki.municipality not in codes:
                raise schema.SchemaError(f"resident[{i}].honseki.municipality",
                                         f"no municipality has code {r.honseki.municipality!r}")
            if r.card.ap is not None and r.card.ap.municipality not in codes:
                raise schema.SchemaError(f"resident[{i}].card.ap.municipality",
                                         f"no municipality has code {r.card.ap.municipality!r}")
            user_id = r.card.card_user_id
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
        return {r.card.card_user_id: r for r in self.residents
                if r.card.card_user_id is not None}

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
        data = schema.load_toml(text)
    except schema.TomlError as exc:
        raise WorldError(source, "", str(exc), exc.line) from None
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
