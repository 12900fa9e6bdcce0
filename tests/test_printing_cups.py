"""Printing through a real cupsd to a real IPP printer (ippeveprinter, the lab printer), with
faults set on the printer itself."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import cups
import pytest
from conftest import ROOT, make_kiosk
from pypdf import PdfReader

from drivers.printer.cups import CupsPrinter
from drivers.printer.lab import PrinterLab
from kiosk.pdfinfo import page_count
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import PrinterError

PRIVACY = (ROOT / "systemd" / "cupsd-kiosk.conf").read_text()


@pytest.fixture(scope="module")
def cupsd() -> None:
    """cupsd running with the kiosk's privacy settings (as root, as .ci/run does)."""
    conf = Path("/etc/cups/cupsd.conf")
    changed = False
    if conf.exists() and "PreserveJobFiles No" not in conf.read_text():
        conf.write_text(conf.read_text() + "\n" + PRIVACY)
        changed = True
    try:
        cups.Connection()
        if changed:
            subprocess.run(["pkill", "-HUP", "-x", "cupsd"], check=False)
    except RuntimeError:
        subprocess.Popen(["cupsd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            try:
                cups.Connection()
                break
            except RuntimeError:
                import time

                time.sleep(0.1)
        else:
            raise AssertionError("cupsd did not start")


@pytest.fixture(scope="module")
def lab(cupsd: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrinterLab]:
    printer = PrinterLab(tmp_path_factory.mktemp("lab"), queue="kiosk-test-lab")
    printer.start()
    yield printer
    printer.stop()


def test_a_certificate_prints_whole_with_front_and_back(lab: PrinterLab, tmp_path: Path) -> None:
    lab.set_state("ok")
    before = len(lab.received())
    k = make_kiosk(tmp_path, printer={"uri": f"cups:{lab.queue}", "timeout": 20})
    try:
        for e in (ev.Start(), ev.Agree()):
            k.post(e)
            k.pump()
        k.place_card("r001")
        k.pump()
        for e in (ev.EnterPin(bytearray(b"1234")),):
            k.post(e)
            k.pump()
        k.remove_card()
        for e in (ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
                  ev.SetOptions({}), ev.SetCopies(1), ev.Confirm()):
            k.post(e)
            k.pump()
        k.cash.insert(1000)
        k.pump()
        assert k.session.state == "collect"
        assert k.session.view().pages_done == 2
    finally:
        k.close()
    received = lab.received()[before:]
    assert len(received) == 1
    pdf = received[0].read_bytes()
    # CUPS's pdftopdf rewrites the file on its way (same pages, other drawing code), so what
    # the printer took is checked by its pages and words: the front, then the back.
    assert page_count(pdf) == 2
    pages = PdfReader(io.BytesIO(pdf)).pages
    front, back = (page.extract_text() for page in pages)
    with sqlite3.connect(tmp_path / "journal.sqlite") as db:
        (document_id,) = db.execute("SELECT document_id FROM documents").fetchone()
    assert "住民票の写し" in front and document_id in front
    assert "偽造防止" in back and document_id in back


def test_printer_fault_sessions_pass_on_the_lab_printer(cupsd: None, tmp_path: Path) -> None:
    """With --out too: a CUPS printer has no spool folder to list (issue 12, finding 6)."""
    sessions = sorted((ROOT / "tests" / "printer-sessions").glob("*.jsonl"))
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--printer-lab", "--out",
                          str(tmp_path / "out"), *map(str, sessions)], capture_output=True,
                         text=True, timeout=600)
    assert run.returncode == 0, run.stdout + run.stderr[-3000:]
    assert f"{len(sessions)} passed, 0 failed" in run.stdout
    assert (tmp_path / "out" / "report.json").stat().st_size > 0


def test_preflight_names_each_fault_until_it_is_cleared(lab: PrinterLab) -> None:
    printer = CupsPrinter(lab.queue, timeout=5)
    lab.set_state("ok")
    assert printer.ready() is None
    lab.set_state("offline")
    assert printer.ready() == "offline"
    lab.set_state("ok")
    assert printer.ready() is None
    lab.set_state("jam")
    pdf = lab.received()[-1].read_bytes() if lab.received() else None
    assert pdf is not None, "an earlier test printed a document"
    with pytest.raises(PrinterError) as jammed:
        printer.print_document("jam-test", pdf)
    assert "media-jam" in str(jammed.value)
    lab.set_state("jam")  # the jam is still there: the report stands until it is cleared
    assert printer.ready() == "media-jam"
    printer.clear_fault()  # the operator cleared it
    lab.set_state("ok")
    assert printer.ready() is None


def test_an_offline_printer_times_out_and_the_job_is_cancelled(lab: PrinterLab) -> None:
    printer = CupsPrinter(lab.queue, timeout=2)
    pdf = lab.received()[-1].read_bytes()
    lab.set_state("offline")
    try:
        with pytest.raises(PrinterError, match="offline"):
            printer.print_document("offline-test", pdf)
        jobs = cups.Connection().getJobs(which_jobs="not-completed")
        assert not [j for j in jobs.values() if "offline-test" in str(j)]
    finally:
        lab.set_state("ok")


def test_cups_keeps_no_document_after_printing(lab: PrinterLab) -> None:
    spool = Path("/var/spool/cups")
    if not spool.is_dir():
        pytest.skip("not CUPS's Debian layout")
    leftovers = [p.name for p in spool.iterdir() if p.name.startswith("d")]
    assert leftovers == [], leftovers


def test_a_printer_that_cannot_print_two_sided_keeps_the_kiosk_out_of_service(
        cupsd: None, tmp_path: Path) -> None:
    """Issue 12, finding 9: pre-flight reads what the printer supports before money is taken."""
    one_sided = PrinterLab(tmp_path / "lab", queue="kiosk-test-one-sided", two_sided=False)
    one_sided.start()
    try:
        problem = CupsPrinter(one_sided.queue).ready()
        assert problem is not None and "two-sided" in problem
        k = make_kiosk(tmp_path, printer={"uri": f"cups:{one_sided.queue}"})
        try:
            k.tick()  # the first pre-flight check, as on start
            assert k.session.state == "out_of_service"
            assert "two-sided" in k.session.preflight.problem
            k.post(ev.Start())
            k.pump()
            assert k.session.state == "out_of_service"  # no visit, nothing taken
            assert k.journal.totals().paid == 0
        finally:
            k.close()
    finally:
        one_sided.stop()


def test_the_lab_printer_prints_two_sided_and_is_fit(lab: PrinterLab) -> None:
    assert CupsPrinter(lab.queue).ready() is None
