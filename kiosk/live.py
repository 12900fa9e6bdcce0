"""The live kiosk in a window: the main loop, and the demo's "hardware" on the keyboard.

One thread runs this loop: pygame input becomes kiosk events, queued driver and worker events
go to the session, the clock ticks, and the screen is redrawn only when the view changed.
Blocking work runs on the worker thread (ThreadWorker).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import pygame

from kiosk import events as ev
from kiosk.app import Kiosk, build_kiosk
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config, load_config
from screens import fonts
from screens.ui import KioskUI

log = logging.getLogger(__name__)

FRAME_SECONDS = 1 / 30
TICK_SECONDS = 0.25
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
        kiosk.cash.insert(COIN_KEYS[key])
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


class LiveKiosk:
    """The kiosk in a window with the demo strip; ``step`` runs one frame of the main loop."""

    def __init__(self, config: Config, clock: Clock | None = None, demo: bool = True) -> None:
        self.kiosk = build_kiosk(config, clock or SystemClock(), inline=False)
        self.demo = demo  # the demo strip and its keys play the hardware; never in service
        width, self.height = config.kiosk.screen
        strip = DEMO_STRIP if demo else 0
        pygame.display.init()
        flags = pygame.FULLSCREEN if config.kiosk.fullscreen and not demo else 0
        self.window = pygame.display.set_mode((width, self.height + strip), flags)
        pygame.display.set_caption("kiosk (demo)" if demo else "kiosk")
        if flags:
            pygame.mouse.set_visible(False)
        self.ui = KioskUI(self.window.subsurface((0, 0, width, self.height)), config.ui)
        if demo:
            draw_demo_strip(self.window, self.height)
        self.next_tick = 0.0
        self.running = True

    def step(self) -> None:
        """Input to events, events to the session, a tick now and then, redraw on change."""
        now = time.monotonic()
        kiosk = self.kiosk
        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                self.running = False
                return
            if self.demo and event.type == pygame.KEYDOWN and hardware_key(kiosk, event.key):
                continue
            action = self.ui.handle(event)
            if isinstance(action, ev.Take):
                kiosk.take(action.what)
            elif action is not None:
                kiosk.post(action)
        if now >= self.next_tick:
            kiosk.post(ev.Tick(kiosk.clock.now()))
            self.next_tick = now + TICK_SECONDS
        kiosk.pump()
        if self.ui.render(kiosk.session.view()):
            if self.demo:
                draw_demo_strip(self.window, self.height)
            pygame.display.flip()

    def close(self) -> None:
        self.kiosk.close()
        pygame.quit()


def run_window(config_path: Path | None) -> int:
    """Open the kiosk window and run until it is closed."""
    live = LiveKiosk(demo_config(config_path))
    try:
        while live.running:
            started = time.monotonic()
            live.step()
            time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - started)))
    finally:
        live.close()
    return 0
