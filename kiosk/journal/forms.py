"""The journal's ``forms_printed``: pre-filled forms printed, by kind and time; nothing of
whom (the resident's data never reaches the journal)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.journal.store import SqliteJournal

TABLE = """
CREATE TABLE IF NOT EXISTS forms_printed (  -- a form's kind only: no one's data
    form    TEXT NOT NULL,
    at      TEXT NOT NULL
);
"""


def record_form(journal: SqliteJournal, at: str, form: str) -> None:
    """One form printed."""
    journal._write("INSERT INTO forms_printed (form, at) VALUES (?, ?)", (form, at))


def count_forms(journal: SqliteJournal) -> int:
    """Every form the journal holds (a replay's ``printed_forms`` is the difference of two)."""
    return int(journal._rows("SELECT COUNT(*) FROM forms_printed")[0][0])
