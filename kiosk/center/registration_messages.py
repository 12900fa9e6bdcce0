"""The 本籍地 registration's messages (本籍地の証明書交付の利用登録申請), part of protocol v1."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk import schema

REGISTRATION_DAYS = 5  # calendar days until the 本籍地's answer is expected
HONSEKI_MAX = 80  # characters the resident may type for the register's address
HITTOUSHA_MAX = 40  # and for the name of its head (筆頭者)


@dataclass
class TokenRef:
    """A request that needs only the resident's sign-in."""

    token: str


@dataclass
class RegistrationTown:
    """A town whose family-register certificates a resident may register for."""

    code: str
    names: dict[str, str]
    prefecture: dict[str, str]  # {"ja": "東京都", "en": "Tokyo"}: shown before the town's name


@dataclass
class RegistrationChoices:
    towns: list[RegistrationTown]


@dataclass
class RegistrationRequest:
    """What the resident typed: the register's address after the town, and its head's name."""

    token: str
    municipality: str
    honseki: str
    hittousha: str

    def check(self) -> None:
        if not (len(self.municipality) == 6 and self.municipality.isascii()
                and self.municipality.isdigit()):
            raise schema.SchemaError("municipality", "must be 6 digits")
        # The typed text is never repeated in an error: it is the resident's own.
        if not 1 <= len(self.honseki) <= HONSEKI_MAX:
            raise schema.SchemaError("honseki", f"must be 1 to {HONSEKI_MAX} characters")
        if not 1 <= len(self.hittousha) <= HITTOUSHA_MAX:
            raise schema.SchemaError("hittousha", f"must be 1 to {HITTOUSHA_MAX} characters")


@dataclass
class Registration:
    """An application taken: ``usable_from`` (YYYY-MM-DD) is when the 本籍地's answer is due."""

    registration_id: str
    municipality: str
    status: str  # "pending"
    usable_from: str
