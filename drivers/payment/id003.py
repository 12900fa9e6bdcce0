"""The JCM ID-003 bill validator over a serial line (pyserial): poll, escrow, stack or return.

The host speaks first, always: a command frame, then the validator's one answer (a status, an
ACK, or the echo of a setting). Serial settings per ID-003: 9600 baud, 8 data bits, even parity,
1 stop bit. Every read is bounded by the port's timeout; an attempt without an answer is retried
``retries`` times and then :class:`CommunicationLost` is raised. Every error is an
:class:`Id003Error`. The driver knows the protocol only: what a note is worth to the session,
and when to stack it, is decided above the payment port.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from drivers.payment.id003_events import (
    FAULT_BY_STATUS,
    Accepting,
    CommandRefused,
    CommunicationLost,
    Disabled,
    Escrow,
    Event,
    Fault,
    FaultKind,
    Holding,
    Id003Fault,
    Idle,
    Initializing,
    PowerUp,
    Rejecting,
    Returned,
    Returning,
    Stacked,
    Stacking,
    UnknownEscrow,
    VendValid,
)
from drivers.payment.id003_frame import (
    BIT_BY_YEN,
    YEN_BY_CODE,
    Command,
    Frame,
    FrameReader,
    ProtocolError,
    Status,
    describe,
    encode,
)

log = logging.getLogger(__name__)

BAUDRATE = 9600
SETTLE_POLLS = 50  # at most this many polls while the unit initializes (start())


class SerialLine(Protocol):
    """What the driver needs of a pyserial ``Serial`` (a fake in tests)."""

    def write(self, data: bytes, /) -> int | None: ...

    def read(self, size: int = 1, /) -> bytes: ...

    def reset_input_buffer(self) -> None: ...

    def close(self) -> None: ...


def open_serial(path: str, timeout: float = 0.2) -> SerialLine:
    """The validator's port, 9600 8E1; CommunicationLost when it cannot be opened."""
    import serial  # pyserial: only a kiosk with a validator loads it

    if not 0.01 <= timeout <= 5:
        raise ValueError("timeout must be 0.01 to 5 seconds")
    try:
        return serial.Serial(path, BAUDRATE, bytesize=serial.EIGHTBITS, parity=serial.PARITY_EVEN,
                             stopbits=serial.STOPBITS_ONE, timeout=timeout, write_timeout=timeout)
    except (serial.SerialException, OSError, ValueError) as exc:
        raise CommunicationLost(f"cannot open {path}: {exc}") from None


class Id003Validator:
    """One validator on one line. Not thread-safe: one poller owns it."""

    def __init__(self, line: SerialLine, retries: int = 3, answer_within: float = 1.0) -> None:
        if not 1 <= retries <= 10:
            raise ValueError("retries must be 1 to 10")
        if not 0.01 <= answer_within <= 10:
            raise ValueError("answer_within must be 0.01 to 10 seconds")
        self._line = line
        self._retries = retries
        self._answer_within = answer_within
        self._reader = FrameReader()
        self._escrow_yen = 0  # the note last seen in escrow (0: none or unknown)
        self._last: int | None = None  # the last status code, for the edges (vend, returned)

    # -- the commands ------------------------------------------------------------------

    def poll(self) -> Event:
        """One status request, as a typed event. A VEND VALID is acknowledged here."""
        answer = self._exchange(Frame(Command.STATUS_REQUEST))
        previous, self._last = self._last, answer.code
        return self._event(answer, previous)

    def stack(self) -> None:
        """Stack the note in escrow (STACK-1)."""
        self._operate(Command.STACK_1)

    def return_note(self) -> None:
        """Give the note in escrow back (RETURN)."""
        self._operate(Command.RETURN)

    def hold(self) -> None:
        """Keep the note in escrow longer (HOLD)."""
        self._operate(Command.HOLD)

    def reset(self) -> None:
        """RESET: the unit initializes (a note in it is given back)."""
        self._operate(Command.RESET)
        self._escrow_yen = 0

    def inhibit(self, on: bool) -> None:
        """Refuse every note (on) or accept the enabled denominations (off)."""
        self._set(Command.SET_INHIBIT, b"\x01" if on else b"\x00")

    def set_denominations(self, yen: set[int] | frozenset[int]) -> None:
        """Accept these notes only (a subset of 1000, 2000, 5000, 10000)."""
        unknown = set(yen) - set(BIT_BY_YEN)
        if unknown:
            raise ValueError(f"no such note: {sorted(unknown)} (notes: {sorted(BIT_BY_YEN)})")
        disabled = 0xFFFF  # a bit per code, 1 = refused
        for note in yen:
            disabled &= ~(1 << BIT_BY_YEN[note])
        self._set(Command.SET_DENOMINATION, bytes((disabled & 0xFF, disabled >> 8)))

    def start(self, yen: set[int] | frozenset[int]) -> Event:
        """Reset, wait (bounded) for the unit to settle, set the notes, inhibit on.

        The first event after initializing is returned (Disabled, or a Fault)."""
        self.reset()
        for _ in range(SETTLE_POLLS):
            event = self.poll()
            if not isinstance(event, Initializing | PowerUp):
                break
        else:
            raise CommunicationLost("the validator did not finish initializing")
        self.set_denominations(yen)
        self.inhibit(True)
        return event

    def close(self) -> None:
        self._line.close()

    # -- the exchange ------------------------------------------------------------------

    def _operate(self, command: Command) -> None:
        answer = self._exchange(Frame(command))
        if answer.code == Status.ACK:
            return
        self._refuse(answer, command)

    def _set(self, command: Command, data: bytes) -> None:
        answer = self._exchange(Frame(command, data))
        if answer.code == command and answer.data == data:
            return
        self._refuse(answer, command)

    def _refuse(self, answer: Frame, command: Command) -> None:
        if answer.code == Status.INVALID_COMMAND:
            raise CommandRefused(f"the validator refused {command.name}")
        kind = FAULT_BY_STATUS.get(answer.code)
        if kind is not None:
            raise Id003Fault(_fault(kind, answer.data))
        raise ProtocolError(f"{describe(answer.code)} is no answer to {command.name}")

    def _exchange(self, frame: Frame) -> Frame:
        """Send, and the one answer; retried, then CommunicationLost."""
        raw = encode(frame)
        for attempt in range(1, self._retries + 1):
            self._reader.clear()
            try:
                self._line.reset_input_buffer()
                self._line.write(raw)
                answer = self._answer()
            except (OSError, ValueError) as exc:  # pyserial's SerialException is an OSError
                raise CommunicationLost(f"the serial line failed: {exc}") from None
            if answer is not None:
                return answer
            log.info("ID-003: no answer to %s (attempt %d)", describe(frame.code), attempt)
        raise CommunicationLost(f"no answer to {describe(frame.code)} after "
                                f"{self._retries} attempts")

    def _answer(self) -> Frame | None:
        """The first whole frame, or None when a read times out or the deadline passes."""
        deadline = time.monotonic() + self._answer_within
        while time.monotonic() < deadline:
            chunk = self._line.read(self._reader.wanted())
            if not chunk:
                return None  # the port's own timeout passed in silence
            frames = self._reader.feed(chunk)
            if frames:
                return frames[0]
        return None

    def _ack(self) -> None:
        """Acknowledge VEND VALID: the validator sends nothing back."""
        try:
            self._line.write(encode(Frame(Command.ACK)))
        except (OSError, ValueError) as exc:
            raise CommunicationLost(f"the serial line failed: {exc}") from None

    # -- statuses to events ------------------------------------------------------------

    def _event(self, answer: Frame, previous: int | None) -> Event:
        code, data = answer.code, answer.data
        kind = FAULT_BY_STATUS.get(code)
        if kind is not None:
            return _fault(kind, data)
        if code == Status.ESCROW:
            if len(data) != 1:
                raise ProtocolError(f"ESCROW with {len(data)} data bytes, not 1")
            yen = YEN_BY_CODE.get(data[0], 0)
            self._escrow_yen = yen
            return Escrow(yen) if yen else UnknownEscrow(data[0])
        if code == Status.VEND_VALID:
            self._ack()
            if previous == Status.VEND_VALID:
                return Stacking()  # our ACK was lost: the same note, not credited twice
            return VendValid(self._escrow_yen)
        if code == Status.STACKED:
            yen, self._escrow_yen = self._escrow_yen, 0
            return Stacked(yen) if previous != Status.STACKED else Idle()
        if code in (Status.IDLING, Status.DISABLED) and previous == Status.RETURNING:
            yen, self._escrow_yen = self._escrow_yen, 0
            return Returned(yen)
        if code == Status.REJECTING:
            return Rejecting(data[0] if data else 0)
        simple = _SIMPLE.get(code)
        if simple is not None:
            return simple
        raise ProtocolError(f"{describe(code)} is no answer to a status request")


_SIMPLE: dict[int, Event] = {
    Status.IDLING: Idle(), Status.DISABLED: Disabled(), Status.INITIALIZE: Initializing(),
    Status.ACCEPTING: Accepting(), Status.STACKING: Stacking(), Status.RETURNING: Returning(),
    Status.HOLDING: Holding(), Status.POWER_UP: PowerUp(),
    Status.POWER_UP_BILL_IN_ACCEPTOR: PowerUp("acceptor"),
    Status.POWER_UP_BILL_IN_STACKER: PowerUp("stacker"),
}


def _fault(kind: FaultKind, data: bytes) -> Fault:
    return Fault(kind, data[0] if kind is FaultKind.FAILURE and data else 0)
