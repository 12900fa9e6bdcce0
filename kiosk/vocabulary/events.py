"""The one event vocabulary: resident actions, driver facts, timer ticks and worker results.

Drivers and screens only ever post these; the session consumes them on the main loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kiosk.vocabulary.reasons import KioskError, Reason


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
class ChooseForm(Event):
    """A pre-filled form to print (the forms service)."""

    form: str


@dataclass(frozen=True)
class SetOptions(Event):
    options: dict[str, Any]


@dataclass(frozen=True)
class SetCopies(Event):
    copies: int


@dataclass(frozen=True, repr=False)
class SetText(Event):
    """What the resident typed into named fields on the on-screen keyboard, sent with "Next"."""

    fields: dict[str, str] = field(compare=False)

    def __repr__(self) -> str:
        return f"SetText(<{len(self.fields)} fields hidden>)"


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


class Operation(StrEnum):
    """The buttons of the operator menu."""

    TEST_PRINT = "test_print"
    SETTLEMENT = "settlement"
    COLLECT_CASH = "collect_cash"
    REFILL = "refill"
    CLEAR_FAULT = "clear_fault"
    OUT_OF_SERVICE = "out_of_service"
    BACK_IN_SERVICE = "back_in_service"
    PRACTICE = "practice"  # the next visit is a practice one (an office kiosk only)
    LEAVE = "leave"


@dataclass(frozen=True)
class OperatorAction(Event):
    """A button of the operator menu was pressed."""

    action: Operation


@dataclass(frozen=True)
class HelpCall(Event):
    """The resident pressed "call staff" (or the keypad's Help key)."""


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
class CashChanged(Event):
    """The cash unit's faults changed: ``fault`` is for staff (no personal data); None: all well."""

    fault: str | None


@dataclass(frozen=True)
class MoneyInserted(Event):
    """Money taken; ``device`` and ``counter`` say which device and, for a coin, the acceptor's
    event counter (journaled with it, so a power cut loses no coin); a note from ``bills`` is
    still in escrow."""

    yen: int
    device: str = ""
    counter: int | None = None


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
class JobResult:
    """A job's typed result: one class per job (kiosk.session.jobs and each service's own)."""


@dataclass(frozen=True)
class WorkDone(Event):
    """A job the session started finished with ``result``."""

    result: JobResult


@dataclass(frozen=True)
class WorkFailed(Event):
    """The job that would have made a ``job`` failed for ``reason``; ``error`` carries its facts
    (tries left, pages out, the rejected order)."""

    job: type[JobResult]
    reason: Reason
    error: KioskError | None = None
