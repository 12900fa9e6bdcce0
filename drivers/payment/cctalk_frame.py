"""The ccTalk message: framing, the simple checksum, a resyncing decoder, the headers we use.

A message is ``[destination] [data length] [source] [header] [data ...] [checksum]`` with the
simple 8-bit checksum chosen so that every byte of the message sums to 0 modulo 256. The host is
address 1, coin acceptors default to 2, payouts (hoppers) to 3. ccTalk is one wire shared by all:
the host reads back its own transmission (the echo) before the answer; a reply is told apart by
its destination (the host) and its source (the device asked).

Source: the ccTalk Generic Specification (Money Controls / Crane Payment Innovations), part 1
(message structure, checksum), part 2 (headers 254, 245, 229, 231, 228, 184, 167, 166, 164, 163,
1 ...) and part 3 (table of coin acceptor event codes, hopper status register bits); checked
against open implementations of it (for example the event code enums of dk.CctalkLib and
vltgroup/ccTalk on GitHub). Nothing here is a device maker's private variant.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

HOST = 1  # the host's ccTalk address
MAX_DATA = 252  # the longest data we accept (no header we use comes near it)
MIN_FRAME = 5  # destination, length, source, header, checksum


class CctalkError(Exception):
    """Anything that went wrong talking ccTalk: the drivers raise only its subclasses."""


class ProtocolError(CctalkError):
    """A malformed, unexpected or out-of-range message."""


class CommunicationLost(CctalkError):
    """No answer in time: the device is unplugged, off or dead."""


class DeviceRefused(CctalkError):
    """The device answered NAK (header 5) or BUSY (header 6)."""

    def __init__(self, header: int) -> None:
        super().__init__("busy" if header == Header.BUSY else "NAK")
        self.header = header


class Header(IntEnum):
    """The headers this kiosk uses (part 2 of the generic specification)."""

    ACK = 0  # reply: the command was done; replies carry their data under header 0
    RESET_DEVICE = 1  # software reset: counters to 0, all inhibited
    NAK = 5  # reply: refused
    BUSY = 6  # reply: busy, try again
    TEST_HOPPER = 163  # hopper: status register bits (HopperFlag)
    ENABLE_HOPPER = 164  # hopper: data [165] enables the payout, anything else disables it
    REQUEST_HOPPER_STATUS = 166  # hopper: [counter][remaining][last paid][last unpaid]
    DISPENSE_HOPPER_COINS = 167  # hopper: [N]; ciphered hoppers want [8 cipher bytes][N]
    MODIFY_MASTER_INHIBIT = 228  # acceptor: bit 0 = 1 accept, 0 master inhibit
    READ_BUFFERED_CREDIT = 229  # acceptor: [counter] then 5 pairs [result A][result B], newest 1st
    MODIFY_INHIBIT_STATUS = 231  # acceptor: [mask low][mask high], bit n-1 = 1 accepts coin n
    REQUEST_COIN_ID = 184  # acceptor: [position 1..16] -> 6 ASCII characters, e.g. "JP100A"
    REQUEST_EQUIPMENT_CATEGORY = 245  # ASCII: "Coin Acceptor", "Payout", ...
    SIMPLE_POLL = 254  # ACK when the device is there


ENABLE_HOPPER_KEY = 165  # the data byte of header 164 that enables a hopper

# Coin acceptor event codes (part 3, "coin acceptor error codes"): result A = 0, result B = code.
# There is no code named "coin jammed": a coin stuck at the credit sensor is 14, at the sorter 15.
COIN_EVENT_CODES: dict[int, str] = {
    0: "null event", 1: "reject coin", 2: "inhibited coin", 3: "multiple window",
    4: "wake-up timeout", 5: "validation timeout", 6: "credit sensor timeout",
    7: "sorter opto timeout", 8: "2nd close coin error", 9: "accept gate not ready",
    10: "credit sensor not ready", 11: "sorter not ready", 12: "reject coin not cleared",
    13: "validation sensor not ready", 14: "credit sensor blocked", 15: "sorter opto blocked",
    16: "credit sequence error", 17: "coin going backwards", 18: "coin too fast (credit sensor)",
    19: "coin too slow (credit sensor)", 20: "C.O.S. mechanism activated (coin on string)",
    21: "DCE opto timeout", 22: "DCE opto not seen", 23: "credit sensor reached too early",
    24: "reject coin (repeated sequential trip)", 25: "reject slug", 26: "reject sensor blocked",
    27: "games overload", 28: "max. coin meter pulses exceeded", 29: "accept gate open not closed",
    30: "accept gate closed not open", 31: "manifold opto timeout", 32: "manifold opto blocked",
    33: "manifold not ready", 34: "security status changed", 35: "motor exception",
    36: "swallowed coin", 37: "coin too fast (validation sensor)",
    38: "coin too slow (validation sensor)", 39: "coin incorrectly sorted",
    40: "external light attack", 253: "data block request",
    254: "coin return mechanism activated", 255: "unspecified alarm code",
}
REJECT_COIN, INHIBITED_COIN, CREDIT_SENSOR_BLOCKED, SORTER_OPTO_BLOCKED = 1, 2, 14, 15


def coin_event_name(code: int) -> str:
    if 128 <= code <= 159:
        return f"inhibited coin (type {code - 127})"
    return COIN_EVENT_CODES.get(code, f"code {code}")


class HopperFlag(IntEnum):
    """Bits of the first status register of header 163, 'test hopper' (part 3)."""

    MAX_CURRENT_EXCEEDED = 0x01
    PAYOUT_TIMEOUT = 0x02  # the motor ran and no coin came: the hopper is empty
    MOTOR_REVERSED = 0x04  # reversed during the last payout to clear a jam
    OPTO_BLOCKED_IDLE = 0x08
    OPTO_SHORT_IDLE = 0x10
    OPTO_BLOCKED_PAYOUT = 0x20  # blocked permanently during payout: a jam
    POWER_UP = 0x40
    PAYOUT_DISABLED = 0x80  # header 164 was not sent


# Our documented coin table: position -> yen; ids as the acceptor reports them (header 184).
# Position 5 is the bimetallic ¥500 of 2021; acceptors are programmed per coin set, so a site
# whose acceptor differs passes its own table to the driver.
YEN_BY_POSITION: dict[int, int] = {1: 10, 2: 50, 3: 100, 4: 500, 5: 500}
COIN_IDS: dict[int, str] = {1: "JP010A", 2: "JP050A", 3: "JP100A", 4: "JP500A", 5: "JP500B"}


def checksum(body: bytes) -> int:
    """The simple checksum: the byte that makes the whole message sum to 0 mod 256."""
    return -sum(body) & 0xFF


@dataclass(frozen=True)
class Frame:
    destination: int
    source: int
    header: int
    data: bytes = b""

    def __post_init__(self) -> None:
        for name in ("destination", "source", "header"):
            if not 0 <= getattr(self, name) <= 255:
                raise ProtocolError(f"{name} out of range: {getattr(self, name)}")
        if len(self.data) > MAX_DATA:
            raise ProtocolError(f"data too long: {len(self.data)} bytes")

    def encode(self) -> bytes:
        body = bytes((self.destination, len(self.data), self.source, self.header)) + self.data
        return body + bytes((checksum(body),))


def decode(raw: bytes) -> Frame:
    """Exactly one message, strictly: its length and checksum must be right."""
    if len(raw) < MIN_FRAME:
        raise ProtocolError(f"too short for a ccTalk message: {len(raw)} bytes")
    if len(raw) != MIN_FRAME + raw[1]:
        raise ProtocolError(f"length byte says {raw[1]} data bytes, {len(raw) - MIN_FRAME} came")
    if sum(raw) & 0xFF:
        raise ProtocolError("bad checksum")
    return Frame(raw[0], raw[2], raw[3], bytes(raw[4:-1]))


class FrameReader:
    """Bytes in, messages out; garbage is skipped a byte at a time until a message checks."""

    def __init__(self, limit: int = 4096) -> None:
        self._buffer = bytearray()
        self._limit = limit
        self.skipped = 0  # bytes dropped while resynchronizing

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        if len(self._buffer) > self._limit:
            self.skipped += len(self._buffer) - self._limit
            del self._buffer[: len(self._buffer) - self._limit]
        frames: list[Frame] = []
        while len(self._buffer) >= MIN_FRAME:
            size = MIN_FRAME + self._buffer[1]
            if self._buffer[1] > MAX_DATA or (
                    len(self._buffer) >= size and sum(self._buffer[:size]) & 0xFF):
                del self._buffer[0]
                self.skipped += 1
                continue
            if len(self._buffer) < size:
                later = self._complete_frame_after_start()
                if later is None:
                    break  # wait for the rest
                self.skipped += later  # a long 'length' was garbage: a whole message follows
                del self._buffer[:later]
                continue
            frames.append(decode(bytes(self._buffer[:size])))
            del self._buffer[:size]
        return frames

    def _complete_frame_after_start(self) -> int | None:
        buffer = self._buffer
        for start in range(1, len(buffer) - MIN_FRAME + 1):
            size = MIN_FRAME + buffer[start + 1]
            if start + size <= len(buffer) and not sum(buffer[start:start + size]) & 0xFF:
                return start
        return None

    def pending(self) -> int:
        return len(self._buffer)

    def clear(self) -> None:
        self._buffer.clear()
