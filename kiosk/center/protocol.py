"""The kiosk ⇄ center protocol, version 1: messages as dataclasses, JSON on the wire.

A request is ``{"v": 1, "call": NAME, "idempotency_key": KEY, "body": {...}}``; a reply is
``{"v": 1, "ok": true, "body": {...}}`` or ``{"v": 1, "ok": false, "error": {"reason": CODE,
"detail": TEXT}}``. Every body is checked strictly (``kiosk.schema``): a malformed field is one
``ProtocolError`` that names it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kiosk import schema

VERSION = 1


class ProtocolError(ValueError):
    """A message that breaks the protocol; the text names the field."""


# --- the catalog --------------------------------------------------------------------------------
@dataclass
class Hours:
    open: str = "06:30"
    close: str = "23:00"
    weekdays_only: bool = False

    def check(self) -> None:
        for key in ("open", "close"):
            value = getattr(self, key)
            hh, _, mm = value.partition(":")
            if not (hh.isdigit() and mm.isdigit() and int(hh) < 25 and int(mm) < 60):
                raise schema.SchemaError(key, f"must be HH:MM, not {value!r}")


@dataclass
class CertificateOffer:
    """A certificate type as a municipality offers it."""

    type: str
    fee: int
    options: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    hours: Hours | None = None


@dataclass
class Municipality:
    code: str
    names: dict[str, str]
    participating: bool
    hours: Hours
    max_copies: int
    certificates: list[CertificateOffer]


@dataclass
class Catalog:
    center: dict[str, str]
    closed_days: list[str]
    municipalities: list[Municipality]

    def municipality(self, code: str) -> Municipality | None:
        return next((m for m in self.municipalities if m.code == code), None)


# --- authentication -----------------------------------------------------------------------------
@dataclass
class Challenge:
    nonce: bytes
    expires: str


@dataclass
class AuthenticateRequest:
    certificate: bytes
    signature: bytes
    nonce: bytes


@dataclass
class Offer:
    """What this resident can get from one municipality."""

    municipality: str
    names: dict[str, str]
    home: bool
    max_copies: int
    certificates: list[CertificateOffer]


@dataclass
class Authenticated:
    token: str
    offers: list[Offer]


# --- orders ----------------------------------------------------------------------------------
@dataclass
class OrderRequest:
    token: str
    municipality: str
    certificate: str
    options: dict[str, Any]
    copies: int

    def check(self) -> None:
        if self.copies < 1:
            raise schema.SchemaError("copies", "must be at least 1")


@dataclass
class Document:
    """One printable document, bound to its order by hash and the center's signature."""

    document_id: str
    order_id: str
    sha256: str
    signature: bytes
    pages: int
    pdf: bytes


@dataclass
class Order:
    order_id: str
    fee: int
    documents: list[Document]


@dataclass
class OrderRef:
    order_id: str
    printed: int = 0


@dataclass
class Done:
    order_id: str
    state: str


@dataclass
class SettlementLine:
    """The certificates of one type from one municipality that a kiosk issued in a day."""

    municipality: str
    certificate: str
    count: int
    fees: int


@dataclass
class SettlementReport:
    day: str  # YYYY-MM-DD
    lines: list[SettlementLine]

    def check(self) -> None:
        y, m, d = self.day.partition("-")[0], self.day[5:7], self.day[8:]
        if not (len(self.day) == 10 and y.isdigit() and m.isdigit() and d.isdigit()):
            raise schema.SchemaError("day", f"must be YYYY-MM-DD, not {self.day!r}")


@dataclass
class SettlementAck:
    """The center's tally of the day for this kiosk, and where the kiosk's report differs."""

    day: str
    certificates: int
    fees: int
    commission: int
    discrepancies: list[str]


# --- the 本籍地 registration (本籍地の証明書交付の利用登録申請) ---------------------------------
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


CALLS: dict[str, tuple[type | None, type]] = {
    "catalog": (None, Catalog),
    "challenge": (None, Challenge),
    "authenticate": (AuthenticateRequest, Authenticated),
    "order": (OrderRequest, Order),
    "complete": (OrderRef, Done),
    "cancel": (OrderRef, Done),
    "settlement": (SettlementReport, SettlementAck),
    "registration_towns": (TokenRef, RegistrationChoices),
    "register": (RegistrationRequest, Registration),
}


def binding_message(order_id: str, sha256_hex: str) -> bytes:
    """The bytes the center signs to bind a document to its order."""
    return f"kiosk-document/v1\n{order_id}\n{sha256_hex}\n".encode()


def auth_message(nonce: bytes, kiosk_id: str) -> bytes:
    """The bytes the card signs (as a SHA-256 DigestInfo) to answer a challenge."""
    return b"kiosk-auth/v1\n" + nonce + b"\n" + kiosk_id.encode()


# --- the wire ---------------------------------------------------------------------------------
def encode_request(call: str, body: Any, idempotency_key: str) -> bytes:
    return json.dumps(
        {"v": VERSION, "call": call, "idempotency_key": idempotency_key,
         "body": schema.dump(body) if body is not None else {}},
        ensure_ascii=False,
    ).encode()


@dataclass
class Request:
    call: str
    idempotency_key: str
    body: Any


def decode_request(raw: bytes) -> Request:
    msg = _parse(raw)
    call = msg.get("call")
    if call not in CALLS:
        raise ProtocolError(f"call: unknown call {call!r}")
    key = msg.get("idempotency_key")
    if not isinstance(key, str) or not 8 <= len(key) <= 128:
        raise ProtocolError("idempotency_key: must be a string of 8 to 128 characters")
    extra = set(msg) - {"v", "call", "idempotency_key", "body"}
    if extra:
        raise ProtocolError(f"{sorted(extra)[0]}: is not a known key")
    req_type, _ = CALLS[call]
    body = msg.get("body", {})
    if req_type is None:
        if body not in ({}, None):
            raise ProtocolError("body: this call takes no body")
        return Request(call, key, None)
    try:
        return Request(call, key, schema.load(req_type, body, "body"))
    except schema.SchemaError as exc:
        raise ProtocolError(str(exc)) from None


def encode_reply(body: Any) -> bytes:
    return json.dumps({"v": VERSION, "ok": True, "body": schema.dump(body)},
                      ensure_ascii=False).encode()


def encode_error(reason: str, detail: str = "") -> bytes:
    return json.dumps({"v": VERSION, "ok": False, "error": {"reason": reason, "detail": detail}},
                      ensure_ascii=False).encode()


@dataclass
class Refusal:
    reason: str
    detail: str = ""


def decode_reply(call: str, raw: bytes) -> Any:
    """The reply's body as its dataclass, or a ``Refusal``; ProtocolError if malformed."""
    msg = _parse(raw)
    ok = msg.get("ok")
    if ok is False:
        try:
            return schema.load(Refusal, msg.get("error"), "error")
        except schema.SchemaError as exc:
            raise ProtocolError(str(exc)) from None
    if ok is not True:
        raise ProtocolError("ok: must be true or false")
    _, reply_type = CALLS[call]
    try:
        return schema.load(reply_type, msg.get("body"), "body")
    except schema.SchemaError as exc:
        raise ProtocolError(str(exc)) from None


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        msg = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"(message): not JSON: {exc}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("(message): must be a JSON object")
    if msg.get("v") != VERSION:
        raise ProtocolError(f"v: protocol version {msg.get('v')!r} is not {VERSION}")
    return msg
