"""An emulated JCM ID-003 bill validator: it answers frames as a unit would, and the hands
(standard input) insert notes and make faults.

``feed(data)`` takes the bytes the host sent and gives the bytes to answer; ``hand(word)`` takes
one line typed by a person or a test and gives one line back. Both may be called from two
threads. The unit powers up inhibited, with every note enabled; RESET starts it.
"""

from __future__ import annotations

import threading
from enum import Enum, auto

from drivers.payment.id003_frame import (
    BIT_BY_YEN,
    CODE_BY_YEN,
    Command,
    Frame,
    FrameReader,
    Status,
    encode,
)

REJECT_INHIBITED = 0x79  # reject reason: inhibited by command or DIP switch (public tables)
REJECT_NOT_A_NOTE = 0x76  # denomination assessing error
FAILURE_CODE = 0xA2  # the failure detail the emulator reports (some hardware failure)
ESCROW_POLLS = 30  # status requests a note waits in escrow before it goes back (no HOLD)

# The length of each setting command's data (the unit echoes a well-formed setting).
SETTINGS = {Command.SET_DENOMINATION: 2, Command.SET_SECURITY: 2,
            Command.SET_COMMUNICATION_MODE: 1, Command.SET_INHIBIT: 1, Command.SET_DIRECTION: 1,
            Command.SET_OPTIONAL_FUNCTION: 2}

FAULT_WORDS = {"jam": Status.JAM_IN_ACCEPTOR, "jam acceptor": Status.JAM_IN_ACCEPTOR,
               "jam stacker": Status.JAM_IN_STACKER, "full": Status.STACKER_FULL,
               "open": Status.STACKER_OPEN, "cheat": Status.CHEATED, "fail": Status.FAILURE,
               "pause": Status.PAUSE, "garbled": Status.COMMUNICATION_ERROR}

WORDS = ("insert YEN", *FAULT_WORDS, "empty", "unplug", "ok", "status")


class Phase(Enum):
    POWER_UP = auto()
    INITIALIZE = auto()
    IDLE = auto()
    ACCEPTING = auto()
    ESCROW = auto()
    STACKING = auto()
    VEND_VALID = auto()
    STACKED = auto()
    RETURNING = auto()
    REJECTING = auto()


class Id003Device:
    """The validator's state machine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reader = FrameReader()
        self.phase = Phase.POWER_UP
        self.inhibited = True
        self.disabled_mask = 0  # a bit per denomination code, 1 = refused
        self.note = 0  # yen in the head (escrow … stacked/returned)
        self.reject_reason = 0
        self.fault: Status | None = None
        self.unplugged = False
        self.stacked: list[int] = []  # the cassette's notes
        self.returned: list[int] = []
        self.stacked_total = 0  # yen stacked since start (the cassette may be emptied)
        self.stacked_notes = 0
        self.rejected_total = 0  # yen refused by the head itself (never in escrow)
        self.waited = 0  # status requests the note in escrow has waited since the last HOLD

    # -- the line ------------------------------------------------------------------------

    def feed(self, data: bytes) -> bytes:
        with self._lock:
            frames = self._reader.feed(data)
            if self.unplugged:
                return b""
            return b"".join(encode(a) for f in frames if (a := self._answer(f)) is not None)

    def _answer(self, frame: Frame) -> Frame | None:
        code, data = frame.code, frame.data
        if code == Command.STATUS_REQUEST and not data:
            return self._status()
        if code == Command.ACK and not data:
            if self.phase is Phase.VEND_VALID:
                self._stack()
                self.phase = Phase.STACKED
            return None  # an ACK is never answered
        if code in SETTINGS:
            if len(data) != SETTINGS[Command(code)]:
                return Frame(Status.INVALID_COMMAND)
            if code == Command.SET_INHIBIT:
                self.inhibited = bool(data[0] & 1)
            elif code == Command.SET_DENOMINATION:
                self.disabled_mask = data[0] | data[1] << 8
            return Frame(code, data)  # the echo
        if data or code not in (Command.RESET, Command.STACK_1, Command.STACK_2,
                                Command.RETURN, Command.HOLD, Command.WAIT):
            return Frame(Status.INVALID_COMMAND)
        if code == Command.RESET:
            if self.phase in (Phase.ESCROW, Phase.ACCEPTING, Phase.RETURNING):
                self.returned.append(self.note)  # a note not yet in the cassette comes back
            elif self.phase in (Phase.STACKING, Phase.VEND_VALID):
                self._stack()  # one on its way into the cassette ends there
            self.phase, self.note = Phase.INITIALIZE, 0
            return Frame(Status.ACK)
        if self.fault is not None:
            return self._fault_frame()
        if self.phase is not Phase.ESCROW:
            return Frame(Status.INVALID_COMMAND)
        if code in (Command.STACK_1, Command.STACK_2):
            self.phase = Phase.STACKING
        elif code == Command.RETURN:
            self.phase = Phase.RETURNING
        self.waited = 0  # HOLD and WAIT: the note stays in escrow, its timeout anew
        return Frame(Status.ACK)

    def _stack(self) -> None:
        self.stacked.append(self.note)
        self.stacked_total += self.note
        self.stacked_notes += 1

    def _status(self) -> Frame:
        if self.fault is not None:
            return self._fault_frame()
        phase = self.phase
        if phase is Phase.POWER_UP:
            return Frame(Status.POWER_UP)
        if phase is Phase.INITIALIZE:
            self.phase = Phase.IDLE
            return Frame(Status.INITIALIZE)
        if phase is Phase.IDLE:
            return Frame(Status.DISABLED if self.inhibited else Status.IDLING)
        if phase is Phase.ACCEPTING:
            self.phase, self.waited = Phase.ESCROW, 0
            return Frame(Status.ACCEPTING)
        if phase is Phase.ESCROW:
            self.waited += 1  # the escrow timeout, counted in the host's status requests
            if self.waited > ESCROW_POLLS:  # no STACK, RETURN or HOLD: the note goes back
                self.phase = Phase.RETURNING
                return Frame(Status.RETURNING)
            return Frame(Status.ESCROW, bytes((CODE_BY_YEN[self.note],)))
        if phase is Phase.STACKING:
            self.phase = Phase.VEND_VALID
            return Frame(Status.STACKING)
        if phase is Phase.VEND_VALID:
            return Frame(Status.VEND_VALID)  # again and again until the host's ACK
        if phase is Phase.STACKED:
            self.phase, self.note = Phase.IDLE, 0
            return Frame(Status.STACKED)
        if phase is Phase.RETURNING:
            self.returned.append(self.note)
            self.phase, self.note = Phase.IDLE, 0
            return Frame(Status.RETURNING)
        self.phase = Phase.IDLE  # REJECTING: said once
        return Frame(Status.REJECTING, bytes((self.reject_reason,)))

    def _fault_frame(self) -> Frame:
        assert self.fault is not None
        return Frame(self.fault, bytes((FAILURE_CODE,)) if self.fault is Status.FAILURE else b"")

    # -- the hands -----------------------------------------------------------------------

    def hand(self, word: str) -> str:
        word = " ".join(word.lower().split())
        with self._lock:
            if word.startswith("insert"):
                return self._insert(word.removeprefix("insert").strip())
            if word in FAULT_WORDS:
                self.fault = FAULT_WORDS[word]
                return f"fault: {self.fault.name.lower().replace('_', ' ')}"
            if word == "empty":
                count = len(self.stacked)
                self.stacked.clear()
                if self.fault is Status.STACKER_FULL:
                    self.fault = None
                return f"cassette emptied ({count} notes)"
            if word == "unplug":
                self.unplugged = True
                return "unplugged: the validator no longer answers"
            if word == "ok":
                self.fault, self.unplugged = None, False
                return "ok: faults cleared, plugged in"
            if word == "status":
                return self._describe()
            return f"unknown {word[:20]!r}: type {', '.join(WORDS)}"

    def _insert(self, amount: str) -> str:
        if not amount.isdigit() or len(amount) > 6:
            return "insert what? insert 1000 (yen)"
        yen = int(amount)
        if self.unplugged or self.fault is not None or self.phase is Phase.POWER_UP:
            return f"¥{yen}: the validator is not taking notes (fault, unplugged or off)"
        if self.phase is not Phase.IDLE:
            return f"¥{yen}: the slot is busy ({self.phase.name.lower()})"
        bit = BIT_BY_YEN.get(yen)
        if bit is None or self.inhibited or self.disabled_mask >> bit & 1:
            self.phase = Phase.REJECTING
            self.reject_reason = REJECT_NOT_A_NOTE if bit is None else REJECT_INHIBITED
            self.returned.append(yen)
            self.rejected_total += yen
            return f"¥{yen}: rejected ({'not a note' if bit is None else 'inhibited'})"
        self.phase, self.note = Phase.ACCEPTING, yen
        return f"¥{yen}: accepting, then escrow"

    def counts(self) -> dict[str, object]:
        """Totals since start: yen stacked, given back from escrow, and refused at the slot."""
        with self._lock:
            return {"device": "id003", "stacked": self.stacked_total,
                    "stacked_notes": self.stacked_notes,
                    "returned": sum(self.returned) - self.rejected_total,
                    "rejected": self.rejected_total, "in_escrow": self.note
                    if self.phase in (Phase.ACCEPTING, Phase.ESCROW) else 0}

    def _describe(self) -> str:
        state = "unplugged" if self.unplugged else (
            self.fault.name.lower() if self.fault is not None else self.phase.name.lower())
        return (f"{state}; inhibited={self.inhibited}; cassette: {len(self.stacked)} notes "
                f"¥{sum(self.stacked)}")
