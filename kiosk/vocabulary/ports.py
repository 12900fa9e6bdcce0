"""The ports: what the session asks of the world, as Protocols.

Concrete classes live in ``drivers/`` and ``kiosk/center``; only ``kiosk/app.py`` knows them.
Every port call may block (APDUs, HTTP, CUPS), so the session makes them from a worker job.
Failures are the typed errors of ``kiosk.vocabulary.reasons``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from kiosk.center.protocol import (
    Authenticated,
    Catalog,
    Challenge,
    Order,
    Registration,
    RegistrationChoices,
)


@dataclass(frozen=True)
class CardInfo:
    """What reading the card told us: its kind, how it signs in, and the tries left on the PIN
    it signs in with (an iPhone's: none to spend, its owner confirms on the phone)."""

    kind: str  # "mynumber" | "smartphone" | "iphone" | "juki"
    tries_left: int
    method: str = "jpki"  # "jpki" (the PIN here), "phone" (confirmed on an iPhone), "card-ap"
    municipality: str | None = None  # card-ap: the town whose AP the card signs in with

    @property
    def needs_pin(self) -> bool:
        """Whether a PIN is typed at the kiosk to sign in."""
        return self.method != "phone"


@dataclass(frozen=True)
class TownCard:
    """A card signing in by a town's AP (the card-AP method): what the center is told."""

    municipality: str
    user_id: str


@dataclass(frozen=True, repr=False)
class CardFace:
    """What the card's text-helper AP holds: the basic four and, when asked for, the individual
    number. It lives in a flow only until printed; ``repr`` shows none of it."""

    name: str
    address: str
    birth: str  # YYYYMMDD
    sex: str  # ISO/IEC 5218: "1" male, "2" female, "9" not applicable
    number: str | None = None

    def __repr__(self) -> str:
        return "CardFace(…)"


class CardPort(Protocol):
    def open(self, card_ap_towns: frozenset[str] = frozenset()) -> CardInfo:
        """Connect, find the JPKI AP (or, for a card carrying the AP of one of
        ``card_ap_towns``, that AP), tell the card's kind, read the tries left (spends none);
        raises FaceAuthCard for a card whose PIN is not usable."""

    def verify_pin(self, pin: bytearray) -> None:
        """VERIFY the PIN the card signs in with; raises PinWrong / PinLocked / CardError."""

    def sign_message(self, message: bytes) -> bytes:
        """Sign ``message`` with the user-authentication key (after VERIFY), as its certificate
        says: RSA over the DigestInfo of SHA-256, or ECDSA P-384 over SHA-384 (r‖s). An
        iPhone raises PhoneNotConfirmed until its owner confirms, PhoneDeclined after a no;
        a card-AP card answers the AP's MAC over SHA-256(message)."""

    def town_card(self) -> TownCard | None:
        """The town and user id of a card signing in by its town's AP; None for JPKI."""

    def read_auth_certificate(self) -> bytes:
        """The user-authentication certificate, DER."""

    def pin_reset_nonce(self, pin: str) -> bytes:
        """GET CHALLENGE with the PIN's EF selected ("user" 0018, "signing" 001B): the card's
        single-use nonce for a reset of that PIN (no PIN verified: a locked one too)."""

    def reset_pin(self, pin: str, authorisation: bytes, new_pin: bytearray) -> None:
        """RESET RETRY COUNTER: the center's authorisation and the new PIN to the card only; the
        PIN's tries are restored. The APDU buffer is wiped after sending; CardError if refused."""

    def helper_tries_left(self) -> int:
        """Select the text-helper AP: its PIN's tries left (spends none)."""

    def read_card_face(self, pin: bytearray) -> CardFace:
        """VERIFY the text-helper AP's PIN, then read the basic four (no number yet);
        PinWrong / PinLocked as for the PIN."""

    def read_helper_number(self) -> str:
        """The individual number, once ``read_card_face`` verified the PIN this card session."""

    def close(self) -> None:
        """Release the card with a reset, so that no verified state survives."""


class CenterPort(Protocol):
    def catalog(self) -> Catalog: ...

    def challenge(self) -> Challenge: ...

    def authenticate(self, certificate: bytes, signature: bytes, nonce: bytes) -> Authenticated:
        """Raises CenterError with the refusal reason (cert-revoked, not-participating, ...)."""

    def authenticate_ap(self, town: TownCard, mac: bytes, nonce: bytes) -> Authenticated:
        """The card-AP method's sign-in; refusals as ``authenticate`` (card-expired, …)."""

    def order(self, token: str, municipality: str, certificate: str,
              options: dict[str, object], copies: int) -> Order:
        """The order with its documents, each checked against its binding before it returns."""

    def complete(self, order_id: str, printed: int) -> None: ...

    def cancel(self, order_id: str) -> None: ...

    def registration_towns(self, token: str) -> RegistrationChoices:
        """The towns to register for; raises CenterError (registration-not-needed, …)."""

    def register(self, token: str, municipality: str, honseki: str,
                 hittousha: str) -> Registration:
        """Apply for the 本籍地's certificates; raises CenterError (registration-mismatch, …)."""

    def pin_reset_check(self, certificate: bytes) -> list[str]:
        """The PINs a reset reserved for this card resets ("user", "signing"); raises
        CenterError(pin-reset-not-reserved) when none is, it is used, or it is over 24 h old."""

    def pin_reset_authorise(self, certificate: bytes,
                            nonces: dict[str, bytes]) -> dict[str, bytes]:
        """One authorisation per PIN over the card's nonce; uses the reservation up."""


@runtime_checkable
class PaymentPort(Protocol):
    """A cash unit (or e-money terminal). Inserted money arrives as MoneyInserted events."""

    def begin(self, fee: int) -> None:
        """Start accepting money towards ``fee``."""

    def end(self) -> None:
        """Stop accepting money; notes in escrow stay there."""

    def keep(self) -> None:
        """The payment is complete: notes in escrow go into the cash box."""

    def can_change(self, fee: int) -> bool:
        """Whether change can be given for ``fee`` (else: exact amount only)."""

    def accepted(self) -> tuple[int, ...]:
        """The coins and notes it takes (yen, smallest first); () when it takes no cash."""

    def dispense(self, yen: int) -> int:
        """Give ``yen`` back (change or refund) into the change tray; returns what was given."""

    def collect(self) -> int:
        """The operator empties the cash box; returns the yen taken out."""

    def refill(self, counts: dict[int, int]) -> int:
        """The operator fills the change tubes to ``counts``; returns the yen put in."""

    def levels(self) -> str:
        """The change and cash levels, for the operator."""


@runtime_checkable
class FaultyCash(Protocol):
    """A cash unit that keeps its devices' faults for staff (the serial unit; posts CashChanged
    when they change). Other units have no faults of their own to clear."""

    @property
    def fault(self) -> str | None:
        """The faults in force, for staff (no personal data); None when every device is well."""

    def clear_faults(self) -> None:
        """Staff reconciled and cleared the unit: forget the standing faults (CashChanged)."""


@runtime_checkable
class EmoneyPort(Protocol):
    """An e-money terminal: the fee comes from the resident's card, and goes back to it."""

    def charge(self, yen: int) -> int:
        """Take ``yen``; raises PaymentError (emoney-declined, emoney-timeout)."""

    def refund(self, yen: int) -> int: ...


@dataclass(frozen=True)
class PrintResult:
    pages: int


@runtime_checkable
class PrinterPort(Protocol):
    def ready(self) -> str | None:
        """None when the printer can print; otherwise why not (a short reason for staff)."""

    def print_document(self, name: str, pdf: bytes,
                       progress: Callable[[int], None] | None = None) -> PrintResult:
        """Print one document to completion, telling ``progress`` the pages printed so far;
        raises PrinterError with the pages that came out."""

    def clear_fault(self) -> None:
        """The operator has cleared the printer's fault: let it print again."""

    def came_out(self, name: str) -> int | None:
        """Pages of the document ``name`` known to have printed, or None if unknown."""


class AlarmPort(Protocol):
    def sound(self, kind: str) -> None:
        """Start the alarm ``kind`` (forgotten-card, -paper, -change), or keep it going."""

    def escalate(self, seconds_ignored: float) -> int:
        """Louder and faster the longer the alarm is ignored; returns the level now."""

    def chime(self) -> None:
        """A short chime: something is ready to be taken."""

    def silence(self) -> None: ...


class VoicePort(Protocol):
    def speak(self, prompt: str, language: str) -> bool:
        """Say a prompt (insert-card, remove-card, forgotten-paper, …) in a language; True
        when it started to sound."""

    def stop(self) -> None:
        """The resident's "stop voice" button."""


class MetricsPort(Protocol):
    """What the kiosk counts for its operators (kiosk.field.metrics.KioskMetrics)."""

    def visit_started(self) -> None: ...
    def certificate_printed(self, type: str, copies: int = 1) -> None: ...
    def refused(self, reason: str) -> None: ...
    def error(self, reason: str) -> None: ...
    def alarm(self, kind: str) -> None: ...
    def printer(self, ready: bool) -> None: ...
    def out_of_service(self, out: bool) -> None: ...
    def cash_fault(self, fault: bool) -> None: ...
    def help_called(self) -> None: ...
    def close(self) -> None: ...


class StaffAlertPort(Protocol):
    """How staff hear that someone at the kiosk asks for help (kiosk.field.help_webhook)."""

    def alert(self, kiosk: str, screen: str, at: str) -> None:
        """Tell staff (no personal data: the kiosk, the screen's name, the time); raises
        KioskError when they could not be told."""


class TraySensor(Protocol):
    def paper_present(self) -> bool: ...

    def change_present(self) -> bool: ...


@dataclass(frozen=True)
class ReportLine:
    municipality: str
    certificate: str
    count: int
    fees: int


@dataclass(frozen=True)
class ReportTotals:
    money_in: int
    change: int
    refunded: int
    vouchers: int  # of ``refunded``: owed on vouchers the cash unit could not pay
    fees_collected: int
    outstanding: int  # held for open orders, or payouts not yet given
    practice_visits: int = 0  # staff's practice visits: no order, no yen


@dataclass(frozen=True)
class Report:
    """A day's (or the whole journal's) issuance and money, for settlement."""

    day: str | None
    lines: list[ReportLine]
    totals: ReportTotals


class Journal(Protocol):
    """The money and paper record (kiosk.journal.store.SqliteJournal); every call commits before it
    returns, and the session calls it before it acts."""

    def order_created(self, order_id: str, municipality: str, certificate: str, copies: int,
                      fee: int) -> None: ...

    def order_paid(self, order_id: str, fee: int) -> None: ...

    def order_completed(self, order_id: str, printed: int | None = None) -> None: ...

    def order_voided(self, order_id: str, reason: str) -> None: ...

    def money_in(self, order_id: str | None, yen: int, device: str = "",
                 counter: int | None = None) -> None: ...

    def payout_due(self, order_id: str | None, kind: str, yen: int) -> int:
        """Change or a refund about to be paid; returns the row that ``payout_done`` closes."""

    def payout_done(self, row: int, yen: int) -> None: ...

    def voucher(self, row: int, yen: int) -> None:
        """What the cash unit could not give is owed on a refund voucher (staff pay it)."""

    def printing(self, order_id: str, document_id: str) -> None: ...

    def printed(self, document_id: str, pages: int) -> None: ...

    def print_failed(self, document_id: str, pages: int) -> None: ...

    def held(self, order_id: str | None) -> int:
        """Money put in for this order not yet kept or given back."""

    def registration_accepted(self, registration_id: str, municipality: str) -> None:
        """The center took a 本籍地 registration (its id and the town; nothing typed)."""

    def room(self) -> int:
        """Bytes free on the journal's filesystem (a write may fail below the reserve)."""

    def form_printed(self, form: str) -> None:
        """A pre-filled form printed (its kind only)."""

    def operator(self, action: str, detail: str = "") -> None:
        """An operator's step (operator mode), before it is acted on."""

    def staff_call(self, kiosk: str, screen: str) -> None:
        """A resident called staff (the staff console reads these; no personal data)."""

    def practice(self, visit_id: str, state: str, certificate: str = "", printed: int = 0
                 ) -> None:
        """A practice visit began or ended: no order, no money, only this row."""

    def report(self, day: str | None = None) -> Report:
        """The day's issuance and money, for settlement."""
