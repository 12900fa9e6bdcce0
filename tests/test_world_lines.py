"""Every world line on the embedded default: the printer's faults on the simulated printer, the
reader unplugged, the e-money terminal's answers and a full disk, in session files and by part."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, SESSIONS, make_kiosk

from drivers.card.emulator import MyNumberCard
from drivers.card.inprocess import InProcessReader
from drivers.printer.spool import SpoolPrinter
from kiosk.clock import JST, VirtualClock
from kiosk.journal.opening import JournalError
from kiosk.lab.center.cards import resident_card
from kiosk.lab.center.center import ReferenceCenter
from kiosk.replay.format import FormatError, parse_session
from kiosk.replay.world_lines import LineError, WorldLines
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import PrinterError

PRINTER_SESSIONS = sorted((ROOT / "tests" / "printer-sessions").glob("*.jsonl"))
WORLD_SESSIONS = sorted(SESSIONS.glob("world-*.jsonl"))


def replay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "replay", *args],
                          capture_output=True, text=True, timeout=300)


def test_every_printer_session_passes_on_the_embedded_default_without_cups(
        tmp_path: Path) -> None:
    assert len(PRINTER_SESSIONS) >= 3
    run = replay("--out", str(tmp_path), *map(str, PRINTER_SESSIONS))
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert f"{len(PRINTER_SESSIONS)} passed, 0 failed" in run.stdout


def test_reader_emoney_and_disk_sessions_pass(tmp_path: Path) -> None:
    assert {p.stem for p in WORLD_SESSIONS} >= {"world-reader-unplugged",
                                                 "world-emoney-lines", "world-disk-full",
                                                 "world-disk-full-at-idle"}
    run = replay(*map(str, WORLD_SESSIONS))
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]


def _printed(tmp_path: Path) -> bytes:
    run = replay("--out", str(tmp_path / "out"), str(SESSIONS / "r001-juminhyo-one-copy.jsonl"))
    assert run.returncode == 0, run.stdout + run.stderr
    return next((tmp_path / "out").rglob("*.pdf")).read_bytes()


@pytest.mark.parametrize("state, reported", [("jam", "media-jam"),
                                             ("media-empty", "media-empty")])
def test_a_jam_is_learnt_by_a_failed_job_and_stands_until_cleared(
        tmp_path: Path, state: str, reported: str) -> None:
    pdf = _printed(tmp_path)
    printer = SpoolPrinter(tmp_path / "spool")
    printer.set_state(state)
    assert printer.ready() is None  # as through CUPS: the printer says nothing before a job
    with pytest.raises(PrinterError) as failed:
        printer.print_document("doc-1", pdf)
    assert failed.value.pages_out == 0 and reported in str(failed.value)
    assert not (tmp_path / "spool" / "doc-1.pdf").exists()
    assert printer.ready() == reported
    printer.set_state("ok")
    assert printer.ready() == reported  # the report stands until the operator clears it
    printer.clear_fault()
    assert printer.ready() is None
    assert printer.print_document("doc-2", pdf).pages == 2


def test_an_offline_printer_is_seen_before_any_job(tmp_path: Path) -> None:
    printer = SpoolPrinter(tmp_path / "spool")
    printer.set_state("offline")
    assert printer.ready() == "offline"
    with pytest.raises(PrinterError, match="offline"):
        printer.print_document("doc-1", _printed(tmp_path))
    with pytest.raises(ValueError, match="ok, jam, media-empty, offline"):
        printer.set_state("on-fire")


def test_an_unplugged_reader_loses_its_card_and_finds_it_again() -> None:
    posted: list[ev.Event] = []
    reader = InProcessReader("r", posted.append)
    card = _card()
    reader.place(card)
    reader.unplug()
    assert [type(e) for e in posted] == [ev.CardPlaced, ev.CardRemoved, ev.ReaderChanged]
    assert posted[-1] == ev.ReaderChanged(False, "r was unplugged")
    with pytest.raises(Exception, match="no card"):
        reader.connect()
    reader.remove()  # lifted while unplugged: nothing to see
    reader.place(card)
    assert len(posted) == 3
    reader.plug()
    assert posted[3:] == [ev.ReaderChanged(True, ""), ev.CardPlaced("r")]
    reader.connect().transmit([0x00, 0xA4, 0x04, 0x0C, 0x00])


def _card() -> MyNumberCard:
    clock = VirtualClock(datetime(2026, 11, 20, 11, 0, tzinfo=JST))
    center = ReferenceCenter.for_world(None, clock)
    return resident_card(center.world, center.pki, "r001", clock.now())


def test_a_full_disk_refuses_every_write_through_sqlite_and_leaves_no_room(
        tmp_path: Path) -> None:
    kiosk = make_kiosk(tmp_path)
    try:
        journal = kiosk.journal
        journal.order_created("O1", "131130", "juminhyo", 1, 200)
        journal.refuse_writes(True)
        assert journal.room() == 0
        with pytest.raises(JournalError, match="could not be written"):
            journal.order_paid("O1", 200)
        with pytest.raises(JournalError):
            journal.order_created("O2", "131130", "juminhyo", 1, 200)
        journal.refuse_writes(False)
        journal.order_paid("O1", 200)
        assert journal.room() > 0
    finally:
        kiosk.close()
    rows = sqlite3.connect(tmp_path / "journal.sqlite").execute(
        "SELECT order_id, state FROM orders").fetchall()
    assert rows == [("O1", "paid")]


@pytest.mark.parametrize("line, message", [
    ('{"reader": "unplugged"}', 'reader: must be "gone" or "back"'),
    ('{"emoney": "maybe"}', "emoney: must be one of approve, decline, timeout"),
    ('{"disk": "half"}', 'disk: must be "full" or "ok"'),
    ('{"pin": "rightish"}', "pin: must be a string of digits"),
])
def test_new_lines_refuse_what_they_do_not_know(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / "s.jsonl"
    path.write_text('{"kiosk_session": 1, "start": "2026-11-20T11:00:00+09:00"}\n' + line + "\n")
    with pytest.raises(FormatError, match=message):
        parse_session(path)


def test_reader_lines_over_pcscd_are_refused_clearly(tmp_path: Path) -> None:
    """A vpcd reader cannot be unplugged by the harness: one clear error (exit 2)."""
    kiosk = make_kiosk(tmp_path)
    try:
        kiosk.reader = object()  # type: ignore[assignment]  # a reader with no cable to pull
        with pytest.raises(LineError, match="emulated reader"):
            WorldLines(None).play(kiosk, "reader", "gone", lambda *calls: None)
    finally:
        kiosk.reader = InProcessReader()
        kiosk.close()
