"""What the serial cash unit's devices say after a power cut, for the journal's recovery.

The devices kept running while the kiosk was down: the acceptor's buffer still has the coins it
credited (by event counter), a hopper's status says whether a run written ahead started and what
it paid, and the validator may hold a note in escrow. The recovery compares these with the
journal; nothing here decides on money by itself.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.payment.cctalk import AcceptorReset, CoinAcceptor, Credit, EventsLost, UnknownCoin
from drivers.payment.change_hoppers import ChangeHoppers
from drivers.payment.id003 import Id003Validator
from kiosk.vocabulary.cash_ports import CashLedger

log = logging.getLogger(__name__)


class AfterPowerCut:
    """The ``CountingCash`` part of ``SerialCashUnit``."""

    validator: Id003Validator | None
    acceptor: CoinAcceptor | None
    change: ChangeHoppers
    ledger: CashLedger | None
    cashbox: dict[int, int]
    note: int
    found: int
    _lock: threading.Lock
    _moving: bool
    _to_tray: Callable[[int], None] | None

    if TYPE_CHECKING:  # the unit's own, kept there

        def guard(self, device: str, action: Callable[[], object]) -> bool: ...

        def faulted(self, device: str, reason: str) -> None: ...

    def attach(self, ledger: CashLedger, levels: dict[str, tuple[int, int]]) -> None:
        """Write ahead to ``ledger`` (the journal) from now on; the hoppers' coins are the
        journal's ``levels`` (the configuration's for a hopper new to it, journaled now)."""
        with self._lock:
            self.ledger = ledger
            self.change.ledger = ledger
            new = self.change.known(levels)
        if new:
            ledger.hopper_levels(new)

    def credits_since(self, counter: int | None) -> list[tuple[int, int]]:
        """The coins the acceptor credited after the journal's ``counter``, oldest first (None:
        a journal that never had a coin: nothing to claim)."""
        acceptor = self.acceptor
        if acceptor is None or counter is None:
            return []
        found: list[tuple[int, int]] = []
        with self._lock:
            for event in acceptor.since(counter):
                if isinstance(event, Credit):
                    found.append((event.counter, event.yen))
                    self.cashbox[event.yen] = self.cashbox.get(event.yen, 0) + 1
                elif isinstance(event, EventsLost):
                    self.faulted("coins", f"{event.n} coin events were lost while the kiosk "
                                          "was down: reconcile the coin box with the journal")
                elif isinstance(event, UnknownCoin | AcceptorReset):
                    self.faulted("coins", "the coin acceptor was reset or took an unknown coin "
                                          "while the kiosk was down: reconcile the coin box")
        for at, yen in found:
            log.warning("coin acceptor: a ¥%d coin (counter %d) taken while the kiosk was down",
                        yen, at)
        return found

    def outcome(self, device: str, before: int | None) -> int:
        """How many coins (or the note) an interrupted run paid."""
        with self._lock:
            if device == "bills":  # a note being given back: still in escrow, or gone
                return 0 if self.found else 1
            return self.change.outcome(device, before)

    def found_note(self) -> int:
        return self.found

    def settle_found_note(self, journaled: bool) -> None:
        """Hold a journaled note (recovery's refund gives it back, else ``keep`` stacks it);
        give back one the journal never had."""
        with self._lock:
            note, self.found = self.found, 0
            if not note:
                return
            if journaled:
                self.note = note
                return
            validator = self.validator
            if validator is not None and self.guard("bills", validator.return_note):
                self._moving = True
                log.warning("a ¥%d note in escrow the journal never had: given back", note)
                if self._to_tray is not None:
                    self._to_tray(note)
