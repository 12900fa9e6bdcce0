"""The core's jobs: one result class per job, so that results are dispatched by type."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.center.protocol import Authenticated, Catalog
from kiosk.vocabulary.events import JobResult
from kiosk.vocabulary.ports import CardInfo, PrintResult


@dataclass(frozen=True)
class CardRead(JobResult):
    """The card read; with the center's catalog when the kiosk had none today (it says which
    towns take the card-AP method)."""

    info: CardInfo
    catalog: Catalog | None = None


@dataclass(frozen=True)
class SignedIn(JobResult):
    """The card signed the center's challenge and the center knows the resident; with the
    center's catalog when the kiosk asked for it (its towns' and certificates' hours)."""

    result: Authenticated
    catalog: Catalog | None = None


@dataclass(frozen=True)
class DocumentPrinted(JobResult):
    result: PrintResult


@dataclass(frozen=True)
class OrderCompleted(JobResult):
    """The center took the order's completion."""


@dataclass(frozen=True)
class OrderVoided(JobResult):
    """The center took the order's void."""


@dataclass(frozen=True)
class PaidOut(JobResult):
    """The cash unit (or the e-money card) gave back ``yen`` of change or refund."""

    yen: int


@dataclass(frozen=True)
class EmoneyCharged(JobResult):
    yen: int


@dataclass(frozen=True)
class PrinterChecked(JobResult):
    """Pre-flight: None when the printer can print, else why not."""

    problem: str | None


@dataclass(frozen=True)
class TestPrinted(JobResult):
    """The operator's test page came out."""

    result: PrintResult


@dataclass(frozen=True)
class FaultCleared(JobResult):
    """The operator cleared the printer's fault."""
