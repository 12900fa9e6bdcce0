"""ISO 7816-4 pieces shared by the emulated cards: the card protocol, APDU parsing, and
``IsoCard``, the power and command dispatch every card model builds on."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from drivers.card.jpki_spec import (
    SW_CLA_NOT_SUPPORTED,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_WRONG_LENGTH,
)

Response = tuple[list[int], int, int]


class CardPoweredOff(RuntimeError):
    """An APDU reached a card that has no power (not placed on a reader, or powered off)."""


class EmulatedCard(Protocol):
    """What a reader slot (in-process or vpcd) needs from a card model."""

    atr: bytes

    def power_on(self) -> bytes: ...

    def power_off(self) -> None: ...

    def reset(self) -> bytes: ...

    def transmit(self, apdu: Sequence[int]) -> Response: ...


@dataclass(frozen=True, repr=False)
class Command:
    """A parsed APDU; ``le`` is None when absent (256 for a zero short Le, 65536 extended)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None

    @property
    def p1p2(self) -> int:
        return (self.p1 << 8) | self.p2

    def __repr__(self) -> str:  # the data field may be a PIN
        return f"Command({self.cla:02X} {self.ins:02X} {self.p1:02X} {self.p2:02X})"


def parse_command(apdu: Sequence[int]) -> Command | None:
    """The command, or None when the APDU is not well formed (answer 6700).

    Short and extended length (ISO 7816-3 cases 1, 2S/2E, 3S/3E, 4S/4E) are both understood; an
    extended Le of 0000 means 65536.
    """
    if not isinstance(apdu, (list, tuple, bytes, bytearray)):
        return None
    try:
        raw = bytes(apdu)
    except (TypeError, ValueError):
        return None
    if len(raw) < 4:
        return None
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, le=body[0] or 256)
    if body[0] == 0 and len(body) >= 3:
        return _extended(cla, ins, p1, p2, body[1:])
    lc = body[0]
    if lc == 0:
        return None
    if len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, data=body[1:])
    if len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, data=body[1:-1], le=body[-1] or 256)
    return None


def _extended(cla: int, ins: int, p1: int, p2: int, rest: bytes) -> Command | None:
    """``rest`` follows the 00 marker: Le (2E), or Lc and data (3E), then Le (4E)."""
    if len(rest) == 2:
        return Command(cla, ins, p1, p2, le=int.from_bytes(rest, "big") or 65536)
    lc = int.from_bytes(rest[:2], "big")
    if lc == 0:
        return None
    data = rest[2:2 + lc]
    if len(data) != lc:
        return None
    tail = rest[2 + lc:]
    if not tail:
        return Command(cla, ins, p1, p2, data=data)
    if len(tail) == 2:
        return Command(cla, ins, p1, p2, data=data, le=int.from_bytes(tail, "big") or 65536)
    return None


def status(sw: int, data: bytes = b"") -> Response:
    """A response tuple as pyscard returns it."""
    return list(data), sw >> 8, sw & 0xFF



class CountedPin(Protocol):
    """A PIN with a retry counter (an AP's): what ``verify_counted`` reads and changes."""

    tries_left: int
    verified: bool


def select_ef_among(cmd: Command, fids: tuple[int, ...]) -> tuple[int, int | None]:
    """SELECT of an EF by its 2-byte id among an AP's ``fids``: the status word and the EF
    now current (None when refused)."""
    if len(cmd.data) != 2:
        return SW_WRONG_LENGTH, None
    fid = int.from_bytes(cmd.data, "big")
    if fid not in fids:
        return SW_FILE_NOT_FOUND, None
    return SW_OK, fid


def verify_counted(pin: CountedPin, data: bytes, secret: bytes, max_tries: int) -> int:
    """VERIFY as the card's APs count it: ``63 Cx`` with x tries left (an empty VERIFY asks,
    spending none), ``63 C0`` once locked; the right PIN restores the tries. The status word."""
    if pin.tries_left == 0:
        return 0x63C0
    if not data:
        return 0x63C0 | pin.tries_left
    if hmac.compare_digest(data, secret):
        pin.tries_left, pin.verified = max_tries, True
        return SW_OK
    pin.tries_left -= 1
    pin.verified = False
    return 0x63C0 | pin.tries_left


Handler = Callable[[Command], tuple[int, bytes]]
"""One command's handler: the status word and the response data."""


class IsoCard:
    """An ISO 7816-4 card at the APDU level: power, the APDU count, and each APDU parsed (6700
    when malformed), its class checked against ``CLASSES`` (6E00) and handed to the handler
    ``_handlers()`` names for its (CLA, INS) (6D00 when none does).

    A subclass sets ``atr`` and ``CLASSES``, gives its handlers, and forgets in
    ``_clear_session()`` what a reset or a power-off clears on the real card.
    """

    atr: bytes
    CLASSES: ClassVar[frozenset[int]]

    def __init__(self) -> None:
        self._powered = False
        self.apdus_received = 0

    def power_on(self) -> bytes:
        self._powered = True
        return self.reset()

    def power_off(self) -> None:
        self._powered = False
        self._clear_session()

    def reset(self) -> bytes:
        """Warm reset: what ``_clear_session`` forgets is gone; returns the ATR."""
        self._clear_session()
        return self.atr

    def _clear_session(self) -> None:
        """Forget the card session (selection, verified PINs): nothing to forget here."""

    def transmit(self, apdu: Sequence[int]) -> Response:
        if not self._powered:
            raise CardPoweredOff("the card has no power")
        self.apdus_received += 1
        cmd = parse_command(apdu)
        if cmd is None:
            return status(SW_WRONG_LENGTH)
        if cmd.cla not in self.CLASSES:
            return status(SW_CLA_NOT_SUPPORTED)
        handler = self._handlers().get((cmd.cla, cmd.ins))
        if handler is None:
            return status(SW_INS_NOT_SUPPORTED)
        sw, data = handler(cmd)
        return status(sw, data)

    def _handlers(self) -> dict[tuple[int, int], Handler]:
        """The commands this card knows, by (CLA, INS)."""
        return {}
