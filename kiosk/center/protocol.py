"""The kiosk ⇄ center protocol, version 1: messages as dataclasses, JSON on the wire.

A request is ``{"v": 1, "call": NAME, "idempotency_key": KEY, "body": {...}}``; a reply is
``{"v": 1, "ok": true, "body": {...}}`` or ``{"v": 1, "ok": false, "error": {"reason": CODE,
"detail": TEXT}}``. Every body is checked strictly (``kiosk.schema``): a malformed field is one
``ProtocolError`` that names it.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from kiosk import schema

# The PIN reset's messages (暗証番号の再設定), part of this protocol too.
from kiosk.center.pin_reset_messages import PinResetAuthorise as PinResetAuthorise
from kiosk.center.pin_reset_messages import PinResetAuthorised as PinResetAuthorised
from kiosk.center.pin_reset_messages import PinResetCheck as PinResetCheck
from kiosk.center.pin_reset_messages import PinResetReserved as PinResetReserved

# The 本籍地 registration's messages, part of this protocol (``p.RegistrationRequest`` …).
from kiosk.center.registration_messages import HITTOUSHA_MAX as HITTOUSHA_MAX
from kiosk.center.registration_messages import HONSEKI_MAX as HONSEKI_MAX
from kiosk.center.registration_messages import REGISTRATION_DAYS as REGISTRATION_DAYS
from kiosk.center.registration_messages import Registration as Registration
from kiosk.center.registration_messages import RegistrationChoices as RegistrationChoices
from kiosk.center.registration_messages import RegistrationRequest as RegistrationRequest
from kiosk.center.registration_messages import RegistrationTown as RegistrationTown
from kiosk.center.registration_messages import TokenRef as TokenRef

VERSION = 1
MAX_DEPTH = 32  # objects and arrays within each other, the message itself counted
MAX_NUMBER = 15  # characters of a JSON number: every count, fee and year fits, and int64 too
MAX_TEXT = 64  # characters of an id, a code, a token or an option in a request
MAX_COPIES = 99  # copies of one order (and max_copies of a municipality)
MAX_OPTIONS = 16  # options of one order
MAX_LINES = 1000  # lines of one settlement
_HHMM = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
_SURROGATE = re.compile("[\ud800-\udfff]")  # "\\ud800" alone in JSON: no UTF-8 for it


class ProtocolError(ValueError):
    """A message that breaks the protocol; the text names the field (and is kept short)."""

    def __init__(self, text: str) -> None:
        super().__init__(text if len(text) <= 160 else text[:159] + "…")


def _at_most(obj: object, most: int, *names: str) -> None:
    """SchemaError naming the first field of more than ``most`` characters (never its text)."""
    for name in names:
        if len(getattr(obj, name)) > most:
            raise schema.SchemaError(name, f"must be at most {most} characters")


# --- the catalog --------------------------------------------------------------------------------

def minutes(hhmm: str) -> int:
    """Minutes since midnight of a checked HH:MM ("24:00", a closing time, ends the day)."""
    return int(hhmm[:2]) * 60 + int(hhmm[3:])


@dataclass
class Hours:
    """Open from ``open`` until before ``close`` (HH:MM, 00:00 to 23:59; close may be 24:00)."""

    open: str = "06:30"
    close: str = "23:00"
    weekdays_only: bool = False

    def check(self) -> None:
        for key, value in (("open", self.open), ("close", self.close)):
            if not (_HHMM.fullmatch(value) or key == "close" and value == "24:00"):
                raise schema.SchemaError(key, f"must be HH:MM, 00:00 to 23:59, not {value[:8]!r}")
        if minutes(self.open) >= minutes(self.close):
            raise schema.SchemaError("open", f"must be before close ({self.close})")


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
    auth: list[str] = field(default_factory=lambda: ["jpki"])  # and/or "card-ap"


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
class AuthenticateApRequest:
    """The card-AP method: the town's AP on the card answered the challenge with its MAC
    (AES-CMAC over SHA-256 of ``auth_message``) after its own PIN."""

    municipality: str
    user_id: str
    mac: bytes
    nonce: bytes

    def check(self) -> None:
        _at_most(self, 16, "municipality", "user_id")


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
        _at_most(self, MAX_TEXT, "token", "municipality", "certificate")
        if not 1 <= self.copies <= MAX_COPIES:
            raise schema.SchemaError("copies", f"must be 1 to {MAX_COPIES}")
        if len(self.options) > MAX_OPTIONS or not all(
                len(k) <= MAX_TEXT and isinstance(v, bool | int | str) and len(str(v)) <= MAX_TEXT
                for k, v in self.options.items()):
            raise schema.SchemaError("options", f"must be at most {MAX_OPTIONS} names of true, "
                                                f"false, a number or up to {MAX_TEXT} characters")


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
class OrderDocuments:
    """A counter order's documents again, at serve time (らくらく窓口), with the holder's name
    for the clerk to hand them to the right person."""

    order_id: str
    holder: str
    documents: list[Document]


@dataclass
class OrderRef:
    order_id: str
    printed: int = 0

    def check(self) -> None:
        _at_most(self, MAX_TEXT, "order_id")
        if not 0 <= self.printed <= MAX_COPIES:  # and at most the order's copies (the center)
            raise schema.SchemaError("printed", f"must be 0 to {MAX_COPIES}")


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

    def check(self) -> None:
        _at_most(self, MAX_TEXT, "municipality", "certificate")
        if self.count < 0 or self.fees < 0:
            raise schema.SchemaError("count" if self.count < 0 else "fees", "must not be negative")


@dataclass
class SettlementReport:
    day: str  # YYYY-MM-DD
    lines: list[SettlementLine]

    def check(self) -> None:
        y, m, d = self.day.partition("-")[0], self.day[5:7], self.day[8:]
        if not (len(self.day) == 10 and y.isdigit() and m.isdigit() and d.isdigit()):
            raise schema.SchemaError("day", f"must be YYYY-MM-DD, not {self.day[:16]!r}")
        if len(self.lines) > MAX_LINES:
            raise schema.SchemaError("lines", f"must be at most {MAX_LINES}")


@dataclass
class SettlementAck:
    """The center's tally of the day for this kiosk, and where the kiosk's report differs."""

    day: str
    certificates: int
    fees: int
    commission: int
    discrepancies: list[str]


CALLS: dict[str, tuple[type | None, type]] = {
    "catalog": (None, Catalog),
    "challenge": (None, Challenge),
    "authenticate": (AuthenticateRequest, Authenticated),
    "authenticate_ap": (AuthenticateApRequest, Authenticated),
    "order": (OrderRequest, Order),
    "complete": (OrderRef, Done),
    "cancel": (OrderRef, Done),
    "order_documents": (OrderRef, OrderDocuments),  # a counter kiosk's order, to print there
    "settlement": (SettlementReport, SettlementAck),
    "registration_towns": (TokenRef, RegistrationChoices),
    "register": (RegistrationRequest, Registration),
    "pin_reset_check": (PinResetCheck, PinResetReserved),
    "pin_reset_authorise": (PinResetAuthorise, PinResetAuthorised),
}


def binding_message(order_id: str, sha256_hex: str) -> bytes:
    """The bytes the center signs to bind a document to its order."""
    return f"kiosk-document/v1\n{order_id}\n{sha256_hex}\n".encode()


def auth_message(nonce: bytes, kiosk_id: str) -> bytes:
    """The bytes the card signs (as a SHA-256 DigestInfo) to answer a challenge."""
    return b"kiosk-auth/v1\n" + nonce + b"\n" + kiosk_id.encode()


# --- the wire ---------------------------------------------------------------------------------
def encode_request(call: str, body: Any, idempotency_key: str) -> bytes:
    return json.dumps({"v": VERSION, "call": call, "idempotency_key": idempotency_key,
                       "body": schema.dump(body) if body is not None else {}},
                      ensure_ascii=False).encode()


@dataclass
class Request:
    call: str
    idempotency_key: str
    body: Any


def decode_request(raw: bytes) -> Request:
    msg = _parse(raw)
    call = msg.get("call")
    if not isinstance(call, str) or call not in CALLS:
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
    return Request(call, key, _load(req_type, body, "body"))


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
        return _load(Refusal, msg.get("error"), "error")
    if ok is not True:
        raise ProtocolError("ok: must be true or false")
    return _load(CALLS[call][1], msg.get("body"), "body")


def _load(tp: Any, data: Any, path: str) -> Any:
    try:
        return schema.load(tp, data, path)
    except schema.SchemaError as exc:
        raise ProtocolError(str(exc)) from None


def _number(text: str) -> float:
    """A JSON number (or NaN, Infinity) as Python's, if finite and of at most MAX_NUMBER."""
    short = len(text) <= MAX_NUMBER
    value = (int(text) if text.lstrip("-").isdigit() else float(text)) if short else math.inf
    if not math.isfinite(value):
        raise ValueError(f"a number must be finite and of at most {MAX_NUMBER} characters")
    return value


def _parse(raw: bytes) -> dict[str, Any]:
    """A JSON object of this version, nested at most MAX_DEPTH deep; else ProtocolError."""
    try:
        msg = json.loads(raw, parse_int=_number, parse_float=_number, parse_constant=_number)
    except (RecursionError, ValueError) as exc:  # not UTF-8, not JSON, not a number we take
        why = "nested too deep" if isinstance(exc, RecursionError) else exc
        raise ProtocolError(f"(message): not JSON: {why}") from None
    if not isinstance(msg, dict):
        raise ProtocolError("(message): must be a JSON object")
    # A lone surrogate can only come from a \uDxxx escape (the bytes are UTF-8): look for one
    # in every string only when the message has such an escape (most have no backslash at
    # all, found by one quick scan for the byte).
    escaped = b"\\" in raw and (b"\\ud" in raw or b"\\uD" in raw)
    todo: list[Any] = [msg]
    for _ in range(MAX_DEPTH):  # one level at a time: no recursion for the sender to exhaust
        items = [x for c in todo for x in ((*c, *c.values()) if isinstance(c, dict) else c)]
        if escaped and any(isinstance(x, str) and _SURROGATE.search(x) for x in items):
            raise ProtocolError("(message): a string that is not Unicode text")
        todo = [x for x in items if isinstance(x, dict | list)]
        if not todo:
            break
    if todo:
        raise ProtocolError(f"(message): nested deeper than {MAX_DEPTH}")
    if type(v := msg.get("v")) is not int or v != VERSION:
        raise ProtocolError(f"v: protocol version {v!r} is not {VERSION}")
    return msg
