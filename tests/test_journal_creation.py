"""A new journal is a page-by-page copy of an empty one made once per process: the same tables,
marks, journal mode and sync as the schema's statements give; an older journal is still brought
up to date in place; only a journal made just now skips recovery (it holds nothing to recover)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import make_kiosk

from kiosk.clock import SystemClock
from kiosk.journal.opening import APPLICATION_ID, SCHEMA_VERSION
from kiosk.journal.sql import SCHEMA
from kiosk.journal.store import SqliteJournal


def _schema(db: sqlite3.Connection) -> list[tuple[str, str]]:
    return sorted(db.execute("SELECT name, sql FROM sqlite_master").fetchall())


def _by_statements() -> list[tuple[str, str]]:
    db = sqlite3.connect(":memory:")
    db.executescript(SCHEMA)
    return _schema(db)


@pytest.mark.parametrize("durability, synchronous", [("full", 2), ("normal", 1)])
def test_a_new_journal_has_the_tables_marks_and_settings_of_the_statements(
        tmp_path: Path, durability: str, synchronous: int) -> None:
    path = tmp_path / "new" / "journal.sqlite"
    journal = SqliteJournal(path, SystemClock(), durability=durability)
    assert journal.created
    db = journal._db
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == synchronous
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    journal.order_created("O1", "131016", "juminhyo", 1, 300)
    journal.close()

    db = sqlite3.connect(path)
    assert _schema(db) == _by_statements()
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT order_id FROM orders").fetchall() == [("O1",)]
    db.close()
    again = SqliteJournal(path, SystemClock())
    assert not again.created and [o.order_id for o in again.open_orders()] == ["O1"]
    again.close()


def test_two_new_journals_share_nothing_but_their_tables(tmp_path: Path) -> None:
    one = SqliteJournal(tmp_path / "one.sqlite", SystemClock())
    two = SqliteJournal(tmp_path / "two.sqlite", SystemClock())
    one.money_in(None, 100)
    assert one.totals().paid == 100 and two.totals().paid == 0
    one.close()
    two.close()


def test_an_older_journal_is_brought_up_to_date_in_place(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite"
    db = sqlite3.connect(path)
    db.executescript(SCHEMA)
    db.execute("DROP TABLE registrations")  # schema 1 had none
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute("PRAGMA user_version=1")
    db.execute("INSERT INTO money (order_id, kind, yen, state, at) "
               "VALUES (NULL, 'in', 500, 'done', '2026-11-20T10:00:00')")
    db.commit()
    db.close()
    journal = SqliteJournal(path, SystemClock())
    assert not journal.created and journal.totals().paid == 500
    journal.close()
    db = sqlite3.connect(path)
    assert _schema(db) == _by_statements()
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_an_empty_file_becomes_a_new_journal(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    journal = SqliteJournal(path, SystemClock())
    assert journal.created
    journal.close()
    assert _schema(sqlite3.connect(path)) == _by_statements()


def test_a_kiosk_restarted_on_its_journal_still_recovers(tmp_path: Path) -> None:
    first = make_kiosk(tmp_path)
    assert first.journal.created
    first.journal.order_created("O1", "131016", "juminhyo", 1, 300)
    first.journal.money_in("O1", 300)  # the power goes before the fee is taken
    first.close()
    second = make_kiosk(tmp_path)
    try:
        assert not second.journal.created
        assert second.journal.open_orders() == []
        assert second.journal.totals().orders_voided == 1
    finally:
        second.close()
