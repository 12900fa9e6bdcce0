"""The ports of a cash unit whose devices count what they did, so a power cut loses no yen.

The unit writes ahead to a ``CashLedger`` (the journal) before it moves money out; after a
restart the journal's recovery asks the ``CountingCash`` unit what its devices did meanwhile.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class CashLedger(Protocol):
    """Where the unit writes ahead what it is about to pay out, and what came out."""

    def payout_run(self, device: str, before: int | None, coins: int, coin: int) -> int:
        """``coins`` of ``coin`` yen (or a note: 1 of its value) are about to be paid by
        ``device``, whose event counter is ``before``; returns the run to close."""

    def payout_run_done(self, run: int, paid: int) -> None:
        """The run ended: ``paid`` of its coins came out."""

    def note_stacked(self, yen: int) -> None:
        """The note journaled in escrow went into the cash box."""

    def hopper_levels(self, levels: dict[str, tuple[int, int]]) -> None:
        """The coins now in these hoppers (a refill, or the first start), by device name, with
        the configured count they were set from."""


@runtime_checkable
class CountingCash(Protocol):
    """A cash unit that can say, after a power cut, what its devices did while it was down."""

    def attach(self, ledger: CashLedger, levels: dict[str, tuple[int, int]]) -> None:
        """Write ahead to ``ledger`` from now on; ``levels`` are the hoppers' coins as the
        journal knows them, with the configured count they started from (a hopper it does not
        name, or whose configured count changed, takes the configuration's, journaled)."""

    def credits_since(self, counter: int | None) -> list[tuple[int, int]]:
        """The coins credited after the acceptor's event ``counter`` (the journal's last):
        ``(counter, yen)``, oldest first; what was lost unread is a fault for staff."""

    def outcome(self, device: str, before: int | None) -> int:
        """How many coins (or notes) of an interrupted run came out."""

    def found_note(self) -> int:
        """The note the validator held in escrow when the unit started (0: none)."""

    def settle_found_note(self, journaled: bool) -> None:
        """The found note was journaled as money in: hold it (a refund gives it back, else it is
        stacked at ``keep``); it was not: give it back to the resident now."""
