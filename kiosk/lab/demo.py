"""The demo: the kiosk in a window with the lab's hands on the keyboard.

F1–F11 put residents' emulated cards on the reader, F12 lifts the card, Q/W/E/R/T insert coins
and notes, P and C take the paper and the change. A kiosk in service has none of this.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pygame

from drivers.payment.cash_unit import SimulatedCashUnit
from kiosk.app import Kiosk
from kiosk.config import Config, load_config
from kiosk.field.live import FRAME_SECONDS, LiveKiosk
from screens import fonts

log = logging.getLogger(__name__)

DEMO_STRIP = 44

RESIDENT_KEYS = {getattr(pygame, f"K_F{n}"): f"r{n:03d}" for n in range(1, 12)}
COIN_KEYS = {pygame.K_q: 10, pygame.K_w: 50, pygame.K_e: 100, pygame.K_r: 500,
             pygame.K_t: 1000}
TAKE_KEYS = {pygame.K_p: "paper", pygame.K_c: "change"}
DEMO_HELP = ("F1–F11: place card r001–r011   F12: lift card   Q/W/E/R/T: ¥10/50/100/500/1000"
             "   P: take paper   C: take change")


def demo_config(path: Path | None) -> Config:
    """The config file if given, else the embedded default with output under demo-out/."""
    if path is not None:
        return load_config(path)
    return load_config(None, {"printer": {"uri": "spool:demo-out/printed"},
                              "journal": {"path": "demo-out/journal.sqlite"}})


def hardware_key(kiosk: Kiosk, key: int) -> bool:
    """Play the demo's hardware for a key; True when the key was one of them."""
    if (key in RESIDENT_KEYS or key == pygame.K_F12) and kiosk.slot is None:
        log.info("real card readers: put a real card on the reader")
        return True
    if key in RESIDENT_KEYS:
        if kiosk.slot is not None and kiosk.slot.card_present:
            kiosk.remove_card()
        kiosk.place_card(RESIDENT_KEYS[key])
    elif key == pygame.K_F12:
        if kiosk.slot is not None and kiosk.slot.card_present:
            kiosk.remove_card()
    elif key in COIN_KEYS:
        if isinstance(kiosk.cash, SimulatedCashUnit):
            kiosk.cash.insert(COIN_KEYS[key])
        else:  # the emulated devices of kiosk cash lab: the money goes in by their hands
            from kiosk.replay.cash_hands_line import demo_insert, is_serial

            if is_serial(kiosk):
                log.info("cash devices: %s", demo_insert(kiosk, COIN_KEYS[key]))
    elif key in TAKE_KEYS:
        kiosk.take(TAKE_KEYS[key])
    else:
        return False
    return True


def draw_demo_strip(window: pygame.Surface, top: int) -> None:
    width = window.get_width()
    pygame.draw.rect(window, (40, 44, 52), (0, top, width, DEMO_STRIP))
    text = fonts.font(15).render(DEMO_HELP, True, (235, 235, 235))
    window.blit(text, (12, top + (DEMO_STRIP - text.get_height()) // 2))


class DemoHands:
    """The demo's hardware on the keyboard, and the strip that says which key does what."""

    height = DEMO_STRIP

    def key(self, kiosk: Kiosk, key: int) -> bool:
        return hardware_key(kiosk, key)

    def draw(self, window: pygame.Surface, top: int) -> None:
        draw_demo_strip(window, top)


def run_window(config_path: Path | None, record: Path | None = None) -> int:
    """Open the kiosk window and run until it is closed (``record``: kiosk record)."""
    live = LiveKiosk(demo_config(config_path), hands=DemoHands(), record=record)
    try:
        while live.running:
            started = time.monotonic()
            live.step()
            time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - started)))
    finally:
        live.close()
    return 0
