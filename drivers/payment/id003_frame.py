"""JCM ID-003 framing: ``SYNC LNG CMD DATA… CRCL CRCH``, and the protocol's code tables.

A frame is SYNC (0xFC), LNG (the length of the whole frame, SYNC and CRC included: 5 to 255),
CMD (a command from the host, a status from the validator), DATA (0 to 250 bytes) and a CRC-16
over SYNC…DATA, sent low byte first. The CRC is CRC-16/KERMIT: polynomial 0x1021 reflected
(0x8408), initial value 0, no final XOR. Known vector: the status request is ``FC 05 11 27 56``.

Sources (public; the JCM ID-003 specification itself is under NDA): the Arduino library
hackwin/JCMBillAcceptorID003 (frame layout, nibble CRC with 0x1081 i.e. reflected 0x1021 from
0, low byte first, 9600 8E1, status and setting codes), Portalum/Portalum.Id003 (CRC "CCITT"
reflected, LNG = data + 4, ACK 0x50, inhibit 0xC3 00/01, the setting sequence C0…C5) and
max7019/Id003-.Net-driver (the full status table 0x11…0x1B, 0x40…0x4A).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

SYNC = 0xFC
MIN_LENGTH = 5  # SYNC LNG CMD CRCL CRCH
MAX_LENGTH = 0xFF  # LNG is one byte
MAX_DATA = MAX_LENGTH - MIN_LENGTH


class Id003Error(Exception):
    """Every error of the ID-003 driver: a caller catches this one type."""


class ProtocolError(Id003Error):
    """A malformed frame, or an answer the protocol does not allow where it came."""


class Command(IntEnum):
    """Host → validator."""

    STATUS_REQUEST = 0x11
    # operation commands: the validator answers ACK (0x50)
    RESET = 0x40
    STACK_1 = 0x41
    STACK_2 = 0x42
    RETURN = 0x43
    HOLD = 0x44
    WAIT = 0x45
    ACK = 0x50  # the host's acknowledgement of VEND VALID (the validator expects no answer)
    # setting commands: the validator echoes the command and its data
    SET_DENOMINATION = 0xC0  # 2 data bytes: a bit per denomination, 1 = disabled
    SET_SECURITY = 0xC1  # 2 data bytes: a bit per denomination, 1 = high security
    SET_COMMUNICATION_MODE = 0xC2  # 1 byte: 0 polled
    SET_INHIBIT = 0xC3  # 1 byte: 0 accept, 1 inhibit
    SET_DIRECTION = 0xC4  # 1 byte: a bit per insertion direction, 1 = refused
    SET_OPTIONAL_FUNCTION = 0xC5  # 2 bytes
    VERSION_REQUEST = 0x88


class Status(IntEnum):
    """Validator → host: the answers to a status request, and the two acknowledgements."""

    IDLING = 0x11  # enabled, waiting for a note
    ACCEPTING = 0x12
    ESCROW = 0x13  # 1 data byte: the denomination code
    STACKING = 0x14
    VEND_VALID = 0x15  # the note is in the cassette: the host must ACK
    STACKED = 0x16
    REJECTING = 0x17  # 1 data byte: the reject reason
    RETURNING = 0x18
    HOLDING = 0x19
    DISABLED = 0x1A  # inhibited
    INITIALIZE = 0x1B
    POWER_UP = 0x40
    POWER_UP_BILL_IN_ACCEPTOR = 0x41
    POWER_UP_BILL_IN_STACKER = 0x42
    STACKER_FULL = 0x43
    STACKER_OPEN = 0x44  # the cassette is out
    JAM_IN_ACCEPTOR = 0x45
    JAM_IN_STACKER = 0x46
    PAUSE = 0x47
    CHEATED = 0x48
    FAILURE = 0x49  # 1 data byte: the failure code
    COMMUNICATION_ERROR = 0x4A
    INVALID_COMMAND = 0x4B
    ACK = 0x50  # the validator's answer to an operation command


# The yen notes by escrow code. JCM's currency tables assign codes per country; the public
# projects show the US table (0x61 $1, 0x63 $5 … 0x67 $100). This yen table is OUR mapping for
# a JPY unit (0x61 ¥1000, 0x62 ¥2000, 0x63 ¥5000, 0x64 ¥10000): check a unit's own table.
YEN_BY_CODE: dict[int, int] = {0x61: 1000, 0x62: 2000, 0x63: 5000, 0x64: 10000}
CODE_BY_YEN: dict[int, int] = {yen: code for code, yen in YEN_BY_CODE.items()}
# bit of the SET_DENOMINATION / SET_SECURITY mask per yen note (bit 0 of byte 1 is code 0x61)
BIT_BY_YEN: dict[int, int] = {yen: code - 0x61 for code, yen in YEN_BY_CODE.items()}


def crc16(data: bytes) -> int:
    """CRC-16/KERMIT: reflected 0x1021 (0x8408), init 0, no final XOR."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x8408 if crc & 1 else crc >> 1
    return crc


@dataclass(frozen=True)
class Frame:
    """One frame: CMD (a Command or Status code) and its DATA."""

    code: int
    data: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.code <= 0xFF:
            raise ProtocolError(f"code {self.code} out of 0..255")
        if len(self.data) > MAX_DATA:
            raise ProtocolError(f"{len(self.data)} data bytes: at most {MAX_DATA}")


def encode(frame: Frame) -> bytes:
    """The bytes on the line, CRC low byte first."""
    body = bytes((SYNC, len(frame.data) + MIN_LENGTH, frame.code)) + frame.data
    crc = crc16(body)
    return body + bytes((crc & 0xFF, crc >> 8))


def decode(raw: bytes) -> Frame:
    """Exactly one frame, strictly checked; ProtocolError otherwise."""
    if len(raw) < MIN_LENGTH:
        raise ProtocolError(f"{len(raw)} bytes: a frame has at least {MIN_LENGTH}")
    if raw[0] != SYNC:
        raise ProtocolError(f"sync 0x{raw[0]:02X}, not 0x{SYNC:02X}")
    if raw[1] != len(raw):
        raise ProtocolError(f"length byte {raw[1]} but {len(raw)} bytes")
    crc = crc16(raw[:-2])
    if raw[-2] != crc & 0xFF or raw[-1] != crc >> 8:
        raise ProtocolError(f"CRC {raw[-2]:02X}{raw[-1]:02X}, expected "
                            f"{crc & 0xFF:02X}{crc >> 8:02X}")
    return Frame(raw[2], bytes(raw[3:-2]))


class FrameReader:
    """Bytes in as they come, whole frames out. Garbage before a SYNC is dropped (counted); a
    frame with a bad length or CRC is dropped from its SYNC, and the search goes on after it."""

    def __init__(self) -> None:
        self._buffer = bytearray()  # never more than one partial frame (< 255 bytes) is kept
        self.dropped = 0  # bytes thrown away

    def feed(self, data: bytes) -> list[Frame]:
        self._buffer += data
        frames: list[Frame] = []
        while True:
            start = self._buffer.find(SYNC)
            if start < 0:
                self.dropped += len(self._buffer)
                self._buffer.clear()
                break
            if start:
                self.dropped += start
                del self._buffer[:start]
            if len(self._buffer) < 2:
                break
            length = self._buffer[1]
            if length < MIN_LENGTH:
                self._skip()
                continue
            if len(self._buffer) < length:
                later = self._later_frame()
                if later < 0:
                    break
                self.dropped += later  # a false SYNC waited for bytes a real frame holds
                del self._buffer[:later]
                continue
            try:
                frames.append(decode(bytes(self._buffer[:length])))
            except ProtocolError:
                self._skip()
                continue
            del self._buffer[:length]
        return frames

    def wanted(self) -> int:
        """How many bytes would complete the frame begun (at least 1): a read of exactly this
        many returns as soon as they come, not at the port's timeout."""
        if len(self._buffer) < 2:
            return 2 - len(self._buffer)
        return max(1, self._buffer[1] - len(self._buffer))

    def pending(self) -> int:
        """Bytes held waiting for the rest of a frame."""
        return len(self._buffer)

    def clear(self) -> None:
        self._buffer.clear()

    def _later_frame(self) -> int:
        """Where a complete, valid frame starts after the first byte; -1 if none does."""
        buffer = self._buffer
        start = buffer.find(SYNC, 1)
        while 0 < start <= len(buffer) - MIN_LENGTH:
            length = buffer[start + 1]
            if MIN_LENGTH <= length <= len(buffer) - start:
                try:
                    decode(bytes(buffer[start:start + length]))
                    return start
                except ProtocolError:
                    pass
            start = buffer.find(SYNC, start + 1)
        return -1

    def _skip(self) -> None:
        """A false SYNC: drop it and look for the next."""
        self.dropped += 1
        del self._buffer[:1]


def describe(code: int) -> str:
    """A code's name for logs: STATUS/COMMAND names overlap, so both are given when known."""
    names = [cls(code).name for cls in (Status, Command) if code in cls._value2member_map_]
    return "/".join(dict.fromkeys(names)) or f"0x{code:02X}"
