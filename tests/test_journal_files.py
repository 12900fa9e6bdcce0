"""The journal against its files and its disk (issue 12, findings 1 and 4).

A full disk never takes a yen without its row: the journal sits on a real, small tmpfs filled to
every size from empty to full (root mounts it, as CI runs; elsewhere the test is skipped). Empty,
foreign, newer-schema and unwritable journals are refused by name, and reading never writes.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import ROOT, make_kiosk

from kiosk.app import Kiosk
from kiosk.clock import SystemClock
from kiosk.journal.opening import JournalError
from kiosk.journal.store import SqliteJournal
from kiosk.vocabulary import events as ev


def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "SDL_VIDEODRIVER": "dummy",
                               "SDL_AUDIODRIVER": "dummy"})


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- files that are not journals ----------------------------------------------------------------
def foreign(path: Path) -> Path:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE photos (name TEXT)")
    db.commit()
    db.close()
    return path


def newer(path: Path) -> Path:
    journal = SqliteJournal(path, SystemClock())
    journal.money_in(None, 100)
    journal._db.execute("PRAGMA user_version=99")  # as a later kiosk would leave it
    journal.close()
    return path


@pytest.mark.parametrize("make, words", [
    (lambda p: (p.write_bytes(b""), p)[1], "is empty"),
    (lambda p: (p.write_text("not sqlite"), p)[1], "not an SQLite file"),
    (foreign, "another program's SQLite file"),
    (newer, "newer kiosk"),
])
@pytest.mark.parametrize("verb", ["check", "report"])
def test_check_and_report_refuse_what_is_no_journal_and_change_nothing(
        tmp_path: Path, make: object, words: str, verb: str) -> None:
    path = make(tmp_path / "journal.sqlite")  # type: ignore[operator]
    before = digest(path)
    run = kiosk_cli("journal", verb, "--journal", str(path))
    assert run.returncode == 2, run.stdout + run.stderr
    assert words in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "sound" not in run.stdout
    assert digest(path) == before


def test_reading_a_sound_journal_never_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite"
    journal = SqliteJournal(path, SystemClock())
    journal.money_in(None, 100)
    journal.close()
    before = digest(path)
    assert kiosk_cli("journal", "check", "--journal", str(path)).returncode == 0
    assert kiosk_cli("journal", "report", "--journal", str(path), "--json").returncode == 0
    assert digest(path) == before


def test_the_kiosk_refuses_to_start_on_a_journal_it_cannot_use(tmp_path: Path) -> None:
    for path, words in ((newer(tmp_path / "newer.sqlite"), "newer kiosk"),
                        (foreign(tmp_path / "foreign.sqlite"), "another program's")):
        before = digest(path)
        with pytest.raises(JournalError, match=words):
            SqliteJournal(path, SystemClock())
        run = kiosk_cli("replay", "--journal", str(path),
                        str(ROOT / "tests/sessions/r001-juminhyo-one-copy.jsonl"))
        assert run.returncode == 2 and words in run.stderr and "Traceback" not in run.stderr
        assert digest(path) == before  # refused before anything was written


# --- a full disk --------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs (root only: CI runs as root)."""
    where = tmp_path / "disk"
    where.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root (CI is root)")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"no tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path, leave: int) -> None:
    """Fill ``disk`` until ``leave`` bytes are free (in the filesystem's blocks)."""
    filler = disk / "filler"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    size = max(0, free + (filler.stat().st_size if filler.exists() else 0) - leave)
    with filler.open("wb") as fh:
        fh.truncate(0)
        fh.write(b"\0" * size)  # written, not sparse: tmpfs counts what is written
    os.sync()


def a_paid_visit(k: Kiosk, at_payment: Callable[[], None] = lambda: None) -> None:
    """A resident who gets as far as the disk lets them: sign in, order, pay ¥1000
    (``at_payment`` runs when the payment screen is up)."""
    act = lambda *events: [(k.post(e), k.pump()) for e in events]  # noqa: E731
    act(ev.Start(), ev.Agree())
    if k.session.state != "await_card":
        return
    k.place_card("r001")
    k.pump()
    act(ev.EnterPin(bytearray(b"1234")))
    if k.slot is not None and k.slot.card_present:
        k.remove_card()
        k.pump()
    act(ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"), ev.SetOptions({}),
        ev.SetCopies(1), ev.Confirm())
    at_payment()
    for coin in (500, 500):
        k.cash.insert(coin)  # type: ignore[attr-defined]
        k.pump()
    k.take("paper")
    k.take("change")
    k.pump()
    k.advance_to(k.clock.now() + timedelta(minutes=10))  # every timeout runs out


@pytest.mark.parametrize("leave_kib", [0, 4, 8, 16, 24, 32, 48, 64, 96, 128, 256, 1024])
@pytest.mark.parametrize("when", ["before the visit", "at payment"])
def test_a_full_disk_never_takes_a_yen_without_its_row(small_disk: Path, leave_kib: int,
                                                       when: str) -> None:
    """Filled before the visit, the reserve keeps it from starting; filled while the payment
    screen is up (past the reserve check), the writes themselves fail."""
    journal = small_disk / "journal.sqlite"
    k = make_kiosk(small_disk.parent, journal={"path": str(journal), "reserve_kib": 32})
    before = k.cash.total_held()  # type: ignore[attr-defined]
    filled = lambda: fill(small_disk, leave_kib * 1024)  # noqa: E731
    if when == "before the visit":
        filled()
    try:
        a_paid_visit(k, filled if when == "at payment" else lambda: None)
        kept = k.cash.total_held() - before  # type: ignore[attr-defined]
        if k.journal.room() < 32 * 1024:  # below the reserve: out of service, and says why
            assert k.session.state == "out_of_service"
            assert k.session.view().message == "journal-unavailable"
    finally:
        k.close()
    t = SqliteJournal(journal, SystemClock(), read_only=True).report().totals
    # every yen the cash unit kept is one the journal says it kept (outstanding included)
    assert kept == t.money_in - t.change - t.refunded, (kept, t)
    (small_disk / "filler").unlink()  # staff free the disk; the kiosk starts again
    k = make_kiosk(small_disk.parent, journal={"path": str(journal), "reserve_kib": 32})
    k.close()
    check = kiosk_cli("journal", "check", "--journal", str(journal))
    assert check.returncode == 0, check.stdout + check.stderr
    t = SqliteJournal(journal, SystemClock(), read_only=True).report().totals
    assert t.money_in == t.fees_collected + t.change + t.refunded + t.outstanding, t
