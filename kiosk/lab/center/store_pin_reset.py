"""The PIN reset reservations used up, in the center's store (SQLite or PostgreSQL).

A reservation (a resident's, made at ``reserved_at``) is used when the center issues its
authorisation; one row per reservation, inserted once (``ON CONFLICT DO NOTHING``), so that two
kiosks asking at once get one authorisation between them. No PIN is ever here: the center never
has one.
"""

from __future__ import annotations

import threading
import weakref
from datetime import datetime
from typing import Any, Protocol

from kiosk.lab.center.store import CenterStore

_TABLE = ("CREATE TABLE IF NOT EXISTS pin_resets_used (resident_id TEXT NOT NULL, "
          "reserved_at TEXT NOT NULL, kiosk TEXT NOT NULL, used_at TEXT NOT NULL, "
          "PRIMARY KEY (resident_id, reserved_at))")
_made: weakref.WeakSet[object] = weakref.WeakSet()  # stores whose table exists
_lock = threading.Lock()


class _Runs(Protocol):
    def _run(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]: ...


def _store(store: object) -> tuple[_Runs, str]:
    """The store's one-statement runner and its placeholder, the table made on first use."""
    runner: _Runs = store  # type: ignore[assignment]  # both stores have _run
    mark = "?" if isinstance(store, CenterStore) else "%s"
    with _lock:
        if store not in _made:
            runner._run(_TABLE)
            _made.add(store)
    return runner, mark


def reservation_used(store: object, resident_id: str, reserved_at: str) -> bool:
    runner, m = _store(store)
    return bool(runner._run(f"SELECT 1 FROM pin_resets_used WHERE resident_id = {m} "
                            f"AND reserved_at = {m}", (resident_id, reserved_at)))


def use_reservation(store: object, resident_id: str, reserved_at: str, kiosk_id: str,
                    now: datetime) -> bool:
    """Mark the reservation used; False when it was already (another kiosk's, or earlier)."""
    runner, m = _store(store)
    rows = runner._run(f"INSERT INTO pin_resets_used VALUES ({m}, {m}, {m}, {m}) "
                       "ON CONFLICT DO NOTHING RETURNING resident_id",
                       (resident_id, reserved_at, kiosk_id, now.isoformat()))
    return bool(rows)
