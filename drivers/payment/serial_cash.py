"""A cash unit over the real protocols: notes by ID-003, coins in and change out by ccTalk.

A poll thread turns what the devices say into MoneyInserted / MoneyRejected. A note is posted
while it is still in escrow and stacked only at ``keep()`` (after the session journaled it);
a refund gives it back first. Coins are credited once each, by the acceptor's event counter.
The hopper pays change coin by coin; what it cannot pay is returned as unpaid for a voucher.
A fault is never raised out of the poll thread: it is kept in ``fault`` and ``levels()``.
"""

from __future__ import annotations

import logging
import threading
import time
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
    HopperEmpty,
    HopperEvent,
    HopperJammed,
    Payout,
    UnknownCoin,
)
from drivers.payment.cctalk_frame import CctalkError
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
from kiosk.vocabulary.events import Event, MoneyInserted, MoneyRejected

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import PaymentPort

log = logging.getLogger(__name__)

NOTES = (1000, 2000, 5000, 10000)
DeviceError = (Id003Error, CctalkError, OSError, ValueError)


@dataclass(frozen=True)
class CashFault:
    """A fault for the staff to clear or reconcile; ``device`` is bills, coins or hopper."""

    device: str
    reason: str


class SerialCashUnit:
    """PaymentPort over a bill validator, a coin acceptor and a change hopper (each optional)."""

    def __init__(self, validator: Id003Validator | None, acceptor: CoinAcceptor | None,
                 hopper: Hopper | None, post: Callable[[Event], None], *,
                 accept: list[int], hopper_coin: int = 100, hopper_count: int = 0,
                 to_tray: Callable[[int], None] | None = None, poll_every: float = 0.05,
                 payout_within: float = 30.0) -> None:
        if validator is None and acceptor is None:
            raise ValueError("a cash unit needs a bill validator or a coin acceptor")
        self.validator, self.acceptor, self.hopper = validator, acceptor, hopper
        self.notes = sorted(y for y in accept if y in NOTES) if validator else []
        self.coins = sorted(y for y in accept if y not in NOTES) if acceptor else []
        self.hopper_coin = hopper_coin
        self.tubes = {hopper_coin: hopper_count if hopper else 0}  # coins in the hopper
        self.cashbox: dict[int, int] = {}  # notes stacked and coins taken, by value
        self.note = 0  # the note in escrow, posted and not yet stacked or returned (yen)
        self.coin_counter: int | None = None  # the acceptor's last event counter
        self.faults: dict[str, str] = {}  # device -> the fault in force
        self.history: list[CashFault] = []  # every fault seen, for the staff
        self._post = post
        self._to_tray = to_tray
        self._poll_every = poll_every
        self._payout_within = payout_within
        self._accepting = False
        self._due = 0
        self._exact = False
        self._moving = False  # a note is being stacked or returned: its escrow is no news
        self._lock = threading.Lock()  # the devices are not thread-safe: one user at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- life ---------------------------------------------------------------------------
    def start(self) -> None:
        """Bring the devices up (nothing accepted yet) and start polling."""
        with self._lock:
            self._guard("bills", self._start_bills)
            if self.acceptor is not None:
                acceptor = self.acceptor
                self._guard("coins", lambda: self._start_coins(acceptor))
            if self.hopper is not None:
                self._guard("hopper", self.hopper.enable)
        self._thread = threading.Thread(target=self._run, name="serial-cash", daemon=True)
        self._thread.start()

    def _start_bills(self) -> None:
        if self.validator is not None:
            first = self.validator.start(frozenset(self.notes))
            if isinstance(first, Fault):
                self._fault("bills", first.reason)

    def _start_coins(self, acceptor: CoinAcceptor) -> None:
        acceptor.poll()  # the baseline counter: older events are not ours
        self.coin_counter = acceptor.counter
        acceptor.set_inhibits(set(self.coins))
        acceptor.set_master(False)

    def close(self) -> None:
        """Stop polling (bounded), stop taking money; a note in escrow stays for recovery."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.end()

    def _run(self) -> None:
        while not self._stop.wait(self._poll_every):
            try:
                self.poll_once()
            except Exception as exc:  # the poll thread never dies of a fault
                log.exception("cash unit poll failed")
                self._fault("unit", f"poll failed: {exc}")

    # --- what the devices say -----------------------------------------------------------
    def poll_once(self) -> None:
        """One look at every input device; the events are posted after the lock is let go."""
        out: list[Event] = []
        with self._lock:
            if self.validator is not None:
                validator = self.validator
                self._guard("bills", lambda: self._bills(validator, out))
            if self.acceptor is not None:
                acceptor = self.acceptor
                self._guard("coins", lambda: self._coins(acceptor, out))
        for event in out:
            self._post(event)

    def _bills(self, validator: Id003Validator, out: list[Event]) -> None:
        event = validator.poll()
        if isinstance(event, Fault):
            self._fault("bills", event.reason)
            return
        if isinstance(event, Idle | Disabled) and "bills" in self.faults:
            self._cleared("bills")
        if isinstance(event, Escrow) and not self.note and not self._moving:
            yen = event.yen
            over = yen - self._due
            wanted = self._accepting and yen in self.notes
            if wanted and self._exact and over > 0 and not self._makes(over):
                wanted = False  # exact amount only: its change cannot be given
            if wanted:
                self.note, self._due = yen, max(0, self._due - yen)
                out.append(MoneyInserted(yen))  # still in escrow: stacked only at keep()
            else:
                log.info("returning a ¥%d note %s", yen, "unasked" if not self._accepting
                         else "it does not take")
                self._moving = True
                validator.return_note()
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
            self.coin_counter = acceptor.counter
            if isinstance(event, Credit):
                self.cashbox[event.yen] = self.cashbox.get(event.yen, 0) + 1
                self._due = max(0, self._due - event.yen)
                out.append(MoneyInserted(event.yen))  # in the box: journaled, given back if due
            elif isinstance(event, CoinError):
                log.info("coin acceptor: %s (counter %d)", event.name, event.counter)
            elif isinstance(event, UnknownCoin):
                self._fault("coins", f"a coin at position {event.position} was credited and "
                                     "has no value here: reconcile the coin box")
            elif isinstance(event, EventsLost):
                self._fault("coins", f"{event.n} coin events were lost unread (counter "
                                     f"{event.counter}): reconcile the coin box with the journal")
            elif isinstance(event, AcceptorReset):
                self._fault("coins", "the coin acceptor was reset or lost power: coins may be "
                                     "unrecorded; reconcile the coin box with the journal")

    # --- PaymentPort --------------------------------------------------------------------
    def accepted(self) -> tuple[int, ...]:
        """The coins and notes the unit takes, smallest first."""
        return tuple(sorted(self.notes + self.coins))

    def can_change(self, fee: int) -> bool:
        """Whether the hopper can pay the change when ``fee`` is paid with the biggest money."""
        accepted = self.accepted()
        if not accepted:
            return True
        with self._lock:
            return self._makes(-fee % max(accepted))

    def _makes(self, yen: int) -> bool:
        coin = self.hopper_coin
        return yen % coin == 0 and yen // coin <= self.tubes[coin]

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
            self._guard("bills", lambda: validator.inhibit(not on))
        if self.acceptor is not None:
            acceptor = self.acceptor
            self._guard("coins", lambda: acceptor.set_master(on))

    def keep(self) -> None:
        """The payment is journaled: the note in escrow is stacked."""
        with self._lock:
            if not self.note or self.validator is None:
                return
            validator, note = self.validator, self.note
            if self._guard("bills", validator.stack):
                self._moving, self.note = True, 0
                self.cashbox[note] = self.cashbox.get(note, 0) + 1
            else:
                log.error("a paid ¥%d note could not be stacked: it stays in escrow", note)

    def dispense(self, yen: int) -> int:
        """Give ``yen`` back: the note in escrow first (the resident's own), then hopper coins;
        returns what was given (the rest is the session's voucher)."""
        given = 0
        with self._lock:
            if self.note and self.note <= yen and self.validator is not None:
                validator = self.validator
                if self._guard("bills", validator.return_note):
                    given, self.note, self._moving = self.note, 0, True
            coins = min((yen - given) // self.hopper_coin, self.tubes[self.hopper_coin])
            if coins and self.hopper is not None:
                given += self._pay_coins(self.hopper, coins) * self.hopper_coin
        if given < yen:
            log.error("change short: owed ¥%d, gave ¥%d", yen, given)
        if given and self._to_tray is not None:
            self._to_tray(given)
        return given

    def _pay_coins(self, hopper: Hopper, coins: int) -> int:
        """Pay ``coins`` (in runs of at most 255); the coins known to have come out."""
        paid = 0
        while paid < coins:
            run = min(255, coins - paid)
            out = self._payout(hopper, run)
            paid += out
            self.tubes[self.hopper_coin] = max(0, self.tubes[self.hopper_coin] - out)
            if out < run:
                break
        return paid

    def _payout(self, hopper: Hopper, coins: int) -> int:
        if not self._guard("hopper", lambda: hopper.dispense(coins)):
            return 0
        deadline = time.monotonic() + self._payout_within
        polled: list[list[HopperEvent]] = []
        while time.monotonic() < deadline:
            if not self._guard("hopper", lambda: polled.append(hopper.poll())):
                break
            events = polled.pop()
            if events:
                return self._payout_ended(events)
            time.sleep(self._poll_every / 5)
        known = 0  # whatever the hopper last said came out; the rest is for the staff
        try:
            known = hopper.status().paid
        except DeviceError:
            pass
        self._fault("hopper", f"a payout of {coins} coins was interrupted after {known} known: "
                              "count the hopper and reconcile")
        return known

    def _payout_ended(self, events: list[HopperEvent]) -> int:
        paid = 0
        for event in events:
            if isinstance(event, Payout):
                paid = event.paid
                if not event.unpaid:
                    self._cleared("hopper")
            elif isinstance(event, HopperEmpty):
                self.tubes[self.hopper_coin] = 0  # it had no more than it paid
                self._fault("hopper", f"the hopper is empty ({event.unpaid} coins unpaid): "
                                      "refill it")
            elif isinstance(event, HopperJammed):
                self._fault("hopper", f"a coin is jammed in the hopper ({event.unpaid} coins "
                                      "unpaid): clear it")
            else:
                self._fault("hopper", f"the payout stopped short (flags 0x{event.flags:X}, "
                                      f"{event.unpaid} coins unpaid): call service")
        return paid

    def collect(self) -> int:
        """The operator empties the note cassette and the coin box; returns the yen taken."""
        with self._lock:
            taken = sum(c * n for c, n in self.cashbox.items())
            self.cashbox.clear()
        return taken

    def refill(self, counts: dict[int, int]) -> int:
        """The operator fills the hopper to ``counts[hopper_coin]``; returns the yen put in."""
        with self._lock:
            want = counts.get(self.hopper_coin)
            if want is None or self.hopper is None:
                return 0
            added = max(0, want - self.tubes[self.hopper_coin]) * self.hopper_coin
            self.tubes[self.hopper_coin] = want
            self._cleared("hopper")
            return added

    def levels(self) -> str:
        """The hopper, the boxes and any fault, for the operator."""
        with self._lock:
            box = sum(c * n for c, n in self.cashbox.items())
            count = self.tubes[self.hopper_coin]
            text = f"hopper ¥{self.hopper_coin}×{count}; cash box ¥{box:,}"
            if self.note:
                text += f"; ¥{self.note} in escrow"
        fault = self.fault
        return f"{text}; FAULT {fault}" if fault else text

    def total_held(self) -> int:
        with self._lock:
            return (self.tubes[self.hopper_coin] * self.hopper_coin + self.note
                    + sum(c * n for c, n in self.cashbox.items()))

    @property
    def fault(self) -> str | None:
        """The faults in force (``device: reason; …``), or None when every device is well."""
        faults = dict(self.faults)
        return "; ".join(f"{d}: {r}" for d, r in sorted(faults.items())) or None

    # --- faults -------------------------------------------------------------------------
    def _guard(self, device: str, action: Callable[[], object]) -> bool:
        """Run one device action; a device error becomes the device's fault (False)."""
        try:
            action()
        except DeviceError as exc:
            self._fault(device, f"{type(exc).__name__}: {exc}")
            return False
        return True

    def _fault(self, device: str, reason: str) -> None:
        if self.faults.get(device) != reason:
            log.error("cash unit %s: %s", device, reason)
            self.history.append(CashFault(device, reason))
        self.faults[device] = reason

    def _cleared(self, device: str) -> None:
        if self.faults.pop(device, None) is not None:
            log.warning("cash unit %s: fault cleared", device)


if TYPE_CHECKING:  # mypy holds SerialCashUnit to PaymentPort: a drift fails here

    def _conforms_serial_cash_unit(unit: SerialCashUnit) -> PaymentPort:
        return unit
