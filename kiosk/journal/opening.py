"""Opening a journal: what a file must be before the kiosk writes money into it, or staff read it.

A journal is an SQLite file marked with the kiosk's application id and a schema version. An empty
file, another program's SQLite file, a file that is not SQLite, or a journal of a newer schema is
refused by name; a journal the kiosk cannot write is refused before it takes a yen. Readers
(``journal check`` and ``report``) open it read-only and never change it.
"""

from __future__ import annotations

import functools
import os
import shutil
import sqlite3
import threading
from pathlib import Path

from kiosk.journal.sql import SCHEMA
from kiosk.vocabulary.reasons import KioskError, Reason

APPLICATION_ID = 0x4B494F53  # "KIOS": PRAGMA application_id of every journal
SCHEMA_VERSION = 2  # 1: orders, money, documents, operator log; 2: + registrations
SQLITE_MAGIC = b"SQLite format 3\x00"
OUR_TABLES = {"orders", "money", "documents", "operator_log"}


class JournalError(KioskError):
    """A journal that cannot be used, or a write that did not reach the disk."""

    reason = Reason.JOURNAL_UNAVAILABLE


def identify(path: Path) -> str | None:
    """Why ``path`` is not a journal this kiosk can use as it is, or None (a new file is fine)."""
    if not path.exists():
        return None
    if not path.is_file():
        return f"{path} is not a file"
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        return f"{path} cannot be read: {exc.strerror}"
    if not head:
        return f"{path} is empty: not a journal"
    if head != SQLITE_MAGIC:
        return f"{path} is not a journal (not an SQLite file)"
    return None


def check_marks(db: sqlite3.Connection, path: Path) -> int:
    """The journal's schema version; JournalError for a foreign or newer file."""
    app = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if app not in (0, APPLICATION_ID) or (app == 0 and tables and not OUR_TABLES <= tables):
        raise JournalError(f"{path} is another program's SQLite file, not a kiosk journal")
    if version > SCHEMA_VERSION:
        raise JournalError(f"{path} was written by a newer kiosk (journal schema {version}; "
                           f"this one knows {SCHEMA_VERSION})")
    return int(version)


def make_tables(db: sqlite3.Connection, version: int) -> bool:
    """Give ``db`` (of schema ``version``, as check_marks found it) the journal's tables and
    marks: a blank one becomes a copy of an empty journal made once per process (page by page,
    through ``db``'s own journal mode and sync), an older one gets what it lacks. True when
    ``db`` was blank (a new journal: nothing in it to recover)."""
    if version == 0 and db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None:
        with _COPYING:
            _empty_journal().backup(db)
        return True
    db.executescript(SCHEMA)
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")  # a write: it must land
    return False


_COPYING = threading.Lock()


@functools.lru_cache(maxsize=1)
def _empty_journal() -> sqlite3.Connection:
    """An in-memory journal with its tables and marks and nothing else, to copy from."""
    db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
    db.executescript(SCHEMA)
    db.execute(f"PRAGMA application_id={APPLICATION_ID}")
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return db


def open_reader(path: Path) -> sqlite3.Connection:
    """The journal read-only (``check``, ``report``): never created, never changed."""
    problem = identify(path) or (None if path.exists() else f"no journal at {path}")
    if problem:
        raise JournalError(problem)
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True,
                             check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA query_only=ON")
        check_marks(db, path)
        if not OUR_TABLES <= {r[0] for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table'")}:
            raise JournalError(f"{path} is not a journal (it has no orders)")
    except sqlite3.DatabaseError as exc:
        raise JournalError(f"{path} cannot be read as a journal: {exc}") from None
    return db


def free_bytes(path: Path) -> int:
    """Free space where the journal is (its folder, or the nearest one that exists)."""
    folder = path.parent
    while not folder.exists():  # upwards, one folder at a time
        if folder.parent == folder:
            folder = Path("/")
            break
        folder = folder.parent
    return shutil.disk_usage(folder).free


def writable(path: Path) -> str | None:
    """Why the journal's file or folder cannot be written, or None."""
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only"
    if not os.access(folder, os.W_OK):
        return f"{folder} is read-only"
    return None
