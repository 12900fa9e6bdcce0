"""`kiosk record`: visits played in the real (dummy-driver) window through pygame input events,
recorded, and the recordings replayed by `kiosk replay` to exit 0, with no PIN in them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pygame
import pytest
from test_live import run_until, tap

from kiosk.clock import JST
from kiosk.config import from_data
from kiosk.field.live import LiveKiosk
from kiosk.lab.demo import DemoHands

MORNING = datetime(2026, 11, 20, 10, 0, tzinfo=JST)  # a Friday: the center's towns are open
TYPED_PIN = re.compile(r'"pin": "\d')


class RunningClock:
    """Wall-clock time moved to a fixed weekday morning: deadlines fire as on a real kiosk."""

    def __init__(self, start: datetime) -> None:
        self.start, self.t0 = start, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.t0)


def demo(tmp_path: Path, out: Path, **config: object) -> LiveKiosk:
    data = {"printer": {"uri": f"spool:{tmp_path / 'printed'}"},
            "journal": {"path": str(tmp_path / "journal.sqlite")}, **config}
    return LiveKiosk(from_data(data), RunningClock(MORNING), hands=DemoHands(), record=out)


def key(*keys: int) -> None:
    for k in keys:
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="",
                                             scancode=0))


def on(live: LiveKiosk, name: str) -> None:
    try:
        run_until(live, lambda: live.kiosk.session.state == name)
    except AssertionError:
        raise AssertionError(f"not on {name}: on {live.kiosk.session.state}, saying "
                             f"{live.kiosk.session.view().message}") from None


def sign_in(live: LiveKiosk, wrong_first: bool) -> None:
    tap(live, "idle.start")
    on(live, "terms")
    tap(live, "terms.agree")
    on(live, "await_card")
    key(pygame.K_F1)  # the demo strip: r001's card on the reader
    on(live, "pin_entry")
    if wrong_first:
        key(pygame.K_9, pygame.K_9, pygame.K_9, pygame.K_9, pygame.K_RETURN)
        run_until(live, lambda: live.kiosk.session.view().message == "pin-wrong")
    key(pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_RETURN)
    on(live, "remove_card")
    key(pygame.K_F12)
    on(live, "choose_municipality")


def choose_seal_certificate(live: LiveKiosk, then: str = "payment") -> None:
    tap(live, "choose_municipality.131130")
    on(live, "choose_certificate")
    tap(live, "choose_certificate.inkan")
    on(live, "choose_options")
    tap(live, "choose_options.next")
    on(live, "choose_copies")
    tap(live, "choose_copies.next")
    on(live, "confirm")
    tap(live, "confirm.ok")
    run_until(live, lambda: live.kiosk.session.state == then, frames=20000)


def replay(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "replay", *args],
                          capture_output=True, text=True, timeout=300)


def no_secret_in(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not TYPED_PIN.search(text), text
    for secret in ("1234", "9999", "山田", "宇田川"):  # r001's PIN, a typed one, name, address
        assert secret not in text, f"{secret} in {path}"


@pytest.fixture
def out(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "recorded"


def test_a_visit_recorded_from_the_demo_window_replays_to_exit_0(tmp_path: Path,
                                                                  out: Path) -> None:
    live = demo(tmp_path, out)
    try:
        sign_in(live, wrong_first=True)
        choose_seal_certificate(live)
        key(pygame.K_r)  # ¥500 for a ¥200 certificate
        on(live, "collect")
        key(pygame.K_p, pygame.K_c)  # the paper, then the change
        run_until(live, lambda: live.kiosk.session.state == "idle", frames=20000)
    finally:
        live.close()
    files = sorted(out.glob("*.jsonl"))
    assert len(files) == 1
    lines = [json.loads(line) for line in files[0].read_text().splitlines()]
    assert {"pin": "wrong"} in [{k: v for k, v in ln.items() if k != "at"} for ln in lines]
    assert lines[-1]["expect_end"] == {
        "printed_documents": 1, "printed_pages": 2, "paid": 500, "change": 300, "refunded": 0,
        "orders_completed": 1, "orders_voided": 0, "registrations": 0, "tickets": 0,
        "screen": "idle"}
    no_secret_in(files[0])
    run = replay(str(files[0]))
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]


def test_a_jam_the_kiosk_met_is_recorded_where_the_replay_meets_it(tmp_path: Path) -> None:
    out = tmp_path / "run.jsonl"
    live = demo(tmp_path, out)
    try:
        sign_in(live, wrong_first=False)
        choose_seal_certificate(live)
        live.kiosk.printer.set_state("jam")  # type: ignore[attr-defined]  # the lab's hand
        key(pygame.K_r)
        on(live, "refunding")
        # the refund's payout runs on the worker: the change is taken once it lies in the tray
        run_until(live, lambda: live.kiosk.session.change_in_tray)
        key(pygame.K_c)
        on(live, "out_of_service")
        live.kiosk.printer.set_state("ok")  # type: ignore[attr-defined]
        live.kiosk.printer_cleared()  # the operator clears the jam
        on(live, "idle")
        tap(live, "idle.start")  # a second visit, cancelled on the terms
        on(live, "terms")
        tap(live, "nav.cancel")  # asks first
        tap(live, "cancel.yes")
        on(live, "idle")
    finally:
        live.close()
    text = out.read_text(encoding="utf-8")
    lines = [json.loads(line) for line in text.splitlines()]
    assert any(ln.get("printer") == "jam" for ln in lines)
    assert lines[-1]["expect_end"]["refunded"] == 200 and lines[-1]["expect_end"]["paid"] == 500
    no_secret_in(out)
    run = replay(str(out))
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
