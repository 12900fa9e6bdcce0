"""ccTalk drivers: a coin acceptor and a hopper on one serial line (9600 baud, 8N1).

Each call is one question and one answer over a ``CctalkBus``, which owns the line: it writes
the message, skips its own echo (and anything not addressed to the host by the device asked),
and waits a bounded time; no answer is ``CommunicationLost``, a bad one ``ProtocolError``.
Only the protocol lives here: what money means is the payment port's business (next step).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Protocol

from drivers.payment.cctalk_frame import (
    ENABLE_HOPPER_KEY,
    HOST,
    YEN_BY_POSITION,
    CommunicationLost,
    DeviceRefused,
    Frame,
    FrameReader,
    Header,
    HopperFlag,
    ProtocolError,
    coin_event_name,
)

BAUD = 9600
BUFFERED_EVENTS = 5  # header 229 answers the last five events
MAX_REPLY_BYTES = 2048  # bytes read for one answer before giving up on the line


class Line(Protocol):
    """What the bus needs of a serial port (pyserial's ``Serial`` has it)."""

    def write(self, data: bytes, /) -> int | None: ...
    def read(self, size: int = 1, /) -> bytes: ...
    def reset_input_buffer(self) -> None: ...
    def close(self) -> None: ...


def open_line(path: str) -> Line:
    """The serial port at ``path``, 9600 8N1, short read timeout (the bus keeps the deadline)."""
    import serial  # pyserial: imported here so that the frame codec needs no serial port

    return serial.Serial(path, BAUD, bytesize=8, parity="N", stopbits=1, timeout=0.02)


def parse_target(value: str) -> tuple[str, int]:
    """``cctalk:/dev/ttyUSB1@2`` -> (``/dev/ttyUSB1``, 2)."""
    scheme, _, rest = value.partition(":")
    path, at, address = rest.rpartition("@")
    if scheme != "cctalk" or not at or not path or not address.isdigit():
        raise ValueError(f"not a ccTalk target (cctalk:PATH@ADDRESS): {value!r}")
    if not 2 <= int(address) <= 255:
        raise ValueError(f"ccTalk device address out of range 2..255: {address}")
    return path, int(address)


class CctalkBus:
    """One serial line, one question at a time, shared by every device on it."""

    def __init__(self, line: Line, timeout: float = 0.5) -> None:
        self._line = line
        self._timeout = timeout
        self._lock = threading.Lock()

    def close(self) -> None:
        self._line.close()

    def transact(self, address: int, header: int, data: bytes = b"") -> bytes:
        """Send ``header`` with ``data`` to ``address``; the data of its ACK."""
        request = Frame(address, HOST, header, data)
        with self._lock:
            self._line.reset_input_buffer()
            self._line.write(request.encode())
            reply = self._await(address)
        if reply.header in (Header.NAK, Header.BUSY):
            raise DeviceRefused(reply.header)
        if reply.header != Header.ACK:
            raise ProtocolError(f"reply with header {reply.header}, not ACK")
        return reply.data

    def _await(self, address: int) -> Frame:
        """The addressed device's answer: what has arrived is read at once (a read of more than
        has come would sit out the port's timeout on every exchange)."""
        reader = FrameReader()
        deadline = time.monotonic() + self._timeout
        seen = 0
        while time.monotonic() < deadline and seen < MAX_REPLY_BYTES:
            chunk = self._line.read(max(1, min(64, getattr(self._line, "in_waiting", 0))))
            seen += len(chunk)
            for frame in reader.feed(chunk):
                if frame.destination == HOST and frame.source == address:
                    return frame
                # our echo, or another device's traffic on the shared wire: not our answer
        if reader.skipped or reader.pending():
            raise ProtocolError(f"no valid answer from {address}: {seen} bytes of garbage")
        raise CommunicationLost(f"ccTalk address {address} did not answer")


# --- the coin acceptor -------------------------------------------------------------------
@dataclass(frozen=True)
class Credit:
    yen: int
    counter: int


@dataclass(frozen=True)
class CoinError:
    code: int
    counter: int

    @property
    def name(self) -> str:
        return coin_event_name(self.code)


@dataclass(frozen=True)
class UnknownCoin:
    """A credit at a position not in our coin table: reconcile by hand."""

    position: int
    counter: int


@dataclass(frozen=True)
class EventsLost:
    """The counter moved more than the buffer holds: ``n`` events are gone unread."""

    n: int
    counter: int


@dataclass(frozen=True)
class AcceptorReset:
    """The counter went back to 0: the acceptor was reset or powered off; events may be lost."""

    counter: int = 0


CoinEvent = Credit | CoinError | UnknownCoin | EventsLost | AcceptorReset


def new_events(last: int, counter: int) -> int:
    """How many events happened between two counter readings (1..255, wrapping to 1)."""
    if last == 0:
        return counter
    return (counter - last) % 255


class CoinAcceptor:
    """A ccTalk coin acceptor: credits and errors from its buffer, inhibits per coin."""

    def __init__(self, bus: CctalkBus, address: int = 2,
                 coins: dict[int, int] | None = None) -> None:
        self.bus = bus
        self.address = address
        self.coins = dict(YEN_BY_POSITION if coins is None else coins)
        if not all(1 <= p <= 16 and y > 0 for p, y in self.coins.items()):
            raise ValueError("coin positions are 1..16, values positive")
        self.counter: int | None = None  # unknown until the first poll
        self.first: bytes | None = None  # the first reading's buffer

    def ping(self) -> None:
        self.bus.transact(self.address, Header.SIMPLE_POLL)

    def category(self) -> str:
        return self._ascii(self.bus.transact(self.address, Header.REQUEST_EQUIPMENT_CATEGORY))

    def coin_id(self, position: int) -> str:
        if not 1 <= position <= 16:
            raise ValueError(f"coin position out of range 1..16: {position}")
        return self._ascii(self.bus.transact(self.address, Header.REQUEST_COIN_ID,
                                             bytes((position,))))

    def reset(self) -> None:
        self.bus.transact(self.address, Header.RESET_DEVICE)
        self.counter = None

    def set_inhibits(self, accepted_yen: set[int]) -> None:
        """Accept exactly the coins whose value is in ``accepted_yen``; inhibit the rest."""
        mask = sum(1 << (p - 1) for p, yen in self.coins.items() if yen in accepted_yen)
        self.bus.transact(self.address, Header.MODIFY_INHIBIT_STATUS, mask.to_bytes(2, "little"))

    def set_master(self, accepting: bool) -> None:
        """Master inhibit off (``accepting``) or on: nothing is accepted while it is on."""
        self.bus.transact(self.address, Header.MODIFY_MASTER_INHIBIT, bytes((int(accepting),)))

    def poll(self) -> list[CoinEvent]:
        """Read the buffered credits and errors: what happened since the last poll, oldest first."""
        data = self.bus.transact(self.address, Header.READ_BUFFERED_CREDIT)
        if len(data) != 1 + 2 * BUFFERED_EVENTS:
            raise ProtocolError(f"buffered credit: {len(data)} bytes, expected 11")
        last = self.counter
        self.counter = data[0]
        if last is None:
            self.first = data  # kept: a power cut's coins are read from it (``since``)
            return []  # the first reading sets the baseline: older events are not ours
        return self._decode(data, last)

    def since(self, last: int) -> list[CoinEvent]:
        """The events of the first reading that came after counter ``last`` (the journal's
        before a power cut): the coins taken while the kiosk was down, oldest first."""
        if self.first is None or not 0 <= last <= 255:
            return []
        return self._decode(self.first, last)

    def _decode(self, data: bytes, last: int) -> list[CoinEvent]:
        counter = data[0]
        if counter == last:
            return []
        if counter == 0:
            return [AcceptorReset()]
        events: list[CoinEvent] = []
        n = new_events(last, counter)
        if n > BUFFERED_EVENTS:
            events.append(EventsLost(n - BUFFERED_EVENTS, counter))
        for age in reversed(range(min(n, BUFFERED_EVENTS))):
            a, b = data[1 + 2 * age], data[2 + 2 * age]
            event_counter = (counter - 1 - age) % 255 + 1
            if a == 0:
                events.append(CoinError(b, event_counter))
            elif a in self.coins:
                events.append(Credit(self.coins[a], event_counter))
            else:
                events.append(UnknownCoin(a, event_counter))
        return events

    @staticmethod
    def _ascii(data: bytes) -> str:
        if not data or any(not 32 <= b < 127 for b in data):
            raise ProtocolError(f"not printable ASCII: {data!r}")
        return data.decode("ascii")


# --- the hopper ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HopperStatus:
    counter: int
    remaining: int
    paid: int
    unpaid: int


@dataclass(frozen=True)
class Payout:
    """A payout ended: ``paid`` coins came out, ``unpaid`` did not."""

    paid: int
    unpaid: int


@dataclass(frozen=True)
class HopperEmpty:
    """The motor ran and no coin came (payout timeout): refill, then reconcile ``unpaid``."""

    unpaid: int


@dataclass(frozen=True)
class HopperJammed:
    flags: int
    unpaid: int


@dataclass(frozen=True)
class HopperFault:
    """A payout stopped short for another reason: ``flags`` of 'test hopper' (HopperFlag)."""

    flags: int
    unpaid: int


HopperEvent = Payout | HopperEmpty | HopperJammed | HopperFault

JAM_FLAGS = HopperFlag.OPTO_BLOCKED_PAYOUT | HopperFlag.MOTOR_REVERSED


class Hopper:
    """A ccTalk hopper, plain (unciphered) dispense: many real hoppers want the cipher variant
    of header 167 (8 bytes from their serial number first); this driver does not do it yet."""

    def __init__(self, bus: CctalkBus, address: int = 3) -> None:
        self.bus = bus
        self.address = address
        self.requested = 0  # coins asked by the payout in progress, 0 when none
        self.paid_so_far = 0  # of it, the coins its last status said had come out

    def ping(self) -> None:
        self.bus.transact(self.address, Header.SIMPLE_POLL)

    def enable(self, on: bool = True) -> None:
        key = ENABLE_HOPPER_KEY if on else 0
        self.bus.transact(self.address, Header.ENABLE_HOPPER, bytes((key,)))

    def dispense(self, n: int) -> int | None:
        """Start paying ``n`` coins; the hopper's event counter for this payout, if it said."""
        if not 1 <= n <= 255:
            raise ValueError(f"coins to dispense out of range 1..255: {n}")
        if self.requested:
            raise ProtocolError("a payout is already in progress")
        data = self.bus.transact(self.address, Header.DISPENSE_HOPPER_COINS, bytes((n,)))
        if len(data) > 1:
            raise ProtocolError(f"dispense answered {len(data)} bytes")
        self.requested, self.paid_so_far = n, 0
        return data[0] if data else None

    def status(self) -> HopperStatus:
        data = self.bus.transact(self.address, Header.REQUEST_HOPPER_STATUS)
        if len(data) != 4:
            raise ProtocolError(f"hopper status: {len(data)} bytes, expected 4")
        return HopperStatus(*data)

    def test(self) -> int:
        """The 'test hopper' flags: register 1 in the low byte, register 2 next, ..."""
        data = self.bus.transact(self.address, Header.TEST_HOPPER)
        if not 1 <= len(data) <= 3:
            raise ProtocolError(f"test hopper: {len(data)} bytes")
        return int.from_bytes(data, "little")

    def poll(self) -> list[HopperEvent]:
        """Nothing while coins are still going out; at the end, the ``Payout`` and why short."""
        if not self.requested:
            return []
        status = self.status()
        if status.remaining > self.requested or status.paid + status.unpaid > self.requested:
            raise ProtocolError(f"hopper status out of range for {self.requested}: {status}")
        self.paid_so_far = status.paid
        if status.remaining:
            return []
        if status.paid + status.unpaid != self.requested:
            raise ProtocolError(f"payout of {self.requested} ended as {status}")
        self.requested = 0
        events: list[HopperEvent] = [Payout(status.paid, status.unpaid)]
        if status.unpaid:
            flags = self.test()
            if flags & HopperFlag.PAYOUT_TIMEOUT:
                events.append(HopperEmpty(status.unpaid))
            elif flags & JAM_FLAGS:
                events.append(HopperJammed(flags, status.unpaid))
            else:
                events.append(HopperFault(flags, status.unpaid))
        return events
