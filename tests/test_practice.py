"""Issue 16.4, practice mode: staff arm one practice visit at an office kiosk; it signs in the
sample resident with any card and any four digits, calls no center, takes no money, journals one
practice row (no order, document or yen) and prints samples marked 見本; then the kiosk is
normal again. A store kiosk refuses it."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from conftest import ROOT, SESSIONS  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from kiosk.practice.document import MARK, sample_pdf  # noqa: E402
from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.result import Options  # noqa: E402
from kiosk.replay.runner import Player  # noqa: E402

PRACTICE = SESSIONS / "practice-visit-office.jsonl"
REFUSED = SESSIONS / "practice-refused-at-store.jsonl"


def rows(journal: Path, sql: str) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(journal)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_a_practice_visit_touches_neither_center_nor_money(tmp_path: Path) -> None:
    player = Player(parse_session(PRACTICE), Options(), tmp_path)
    client = player.kiosk.client
    calls: dict[str, int] = {}

    def seen(state: str) -> None:  # the center's calls when the practice visit starts and ends
        if state == "terms" and "start" not in calls:
            calls["start"] = client.calls
        elif state == "idle" and "start" in calls and "end" not in calls:
            calls["end"] = client.calls

    player.kiosk.session.listeners.append(seen)
    result = player.play()
    assert result.passed, [f.text(str(PRACTICE)) for f in result.failures]
    assert calls["end"] == calls["start"]  # the center received no call in the practice visit
    assert client.calls > calls["end"]  # the next visit's card and sign-in did reach it
    journal = tmp_path / "journal.sqlite"
    assert rows(journal, "SELECT * FROM money") == []
    assert rows(journal, "SELECT * FROM orders") == []
    assert rows(journal, "SELECT * FROM documents") == []
    practice = rows(journal, "SELECT state, certificate, printed FROM practice_visits")
    assert practice == [("ended", "juminhyo", 2)]
    assert [a for (a,) in rows(journal, "SELECT action FROM operator_log")] == [
        "enter", "practice", "leave"]
    pdfs = sorted((tmp_path / "printed").glob("*.pdf"))
    assert len(pdfs) == 2
    for pdf in pdfs:
        text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
        assert MARK in text and "証明書ではありません" in text
        assert "practice-office-0001-20261120100005" in text  # bound to the visit


def test_the_journal_report_shows_the_practice_visit_and_no_money(tmp_path: Path) -> None:
    result = Player(parse_session(PRACTICE), Options(), tmp_path).play()
    assert result.passed
    report = subprocess.run(
        [sys.executable, "-m", "kiosk", "journal", "report", "--journal",
         str(tmp_path / "journal.sqlite")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert report.returncode == 0, report.stderr
    assert "practice visits 1" in report.stdout
    assert "money in ¥0  fees ¥0" in report.stdout


def test_a_store_kiosk_refuses_practice(tmp_path: Path) -> None:
    result = Player(parse_session(REFUSED), Options(), tmp_path).play()
    assert result.passed, [f.text(str(REFUSED)) for f in result.failures]
    journal = tmp_path / "journal.sqlite"
    assert rows(journal, "SELECT action, detail FROM operator_log WHERE action LIKE 'practice%'"
                ) == [("practice refused", "store")]
    assert rows(journal, "SELECT * FROM practice_visits") == []


def test_the_sample_is_marked_across_the_page() -> None:
    pdf = sample_pdf("practice-x-1", "inkan", 1, datetime(2026, 11, 20, 10, 0))
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert MARK in page.extract_text() and "印鑑登録証明書" in page.extract_text()
    content = page.get_contents()
    assert content is not None
    ops = content.get_data()
    assert b" cm" in ops  # drawn rotated (the 45° matrix) over the page
