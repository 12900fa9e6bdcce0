"""The one event vocabulary: resident actions, driver facts, timer ticks and worker results.

Drivers and screens only ever post these; the session consumes them on the main loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kiosk.reasons import Reason


class Event:
    """Base of every event."""


# --- what the resident does (the same semantic actions as the replay format) -----------------
@dataclass(frozen=True)
class ChooseLanguage(Event):
    code: str


@dataclass(frozen=True)
class Start(Event):
    service: str = "certificates"


@dataclass(frozen=True)
class Agree(Event):
    accepted: bool = True


@dataclass(frozen=True, repr=False)
class EnterPin(Event):
    """The digits typed on the keypad. The session wipes the buffer after VERIFY."""

    pin: bytearray = field(compare=False)

    def __repr__(self) -> str:
        return "EnterPin(<hidden>)"


@dataclass(frozen=True)
class ChooseMunicipality(Event):
    code: str


@dataclass(frozen=True)
class ChooseCertificate(Event):
    type: str


@dataclass(frozen=True)
class SetOptions(Event):
    options: dict[str, Any]


@dataclass(frozen=True)
class SetCopies(Event):
    copies: int


@dataclass(frozen=True)
class Confirm(Event):
    accepted: bool = True


@dataclass(frozen=True)
class Cancel(Event):
    """Give up the visit, from any screen that offers it."""


@dataclass(frozen=True)
class Back(Event):
    """One step back."""


@dataclass(frozen=True)
class Take(Event):
    what: str  # "paper" | "change"


@dataclass(frozen=True)
class PayEmoney(Event):
    """The resident chose to pay the fee by e-money."""


@dataclass(frozen=True)
class OperatorKey(Event):
    """The service key combination on the kiosk's keyboard (staff only; never a gesture)."""


@dataclass(frozen=True)
class OperatorAction(Event):
    """A button of the operator menu: test_print, settlement, collect_cash, refill,
    clear_fault, out_of_service, back_in_service, leave."""

    action: str


@dataclass(frozen=True)
class StopVoice(Event):
    """The resident pressed "stop voice"."""


@dataclass(frozen=True)
class MoreTime(Event):
    """The resident answered "need more time?": restart the inactivity timer."""


# --- what the drivers observe ------------------------------------------------------------------
@dataclass(frozen=True)
class CardPlaced(Event):
    reader: str = ""


@dataclass(frozen=True)
class CardRemoved(Event):
    reader: str = ""


@dataclass(frozen=True)
class ReaderChanged(Event):
    """The card reader (or pcscd behind it) went away or came back; ``detail`` says why."""

    available: bool
    detail: str = ""


@dataclass(frozen=True)
class MoneyInserted(Event):
    yen: int


@dataclass(frozen=True)
class MoneyRejected(Event):
    yen: int


@dataclass(frozen=True)
class TrayChanged(Event):
    paper: bool
    change: bool


@dataclass(frozen=True)
class PrintProgress(Event):
    """Pages of the document being printed that have come out so far."""

    pages: int


@dataclass(frozen=True)
class PrinterCleared(Event):
    """The operator says the printer's fault is cleared: check it, and print again if so."""


@dataclass(frozen=True)
class Tick(Event):
    now: datetime


# --- what workers report back --------------------------------------------------------------------
@dataclass(frozen=True)
class WorkDone(Event):
    """A job the session started finished; ``job`` names it, ``value`` is its result."""

    job: str
    value: Any = None


@dataclass(frozen=True)
class WorkFailed(Event):
    """A job failed for ``reason``; ``value`` carries extra facts (tries left, pages out)."""

    job: str
    reason: Reason
    value: Any = None
