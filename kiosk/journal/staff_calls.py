"""The journal's ``staff_calls``: residents who pressed "call staff", for the staff console.

A row is the time, the kiosk and the screen's name; ``answered`` is set by the console when a
clerk has gone to the kiosk. Nothing about the resident is in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal

TABLE = """
CREATE TABLE IF NOT EXISTS staff_calls (  -- "call staff" pressed (no one's data)
    at       TEXT NOT NULL,
    kiosk    TEXT NOT NULL,
    screen   TEXT NOT NULL,
    answered INTEGER NOT NULL DEFAULT 0
);
"""


def record_call(journal: SqliteJournal, at: str, kiosk: str, screen: str) -> None:
    """One call, committed before staff are alerted."""
    journal._write("INSERT INTO staff_calls (at, kiosk, screen, answered) VALUES (?, ?, ?, 0)",
                   (at, kiosk, screen))


def count_calls(journal: SqliteJournal) -> int:
    """Every call the journal holds (a replay's ``help_calls`` is the difference of two)."""
    return int(journal._rows("SELECT COUNT(*) FROM staff_calls")[0][0])


def open_calls(journal: SqliteJournal) -> list[tuple[str, str, str]]:
    """(at, kiosk, screen) of the calls no clerk has answered yet, oldest first."""
    return [(at, kiosk, screen) for at, kiosk, screen in journal._rows(
        "SELECT at, kiosk, screen FROM staff_calls WHERE answered = 0 ORDER BY at")]
