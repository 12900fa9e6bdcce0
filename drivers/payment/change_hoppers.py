"""The serial cash unit's change: one ccTalk hopper per coin, paid largest coin first.

Each run of coins is written ahead to the ledger (the journal) with the hopper's event counter
before it, so that after a power cut the hopper itself says whether the run started and how
many coins came out (``outcome``). A short payout falls through to the smaller coins; what no
hopper can pay is returned as unpaid, for the session's voucher.
"""

from __future__ import annotations

import termios
import time
from collections.abc import Callable
from typing import Protocol

from drivers.payment.cctalk import (
    Hopper,
    HopperEmpty,
    HopperEvent,
    HopperJammed,
    HopperStatus,
    Payout,
)
from drivers.payment.cctalk_frame import CctalkError
from kiosk.vocabulary.cash_ports import CashLedger

RUN = 255  # the most coins one dispense command asks for


class Faults(Protocol):
    """How the unit keeps a device's faults (``SerialCashUnit``)."""

    def guard(self, device: str, action: Callable[[], object]) -> bool: ...

    def faulted(self, device: str, reason: str) -> None: ...

    def cleared(self, device: str) -> None: ...


def hopper_name(coin: int) -> str:
    """The device name of the hopper of ``coin`` (in faults, the ledger and the levels)."""
    return f"hopper ¥{coin}"


class ChangeHoppers:
    """The hoppers by coin, with the kiosk's count of the coins in each."""

    def __init__(self, hoppers: dict[int, Hopper], counts: dict[int, int], faults: Faults, *,
                 poll_every: float, payout_within: float) -> None:
        self.hoppers = dict(sorted(hoppers.items(), reverse=True))  # the largest coin first
        self.tubes = {coin: max(0, counts.get(coin, 0)) for coin in self.hoppers}
        self.configured = dict(self.tubes)  # the configuration's counts (what refill sets)
        self.ledger: CashLedger | None = None
        self._faults = faults
        self._poll_every = poll_every
        self._payout_within = payout_within

    def enable(self) -> None:
        for coin, hopper in self.hoppers.items():
            self._faults.guard(hopper_name(coin), hopper.enable)

    def makes(self, yen: int) -> bool:
        """Whether the hoppers hold exactly ``yen`` (largest coin first, as they pay)."""
        for coin, count in self.tubes.items():
            yen -= min(yen // coin, count) * coin
        return yen == 0

    def held(self) -> int:
        return sum(coin * count for coin, count in self.tubes.items())

    def pay(self, yen: int) -> int:
        """Pay ``yen`` (or as much of it as the hoppers can); returns what came out."""
        given = 0
        for coin, hopper in self.hoppers.items():
            want = min((yen - given) // coin, self.tubes[coin])
            while want > 0:
                run = min(RUN, want)
                out = self._run(coin, hopper, run)
                self.tubes[coin] = max(0, self.tubes[coin] - out)
                given += out * coin
                want = 0 if out < run else want - out
        return given

    def _run(self, coin: int, hopper: Hopper, coins: int) -> int:
        """One dispense command: written ahead, paid, its outcome written."""
        name = hopper_name(coin)
        before: list[HopperStatus] = []
        if not self._faults.guard(name, lambda: before.append(hopper.status())):
            return 0
        row = (self.ledger.payout_run(name, before[0].counter, coins, coin)
               if self.ledger is not None else None)
        paid = self._dispense(coin, hopper, coins)
        if row is not None and self.ledger is not None:
            self.ledger.payout_run_done(row, paid)
        return paid

    def _dispense(self, coin: int, hopper: Hopper, coins: int) -> int:
        name = hopper_name(coin)
        if not self._faults.guard(name, lambda: hopper.dispense(coins)):
            return 0
        deadline = time.monotonic() + self._payout_within
        polled: list[list[HopperEvent]] = []
        while time.monotonic() < deadline:
            if not self._faults.guard(name, lambda: polled.append(hopper.poll())):
                break
            events = polled.pop()
            if events:
                return self._ended(coin, events)
            time.sleep(self._poll_every / 5)
        known = hopper.paid_so_far  # what the hopper last said came out (it may be gone)
        try:
            known = hopper.status().paid
        except (CctalkError, OSError, ValueError, termios.error):
            pass
        hopper.requested = 0  # the driver's payout is over for us: the staff count the rest
        self._faults.faulted(name, f"a payout of {coins} coins was interrupted after {known} "
                                 "known: count the hopper and reconcile")
        return known

    def _ended(self, coin: int, events: list[HopperEvent]) -> int:
        name, paid = hopper_name(coin), 0
        for event in events:
            if isinstance(event, Payout):
                paid = event.paid
                if not event.unpaid:
                    self._faults.cleared(name)
            elif isinstance(event, HopperEmpty):
                self._faults.faulted(name, f"empty ({event.unpaid} coins unpaid): refill it")
                self.tubes[coin] = 0  # it had no more than it paid
                if self.ledger is not None:
                    self.ledger.hopper_levels(self._levels({coin: 0}))
            elif isinstance(event, HopperJammed):
                self._faults.faulted(name, f"a coin is jammed ({event.unpaid} coins unpaid): "
                                         "clear it")
            else:
                self._faults.faulted(name, f"the payout stopped short (flags 0x{event.flags:X}, "
                                         f"{event.unpaid} coins unpaid): call service")
        return paid

    def outcome(self, name: str, before: int | None) -> int:
        """After a power cut: the coins an interrupted run paid. The hopper's event counter
        still at ``before``: the command never arrived (0); moved on: its payout's paid count,
        once it has ended (a hopper finishes a payout by itself)."""
        coin = next((c for c in self.hoppers if hopper_name(c) == name), None)
        if coin is None or before is None:
            return 0
        hopper = self.hoppers[coin]
        deadline = time.monotonic() + self._payout_within
        seen: list[HopperStatus] = []
        while True:
            if not self._faults.guard(name, lambda: seen.append(hopper.status())):
                return 0  # the staff count it: the fault says so
            status = seen.pop()
            if status.counter == before:
                return 0
            if not status.remaining or time.monotonic() > deadline:
                paid = status.paid
                break
            time.sleep(self._poll_every / 5)
        self.tubes[coin] = max(0, self.tubes[coin] - paid)
        return paid

    def known(self, levels: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """Take the journal's count of each hopper it knows from the same configured count; the
        others keep the configuration's, returned for the journal."""
        new: dict[str, tuple[int, int]] = {}
        for coin in self.hoppers:
            name = hopper_name(coin)
            coins, configured = levels.get(name, (0, -1))
            if configured == self.configured[coin]:
                self.tubes[coin] = max(0, coins)
            else:
                new[name] = (self.tubes[coin], self.configured[coin])
        return new

    def _levels(self, coins: dict[int, int]) -> dict[str, tuple[int, int]]:
        return {hopper_name(c): (n, self.configured[c]) for c, n in coins.items()}

    def refill(self, counts: dict[int, int]) -> int:
        """The operator fills the hoppers named to their counts; returns the yen put in."""
        added = 0
        for coin in self.hoppers:
            want = counts.get(coin)
            if want is not None:
                added += max(0, want - self.tubes[coin]) * coin
                self.tubes[coin] = want
                self._faults.cleared(hopper_name(coin))
        if self.ledger is not None:
            self.ledger.hopper_levels(self._levels(self.tubes))
        return added

    def levels(self) -> str:
        return ", ".join(f"¥{coin}×{count}" for coin, count in self.tubes.items()) or "none"
