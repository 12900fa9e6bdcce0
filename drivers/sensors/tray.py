"""A simulated output tray: paper from the printer and coins from the cash unit land here.

It plays the tray sensor for the demo and the harness: whatever is put in or taken out is
posted as a TrayChanged event.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.vocabulary.events import Event, TrayChanged

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import TraySensor


class SimulatedTray:
    """TraySensor with hands: ``take`` is what the resident does."""

    def __init__(self, post: Callable[[Event], None]) -> None:
        self._post = post
        self._lock = threading.Lock()
        self.sheets = 0
        self.coins = 0

    def add_paper(self, sheets: int) -> None:
        with self._lock:
            self.sheets += sheets
        self._changed()

    def add_change(self, yen: int) -> None:
        with self._lock:
            self.coins += yen
        self._changed()

    def take(self, what: str) -> int:
        """The resident takes the paper or the money; returns sheets or yen taken."""
        with self._lock:
            if what == "paper":
                taken, self.sheets = self.sheets, 0
            elif what == "change":
                taken, self.coins = self.coins, 0
            else:
                raise ValueError(f"nothing called {what!r} in the tray")
        self._changed()
        return taken

    def paper_present(self) -> bool:
        return self.sheets > 0

    def change_present(self) -> bool:
        return self.coins > 0

    def _changed(self) -> None:
        self._post(TrayChanged(paper=self.sheets > 0, change=self.coins > 0))


if TYPE_CHECKING:  # mypy holds SimulatedTray to TraySensor: a drift fails here

    def _conforms_simulated_tray(tray: SimulatedTray) -> TraySensor:
        return tray
