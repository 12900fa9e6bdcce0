"""The live main loop with a real (dummy-driver) pygame window: keys and taps in, a certificate
out, jobs on the worker thread. Polls frame by frame with a bounded number of frames."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pygame
import pytest

from kiosk.clock import JST, VirtualClock
from kiosk.config import from_data
from kiosk.field.live import LiveKiosk
from kiosk.lab.demo import DemoHands


@pytest.fixture
def live(tmp_path: Path) -> Iterator[LiveKiosk]:
    config = from_data({"printer": {"uri": f"spool:{tmp_path / 'printed'}"},
                        "journal": {"path": str(tmp_path / "journal.sqlite")}})
    # The window runs on wall-clock time in production; here a fixed weekday morning, so the
    # center's opening hours do not depend on when the tests run.
    live = LiveKiosk(config, VirtualClock(datetime(2026, 11, 20, 10, 0, tzinfo=JST)),
                     hands=DemoHands())
    yield live
    live.close()


def run_until(live: LiveKiosk, done: Callable[[], bool], frames: int = 2000) -> None:
    for _ in range(frames):
        live.step()
        if done():
            return
        time.sleep(0.002)  # let the worker thread run; not a timing assertion
    raise AssertionError(f"still on {live.kiosk.session.state}")


def tap(live: LiveKiosk, widget_id: str) -> None:
    live.step()
    widget = live.ui.layout_for().find(widget_id)
    assert widget is not None, f"{widget_id} not on {live.kiosk.session.state}"
    x, y = widget.rect.x + widget.rect.w // 2, widget.rect.y + widget.rect.h // 2
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=(x, y), button=1, touch=False))


def key(k: int) -> None:
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=k, mod=0, unicode="", scancode=0))


def state_is(live: LiveKiosk, name: str) -> Callable[[], bool]:
    return lambda: live.kiosk.session.state == name


def test_a_resident_gets_a_certificate_in_the_window(live: LiveKiosk) -> None:
    tap(live, "idle.start")
    run_until(live, state_is(live, "terms"))
    tap(live, "terms.agree")
    run_until(live, state_is(live, "await_card"))
    key(pygame.K_F1)  # the demo strip's "place r001's card"
    run_until(live, state_is(live, "pin_entry"))
    for k in (pygame.K_1, pygame.K_2, pygame.K_3, pygame.K_4, pygame.K_RETURN):
        key(k)
    run_until(live, state_is(live, "remove_card"))
    key(pygame.K_F12)
    run_until(live, state_is(live, "choose_municipality"))
    tap(live, "choose_municipality.131130")
    run_until(live, state_is(live, "choose_certificate"))
    tap(live, "choose_certificate.inkan")
    run_until(live, state_is(live, "choose_options"))
    tap(live, "choose_options.next")
    run_until(live, state_is(live, "choose_copies"))
    tap(live, "choose_copies.next")
    run_until(live, state_is(live, "confirm"))
    tap(live, "confirm.ok")
    run_until(live, state_is(live, "payment"))
    key(pygame.K_r)  # ¥500 for a ¥200 certificate
    run_until(live, state_is(live, "collect"))
    key(pygame.K_p)
    key(pygame.K_c)
    run_until(live, state_is(live, "thanks"))
    totals = live.kiosk.journal.totals()
    assert (totals.paid, totals.change, totals.printed_documents) == (500, 300, 1)
