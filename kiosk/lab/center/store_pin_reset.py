"""The PIN reset reservations used up, in the center's store (SQLite or PostgreSQL).

A reservation (a resident's, made at ``reserved_at``) is used when the center issues its
authorisation; one row per reservation, inserted once (``ON CONFLICT DO NOTHING``), so that two
kiosks asking at once get one authorisation between them. No PIN is ever here: the center never
has one.
"""

from __future__ import annotations

from datetime import datetime

from kiosk.lab.center.store_tables import ExtraTable

_TABLE = ExtraTable("CREATE TABLE IF NOT EXISTS pin_resets_used (resident_id TEXT NOT NULL, "
                    "reserved_at TEXT NOT NULL, kiosk TEXT NOT NULL, used_at TEXT NOT NULL, "
                    "PRIMARY KEY (resident_id, reserved_at))")


def reservation_used(store: object, resident_id: str, reserved_at: str) -> bool:
    runner, m = _TABLE.on(store)
    return bool(runner._run(f"SELECT 1 FROM pin_resets_used WHERE resident_id = {m} "
                            f"AND reserved_at = {m}", (resident_id, reserved_at)))


def use_reservation(store: object, resident_id: str, reserved_at: str, kiosk_id: str,
                    now: datetime) -> bool:
    """Mark the reservation used; False when it was already (another kiosk's, or earlier)."""
    runner, m = _TABLE.on(store)
    rows = runner._run(f"INSERT INTO pin_resets_used VALUES ({m}, {m}, {m}, {m}) "
                       "ON CONFLICT DO NOTHING RETURNING resident_id",
                       (resident_id, reserved_at, kiosk_id, now.isoformat()))
    return bool(rows)
