"""What an ID-003 bill validator says, as typed values: the events of a poll, the faults.

Money is credited at :class:`VendValid` (the note is past the point of no return and the driver
has acknowledged it); :class:`Stacked` follows when the cassette has it. The money rules
themselves live above the payment port, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from drivers.payment.id003_frame import Id003Error, Status


class FaultKind(Enum):
    """The validator's fault statuses."""

    STACKER_FULL = Status.STACKER_FULL
    STACKER_OPEN = Status.STACKER_OPEN
    JAM_IN_ACCEPTOR = Status.JAM_IN_ACCEPTOR
    JAM_IN_STACKER = Status.JAM_IN_STACKER
    PAUSE = Status.PAUSE
    CHEATED = Status.CHEATED
    FAILURE = Status.FAILURE
    COMMUNICATION_ERROR = Status.COMMUNICATION_ERROR


# What the staff reads on the counter's console and in the journal.
STAFF_REASONS: dict[FaultKind, str] = {
    FaultKind.STACKER_FULL: "the note cassette is full: empty it",
    FaultKind.STACKER_OPEN: "the note cassette is out or open: put it back",
    FaultKind.JAM_IN_ACCEPTOR: "a note is jammed in the acceptor: open the head and clear it",
    FaultKind.JAM_IN_STACKER: "a note is jammed in the stacker: take the cassette out, clear it",
    FaultKind.PAUSE: "a second note was pushed in while one was taken: the acceptor paused",
    FaultKind.CHEATED: "the validator detected tampering (a note pulled back): check the unit",
    FaultKind.FAILURE: "the validator reports a hardware failure: call service",
    FaultKind.COMMUNICATION_ERROR: "the validator saw a broken frame from the kiosk: check the "
                                   "serial cable",
}

FAULT_BY_STATUS: dict[int, FaultKind] = {kind.value: kind for kind in FaultKind}


@dataclass(frozen=True)
class Idle:
    """Enabled and waiting for a note."""


@dataclass(frozen=True)
class Disabled:
    """Inhibited: no note is taken."""


@dataclass(frozen=True)
class Initializing:
    """Starting up after power or a reset."""


@dataclass(frozen=True)
class PowerUp:
    """Just powered; ``note_in`` is '' or where a note was left (acceptor, stacker)."""

    note_in: str = ""


@dataclass(frozen=True)
class Accepting:
    """A note is being drawn in and checked."""


@dataclass(frozen=True)
class Escrow:
    """A note is held: the kiosk decides, stack or return."""

    yen: int


@dataclass(frozen=True)
class UnknownEscrow:
    """A note the yen table does not know is held: return it."""

    code: int


@dataclass(frozen=True)
class Stacking:
    """The note is going into the cassette."""


@dataclass(frozen=True)
class VendValid:
    """The note is in: credit it (once; the driver has acknowledged it)."""

    yen: int


@dataclass(frozen=True)
class Stacked:
    """The cassette has the note."""

    yen: int


@dataclass(frozen=True)
class Returning:
    """The note is being given back."""


@dataclass(frozen=True)
class Returned:
    """The note given back is out of the unit (the customer's hand or the bezel)."""

    yen: int


@dataclass(frozen=True)
class Rejecting:
    """A note refused (not genuine, inhibited, not accepted); ``reason`` is the code."""

    reason: int


@dataclass(frozen=True)
class Holding:
    """The note is held longer (the HOLD command)."""


@dataclass(frozen=True)
class Fault:
    """A fault status: the unit takes no note until it is cleared."""

    kind: FaultKind
    detail: int = 0  # the failure code of FAILURE, else 0

    @property
    def reason(self) -> str:
        text = STAFF_REASONS[self.kind]
        return f"{text} (code 0x{self.detail:02X})" if self.detail else text


Event = (Idle | Disabled | Initializing | PowerUp | Accepting | Escrow | UnknownEscrow
         | Stacking | VendValid | Stacked | Returning | Returned | Rejecting | Holding | Fault)


class CommunicationLost(Id003Error):
    """The validator does not answer (unplugged, powered off, cable cut)."""


class Id003Fault(Id003Error):
    """A command met a fault status: ``fault.reason`` is for the staff."""

    def __init__(self, fault: Fault) -> None:
        super().__init__(fault.reason)
        self.fault = fault


class CommandRefused(Id003Error):
    """The validator answered INVALID COMMAND (e.g. stack with no note in escrow)."""
