"""A cash unit over the real protocols: notes by ID-003, coins in and change out by ccTalk.

A poll thread turns what the devices say into MoneyInserted / MoneyRejected. A note is posted
while it is still in escrow and stacked only at ``keep()`` (after the session journaled it);
a refund gives it back first. Coins are credited once each, by the acceptor's event counter,
which goes with the credit into the journal. The hoppers pay change coin by coin, written ahead
to the ledger; what they cannot pay is returned as unpaid for a voucher. A fault is never
raised out of the poll thread: it is kept in ``fault`` and ``levels()``, and posted
(CashChanged) for the session to take the kiosk out of service.
"""

from __future__ import annotations

import logging
import termios
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drivers.payment.cctalk import (
    AcceptorReset,
    CoinAcceptor,
    CoinError,
    Credit,
    EventsLost,
    Hopper,
    UnknownCoin,
)
from drivers.payment.cctalk_frame import INHIBITED_COIN, REJECT_COIN, CctalkError
from drivers.payment.change_hoppers import ChangeHoppers
from drivers.payment.id003 import Id003Validator
from drivers.payment.id003_events import (
    Disabled,
    Escrow,
    Fault,
    Idle,
    Rejecting,
    Returned,
    Stacked,
    UnknownEscrow,
    VendValid,
)
from drivers.payment.id003_frame import Id003Error
from drivers.payment.serial_cash_restart import AfterPowerCut
from kiosk.vocabulary.cash_ports import CashLedger
from kiosk.vocabulary.events import CashChanged, Event, MoneyInserted, MoneyRejected

if TYPE_CHECKING:
    from kiosk.vocabulary.cash_ports import CountingCash
    from kiosk.vocabulary.ports import FaultyCash, PaymentPort

log = logging.getLogger(__name__)

NOTES = (1000, 2000, 5000, 10000)
HOLD_EVERY = 10  # polls of a note kept in escrow between HOLDs (the validator's timeout: more)
# termios.error: a port whose device went away mid-call (pyserial lets it through)
DeviceError = (Id003Error, CctalkError, OSError, ValueError, termios.error)


@dataclass(frozen=True)
class CashFault:
    """A fault for the staff to clear or reconcile; ``device`` is bills, coins or hopper."""

    device: str
    reason: str


class SerialCashUnit(AfterPowerCut):
    """PaymentPort over a bill validator, a coin acceptor and change hoppers (each optional)."""

    def __init__(self, validator: Id003Validator | None, acceptor: CoinAcceptor | None,
                 hoppers: dict[int, Hopper], post: Callable[[Event], None], *,
                 accept: list[int], counts: dict[int, int] | None = None,
                 to_tray: Callable[[int], None] | None = None, poll_every: float = 0.05,
                 payout_within: float = 30.0) -> None:
        if validator is None and acceptor is None:
            raise ValueError("a cash unit needs a bill validator or a coin acceptor")
        self.validator, self.acceptor = validator, acceptor
        self.notes = sorted(y for y in accept if y in NOTES) if validator else []
        self.coins = sorted(y for y in accept if y not in NOTES) if acceptor else []
        self.change = ChangeHoppers(hoppers, counts or {}, self, poll_every=poll_every,
                                    payout_within=payout_within)
        self.tubes = self.change.tubes  # coins in each hopper, by value (the kiosk's count)
        self.cashbox: dict[int, int] = {}  # notes stacked and coins taken, by value
        self.note = 0  # the note in escrow, posted and not yet stacked or returned (yen)
        self.found = 0  # a note found in escrow at start, until recovery settles it
        self.ledger: CashLedger | None = None
        self.faults: dict[str, str] = {}  # device -> the fault in force
        self.history: list[CashFault] = []  # every fault seen, for the staff
        self._post = post
        self._to_tray = to_tray
        self._poll_every = poll_every
        self._accepting = False
        self._due = 0
        self._exact = False
        self._moving = False  # a note is being stacked or returned: its escrow is no news
        self._held = 0  # polls the note has waited in escrow
        self._lock = threading.Lock()  # the devices are not thread-safe: one user at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------
    def start(self) -> None:
        """Bring the devices up (nothing accepted yet) and start polling."""
        with self._lock:
            self.guard("bills", self._start_bills)
            if self.acceptor is not None:
                acceptor = self.acceptor
                self.guard("coins", lambda: self._start_coins(acceptor))
            self.change.enable()
        self._thread = threading.Thread(target=self._run, name="serial-cash", daemon=True)
        self._thread.start()

    def _start_bills(self) -> None:
        validator = self.validator
        if validator is None:
            return
        now = validator.poll()
        if isinstance(now, Escrow):  # left there by a power cut: a reset would hand it out,
            self.found = now.yen  # so none: the recovery decides whose it is
            validator.set_denominations(frozenset(self.notes))
            validator.inhibit(True)
            return
        first = validator.start(frozenset(self.notes))
        if isinstance(first, Fault):
            self.faulted("bills", first.reason)

    def _start_coins(self, acceptor: CoinAcceptor) -> None:
        acceptor.poll()  # the baseline counter: older events are not ours
        acceptor.set_inhibits(set(self.coins))
        acceptor.set_master(False)

    def close(self) -> None:
        """Stop taking money, stop polling (bounded), let the ports go; a note in escrow stays
        for recovery."""
        self.end()
        self.abandon()

    def abandon(self) -> None:
        """What a kiosk that dies leaves: no more polling, the ports let go, the devices as
        they are (still taking money if they were)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:  # a kiosk started again opens them anew
            buses = {id(d.bus): d.bus for d in (self.acceptor, *self.change.hoppers.values())
                     if d is not None}
            closing = [*(b.close for b in buses.values()),
                       *([self.validator.close] if self.validator is not None else [])]
            for close in closing:
                try:
                    close()
                except DeviceError:
                    log.warning("a cash device's port did not close cleanly")

    def _run(self) -> None:
        while not self._stop.wait(self._poll_every):
            try:
                self.poll_once()
            except Exception as exc:  # the poll thread never dies of a fault
                log.exception("cash unit poll failed")
                self.faulted("unit", f"poll failed: {exc}")

    # --- what the devices say -----------------------------------------------------------
    def poll_once(self) -> None:
        """One look at every input device; the events are posted after the lock is let go."""
        out: list[Event] = []
        with self._lock:
            if self.validator is not None:
                validator = self.validator
                self.guard("bills", lambda: self._bills(validator, out))
            if self.acceptor is not None:
                acceptor = self.acceptor
                self.guard("coins", lambda: self._coins(acceptor, out))
        for event in out:
            self._post(event)

    def _bills(self, validator: Id003Validator, out: list[Event]) -> None:
        event = validator.poll()
        if isinstance(event, Fault):
            self.faulted("bills", event.reason)
            return
        if isinstance(event, Idle | Disabled) and "bills" in self.faults:
            self.cleared("bills")
        if isinstance(event, Escrow) and (self.note or self.found):
            self._held += 1  # a note waiting on the journal or the fee: the validator would
            if self._held % HOLD_EVERY == 0:  # hand it back at its escrow timeout
                validator.hold()
            return
        self._held = 0
        if isinstance(event, Escrow) and not self._moving:
            yen = event.yen
            over = yen - self._due
            wanted = self._accepting and yen in self.notes
            if wanted and self._exact and over > 0 and not self.change.makes(over):
                wanted = False  # exact amount only: its change cannot be given
            if wanted:
                self.note, self._due = yen, max(0, self._due - yen)
                out.append(MoneyInserted(yen, "bills"))  # in escrow: stacked only at keep()
            else:
                log.info("returning a ¥%d note %s", yen, "unasked" if not self._accepting
                         else "it does not take")
                self._moving = True
                validator.return_note()
                if self._to_tray is not None:
                    self._to_tray(yen)  # back at the bezel, as a refused coin to the cup
                out.append(MoneyRejected(yen))
        elif isinstance(event, UnknownEscrow) and not self._moving:
            log.warning("returning an unknown note (code 0x%02X)", event.code)
            self._moving = True
            validator.return_note()
        elif isinstance(event, VendValid | Stacked | Returned | Idle | Disabled):
            self._moving = False
        elif isinstance(event, Rejecting):
            log.info("the validator refused a note (reason 0x%02X)", event.reason)

    def _coins(self, acceptor: CoinAcceptor, out: list[Event]) -> None:
        for event in acceptor.poll():
            if isinstance(event, Credit):
                self.cashbox[event.yen] = self.cashbox.get(event.yen, 0) + 1
                self._due = max(0, self._due - event.yen)
                out.append(MoneyInserted(event.yen, "coins", event.counter))  # journaled by it
            elif isinstance(event, CoinError):
                log.info("coin acceptor: %s (counter %d)", event.name, event.counter)
                if event.code in (REJECT_COIN, INHIBITED_COIN):
                    out.append(MoneyRejected(0))  # to the cup; its value is not known here
            elif isinstance(event, UnknownCoin):
                self.faulted("coins", f"a coin at position {event.position} was credited and "
                                     "has no value here: reconcile the coin box")
            elif isinstance(event, EventsLost):
                self.faulted("coins", f"{event.n} coin events were lost unread (counter "
                                     f"{event.counter}): reconcile the coin box with the journal")
            elif isinstance(event, AcceptorReset):
                self.faulted("coins", "the coin acceptor was reset or lost power: coins may be "
                                     "unrecorded; reconcile the coin box with the journal")

    # --- PaymentPort --------------------------------------------------------------------
    def accepted(self) -> tuple[int, ...]:
        """The coins and notes the unit takes, smallest first."""
        return tuple(sorted(self.notes + self.coins))

    def can_change(self, fee: int) -> bool:
        """Whether the hoppers can pay the change when ``fee`` is paid with the biggest money."""
        accepted = self.accepted()
        if not accepted:
            return True
        with self._lock:
            return self.change.makes(-fee % max(accepted))

    def begin(self, fee: int) -> None:
        exact = not self.can_change(fee)
        with self._lock:
            self._accepting, self._due, self._exact = True, fee, exact
            self._enable(True)

    def end(self) -> None:
        """Stop taking money; a note in escrow stays there (keep or dispense decides)."""
        with self._lock:
            self._accepting, self._exact = False, False
            self._enable(False)

    def _enable(self, on: bool) -> None:
        if self.validator is not None:
            validator = self.validator
            self.guard("bills", lambda: validator.inhibit(not on))
        if self.acceptor is not None:
            acceptor = self.acceptor
            self.guard("coins", lambda: acceptor.set_master(on))

    def keep(self) -> None:
        """The payment is journaled: the note in escrow is stacked."""
        with self._lock:
            if not self.note or self.validator is None:
                return
            validator, note = self.validator, self.note
            if self.guard("bills", validator.stack):
                self._moving, self.note = True, 0
                self.cashbox[note] = self.cashbox.get(note, 0) + 1
                if self.ledger is not None:
                    self.ledger.note_stacked(note)
            else:
                log.error("a paid ¥%d note could not be stacked: it stays in escrow", note)

    def dispense(self, yen: int) -> int:
        """Give ``yen`` back: the note in escrow first (the resident's own), then coins from
        the hoppers; returns what was given (the rest is the session's voucher)."""
        given = 0
        with self._lock:
            if self.note and self.note <= yen and self.validator is not None:
                given = self._give_note(self.validator, self.note)
            given += self.change.pay(yen - given)
        if given < yen:
            log.error("change short: owed ¥%d, gave ¥%d", yen, given)
        if given and self._to_tray is not None:
            self._to_tray(given)
        return given

    def _give_note(self, validator: Id003Validator, note: int) -> int:
        run = self.ledger.payout_run("bills", None, 1, note) if self.ledger else None
        returned = self.guard("bills", validator.return_note)
        if returned:
            self.note, self._moving = 0, True
        if run is not None and self.ledger is not None:
            self.ledger.payout_run_done(run, int(returned))
        return note if returned else 0

    def collect(self) -> int:
        """The operator empties the note cassette and the coin box; returns the yen taken."""
        with self._lock:
            taken = self._in_box()
            self.cashbox.clear()
        return taken

    def refill(self, counts: dict[int, int]) -> int:
        """The operator fills the hoppers to ``counts``; returns the yen put in."""
        with self._lock:
            added = self.change.refill(counts)
        self._changed()
        return added

    def levels(self) -> str:
        """The hoppers, the boxes and any fault, for the operator."""
        with self._lock:
            text = f"hoppers {self.change.levels()}; cash box ¥{self._in_box():,}"
            if self.note or self.found:
                text += f"; ¥{self.note or self.found} in escrow"
        fault = self.fault
        return f"{text}; FAULT {fault}" if fault else text

    def total_held(self) -> int:
        with self._lock:
            return self.change.held() + self.note + self._in_box()

    @property
    def coin_counter(self) -> int | None:
        """The acceptor's last event counter read (None before the first poll, or none)."""
        return self.acceptor.counter if self.acceptor is not None else None

    def _in_box(self) -> int:
        return sum(c * n for c, n in self.cashbox.items())

    @property
    def fault(self) -> str | None:
        """The faults in force (``device: reason; …``), or None when every device is well."""
        faults = dict(self.faults)
        return "; ".join(f"{d}: {r}" for d, r in sorted(faults.items())) or None

    def clear_faults(self) -> None:
        """Staff reconciled the boxes and cleared the devices: forget the standing faults (a
        device still faulty says so again at its next poll)."""
        self.faults.clear()
        self._changed()

    # --- faults -------------------------------------------------------------------------
    def guard(self, device: str, action: Callable[[], object]) -> bool:
        """Run one device action; a device error becomes the device's fault (False)."""
        try:
            action()
        except DeviceError as exc:
            self.faulted(device, f"{type(exc).__name__}: {exc}")
            return False
        return True

    def faulted(self, device: str, reason: str) -> None:
        if self.faults.get(device) != reason:
            log.error("cash unit %s: %s", device, reason)
            self.history.append(CashFault(device, reason))
            self.faults[device] = reason
            self._changed()

    def cleared(self, device: str) -> None:
        if self.faults.pop(device, None) is not None:
            log.warning("cash unit %s: fault cleared", device)
            self._changed()

    def _changed(self) -> None:
        self._post(CashChanged(self.fault))


if TYPE_CHECKING:  # mypy holds SerialCashUnit to its ports: a drift fails here

    def _conforms_serial_cash_unit(unit: SerialCashUnit) -> PaymentPort:
        return unit

    def _conforms_faulty(unit: SerialCashUnit) -> FaultyCash:
        return unit

    def _conforms_counting(unit: SerialCashUnit) -> CountingCash:
        return unit
