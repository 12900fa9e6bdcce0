"""What the session core works with: its ports, and the resident's visit."""

from __future__ import annotations

from dataclasses import dataclass, field

from kiosk.center.protocol import Offer, Order
from kiosk.session.printing import PrintRun
from kiosk.vocabulary.ports import (
    AlarmPort,
    CardInfo,
    CardPort,
    CenterPort,
    EmoneyPort,
    Journal,
    MetricsPort,
    PaymentPort,
    PrinterPort,
    StaffAlertPort,
    VoicePort,
)
from kiosk.vocabulary.reasons import Reason


@dataclass
class Ports:
    card: CardPort
    center: CenterPort
    payment: PaymentPort
    printer: PrinterPort
    alarm: AlarmPort
    journal: Journal
    voice: VoicePort | None = None
    emoney: EmoneyPort | None = None
    metrics: MetricsPort | None = None
    staff: StaffAlertPort | None = None  # the [help] webhook (None: none configured)


@dataclass(frozen=True)
class OrderLine:
    """What an order is for, as the journal keeps it (no personal data)."""

    municipality: str
    certificate: str
    copies: int


@dataclass
class Visit:
    """The resident in front of the kiosk, as the core sees them; dropped when the visit ends.

    What a service asks (its choices) lives in the service's flow; the money in the till.
    """

    service: str = ""  # the service chosen on the idle screen
    card: CardInfo | None = None
    message: Reason | None = None
    signed_in: bool = False
    token: str = ""
    offers: list[Offer] = field(default_factory=list)  # what the center offers this resident
    order: Order | None = None  # what is paid for and printed (a service makes it)
    line: OrderLine | None = None  # what the order is for
    printing: PrintRun | None = None  # the order's documents coming out
    cancel_requested: bool = False
    ending: bool = False  # the visit is over; remove_card then leads to idle
