"""A table of its own in the center's store (SQLite or PostgreSQL), made on first use: for a
desk whose rows are not the store's core (the PIN resets used up, the counter's orders)."""

from __future__ import annotations

import threading
import weakref
from typing import Any, Protocol

from kiosk.lab.center.store import CenterStore


class Runs(Protocol):
    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...


class ExtraTable:
    """One ``CREATE TABLE IF NOT EXISTS`` statement, run once per store."""

    def __init__(self, create: str) -> None:
        self.create = create
        self._made: weakref.WeakSet[object] = weakref.WeakSet()  # stores whose table exists
        self._lock = threading.Lock()

    def on(self, store: object) -> tuple[Runs, str]:
        """The store's one-statement runner and its placeholder, the table made on first use."""
        runner: Runs = store  # type: ignore[assignment]  # both stores have _run
        mark = "?" if isinstance(store, CenterStore) else "%s"
        with self._lock:
            if store not in self._made:
                try:
                    runner._run(self.create)
                except Exception:  # PostgreSQL: another host made it at the same moment
                    runner._run(self.create)  # (IF NOT EXISTS holds once theirs committed)
                self._made.add(store)
        return runner, mark
