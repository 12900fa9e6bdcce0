"""The forms service (書かない窓口) end to end on the real kiosk, emulator and spool printer: the
forms as PDFs, a form bound to its visit, and privacy (what the card gave is found only in the
printed PDFs: never in a log line, the journal, a report or any other file left behind)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import SESSIONS, make_kiosk
from pypdf import PdfReader
from test_privacy import readable_bytes

from kiosk.forms.render import FilledForm, render_form, wareki
from kiosk.forms.templates import BY_ID, FORMS
from kiosk.lab.center.world import load_world
from kiosk.services.forms_jobs import FormRendered
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.ports import CardFace

WORLD = Path(__file__).parent / "worlds" / "forms.toml"
FACE = CardFace("山田 太郎", "東京都渋谷区宇田川町1番1号", "19800401", "1", "123456789018")


def text_of(filled: FilledForm) -> str:
    return "".join(PdfReader(io.BytesIO(filled.pdf)).pages[0].extract_text().split())


def test_the_individual_number_goes_only_on_a_form_that_takes_it() -> None:
    assert {f.id for f in FORMS} >= {"certificate-request", "seal-registration", "move-out"}
    assert not BY_ID["certificate-request"].takes_number
    assert BY_ID["move-out"].takes_number and BY_ID["seal-registration"].takes_number
    request = text_of(render_form(BY_ID["certificate-request"], FACE, date(2026, 11, 21), "A1"))
    assert "証明書交付請求書" in request and "山田太郎" in request
    assert "123456789018" not in request and "個人番号" not in request
    moving = text_of(render_form(BY_ID["move-out"], FACE, date(2026, 11, 21), "A1"))
    assert "転出届" in moving and "123456789018" in moving and "受付番号A1" in moving
    assert "昭和55年4月1日" in moving and "令和8年11月21日" in moving and "男" in moving
    no_number = CardFace(FACE.name, FACE.address, FACE.birth, FACE.sex)
    blank = text_of(render_form(BY_ID["move-out"], no_number, date(2026, 11, 21), "A1"))
    assert "個人番号" in blank and "123456789018" not in blank


def test_era_dates() -> None:
    assert wareki(date(2019, 5, 1)) == "令和元年5月1日"
    assert wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert wareki(date(1900, 1, 1)) == "1900年1月1日"


def test_a_form_not_made_for_this_visit_is_never_printed(tmp_path: Path) -> None:
    k = make_kiosk(tmp_path, emulator={"world": str(WORLD)})
    try:
        for event in (ev.Start("forms"), ev.Agree(True)):
            k.post(event)
            k.pump()
        k.place_card("r040")
        k.pump()
        k.post(ev.EnterPin(bytearray(b"1357")))
        k.pump()
        k.post(ev.ChooseForm("certificate-request"))
        k.pump()
        assert k.session.state == "forms_confirm"
        other = render_form(BY_ID["certificate-request"], FACE, date(2026, 11, 21), "OTHER")
        k.post(ev.WorkDone(FormRendered(other)))  # a form drawn for another visit turns up
        k.pump()
        assert k.session.state == "error"
        assert not list((tmp_path / "printed").glob("*.pdf"))
        assert k.journal.totals().printed_forms == 0
    finally:
        k.close()


def test_nothing_read_by_the_forms_service_is_left_anywhere_but_the_pdfs(tmp_path: Path) -> None:
    sessions = sorted(SESSIONS.glob("forms-*.jsonl"))
    assert len(sessions) >= 3
    world = load_world(WORLD)
    residents = [world.resident(r) for r in ("r040", "r041", "r042")]
    secrets: list[str] = []
    for r in residents:
        assert r is not None
        secrets += [r.name.kanji, r.name.kanji.replace(" ", ""), r.address,
                    r.individual_number, r.individual_number[:8], r.born.replace("-", "")]
    out, journal = tmp_path / "out", tmp_path / "journal.sqlite"
    env = dict(os.environ, KIOSK_LOG_LEVEL="DEBUG", SDL_VIDEODRIVER="dummy",
               SDL_AUDIODRIVER="dummy")
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "replay", "--out", str(out), "--screenshots",
         "--journal", str(journal), *map(str, sessions)],
        capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "DEBUG" in run.stderr, "DEBUG logging was on"
    (tmp_path / "kiosk.log").write_text(run.stdout + run.stderr)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    pdfs = [p for p in written if p.suffix == ".pdf"]
    assert len(pdfs) == 3 and any(p.name.startswith("journal.sqlite") for p in written)
    assert any(p.name == "report.json" for p in written)
    in_pdfs = b"".join(readable_bytes(p) for p in pdfs).decode("utf-8")
    assert all(r is not None and r.name.kanji in in_pdfs for r in residents)  # the search works
    for path in written:
        if path in pdfs:
            continue
        data = readable_bytes(path)
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert secret.encode(encoding) not in data, f"{secret!r} found in {path.name}"
