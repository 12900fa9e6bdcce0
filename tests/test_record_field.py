"""`kiosk record --run`: the kiosk in service, as `kiosk run` builds it (cards through pcscd,
CUPS, an mTLS center, no cash unit, no tray sensor), played through pygame input events and
recorded; the field card replays with a stand-in resident (`kiosk replay --resident`)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pygame
import pytest
from pcscd_control import VPCD_READER, wait_empty
from test_center_https import Served, serve
from test_live import run_until, tap
from test_printing_cups import cupsd  # noqa: F401  # the fixture: cupsd as the kiosk runs it
from test_record import MORNING, RunningClock, choose_seal_certificate, key, no_secret_in, on

from drivers.printer.lab import PrinterLab
from kiosk.config import from_data, merge, resolve_paths
from kiosk.field.live import LiveKiosk
from kiosk.schema import load_toml

SAMPLE_WORLD = Path(__file__).resolve().parents[1] / "kiosk" / "lab" / "center" / \
    "sample-world.toml"


@pytest.fixture(scope="module")
def served_sample(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, SAMPLE_WORLD)


@pytest.fixture(scope="module")
def printer(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrinterLab]:
    request.getfixturevalue("cupsd")
    lab = PrinterLab(tmp_path_factory.mktemp("lab"), queue="kiosk-record-lab")
    lab.start()
    yield lab
    lab.stop()


def field_config(served: Served, lab: PrinterLab, tmp_path: Path) -> dict[str, object]:
    """store-0001's kiosk.toml from `kiosk center init`, made a field kiosk: pcscd, CUPS, no
    cash unit (a town that waives the fee), no tray sensor; [emulator] is the test's hand."""
    path = served.kiosk_toml("store-0001")
    data = resolve_paths(load_toml(path.read_text(encoding="utf-8")), path.parent)
    return merge(data, {
        "center": {"transport": {"lab_clock": True}},  # the center on the kiosk's clock
        "card": {"reader": "pcsc", "vpcd": "127.0.0.1:35963", "reader_pattern": VPCD_READER},
        "printer": {"uri": f"cups:{lab.queue}", "timeout": 20},
        "payment": {"methods": ["free"], "unit": "none"},
        "tray": {"sensor": "none"},
        "journal": {"path": str(tmp_path / "journal.sqlite")},
    })


def test_a_visit_recorded_in_service_replays_with_a_stand_in_resident(
        served_sample: Served, printer: PrinterLab, pcscd: object, tmp_path: Path) -> None:
    wait_empty()
    printer.set_state("ok")
    out = tmp_path / "visits"
    config = from_data(field_config(served_sample, printer, tmp_path))
    live = LiveKiosk(config, RunningClock(MORNING), record=out)  # no demo hands: in service
    try:
        kiosk = live.kiosk
        run_until(live, lambda: "reader" not in kiosk.session.faults and
                  kiosk.session.state == "idle")
        tap(live, "idle.start")
        on(live, "terms")
        tap(live, "terms.agree")
        on(live, "await_card")
        assert kiosk.slot is not None
        kiosk.slot.place(kiosk.card_for("r001"))  # a resident's card on the real reader
        on(live, "pin_entry")
        key(pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_RETURN)
        on(live, "remove_card")
        kiosk.slot.remove()
        on(live, "choose_municipality")
        choose_seal_certificate(live, then="collect")  # the fee is waived: no payment
        tap(live, "collect.paper")
        run_until(live, lambda: kiosk.session.state == "idle", frames=20000)
    finally:
        live.close()
    files = sorted(out.glob("*.jsonl"))
    assert len(files) == 1
    text = files[0].read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert {"card": "place", "resident": "field"} in [
        {k: v for k, v in ln.items() if k != "at"} for ln in lines]
    assert lines[-1]["expect_end"]["printed_documents"] == 1
    no_secret_in(files[0])
    bare = subprocess.run([sys.executable, "-m", "kiosk", "replay", str(files[0])],
                          capture_output=True, text=True, timeout=300)
    assert bare.returncode == 2 and "--resident" in bare.stderr
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--resident", "r001",
                          str(files[0])], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
