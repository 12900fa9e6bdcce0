"""The journal's ``practice_visits``: a practice visit (operator mode's "practice") leaves only
this row — no order, no document, no yen — so that settlement never counts it."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal

TABLE = """
CREATE TABLE IF NOT EXISTS practice_visits (  -- staff's practice visits (a sample resident)
    visit_id    TEXT PRIMARY KEY,
    state       TEXT NOT NULL CHECK (state IN ('started', 'printed', 'ended')),
    certificate TEXT NOT NULL DEFAULT '',
    printed     INTEGER NOT NULL DEFAULT 0,  -- sample copies printed (marked 見本)
    at          TEXT NOT NULL
);
"""
STATES = ("started", "printed", "ended")


def record_practice(journal: SqliteJournal, at: str, visit_id: str, state: str,
                    certificate: str, printed: int) -> None:
    """The practice visit's row, made when it starts and updated as it goes."""
    if state not in STATES:
        raise ValueError(f"not a practice visit's state: {state}")
    journal._write(
        "INSERT INTO practice_visits VALUES (?, ?, ?, ?, ?) ON CONFLICT (visit_id) DO UPDATE "
        "SET state=excluded.state, certificate=CASE excluded.certificate WHEN '' THEN "
        "certificate ELSE excluded.certificate END, printed=MAX(printed, excluded.printed), "
        "at=excluded.at", (visit_id, state, certificate, printed, at))


def practice_count(journal: SqliteJournal, day: str | None = None) -> int:
    """Practice visits (of ``day``, YYYY-MM-DD, or every day); 0 in a journal of a kiosk
    from before practice mode (read-only: it never got the table)."""
    if not journal._rows("SELECT 1 FROM sqlite_master WHERE name='practice_visits'"):
        return 0
    if day:
        return int(journal._rows("SELECT COUNT(*) FROM practice_visits WHERE "
                                 "substr(at, 1, 10) = ?", (day,))[0][0])
    return int(journal._rows("SELECT COUNT(*) FROM practice_visits")[0][0])
