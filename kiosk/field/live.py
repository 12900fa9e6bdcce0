"""The live kiosk in a window: the main loop (the demo adds its "hands": kiosk.lab.demo).

One thread runs this loop: pygame input becomes kiosk events, queued driver and worker events
go to the session, the clock ticks, and the screen is redrawn only when the view changed.
Blocking work runs on the worker thread (ThreadWorker).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Protocol

import pygame

from drivers.audio.speech import RuntimeSpeech
from kiosk.app import Kiosk, build_kiosk
from kiosk.clock import Clock, SystemClock
from kiosk.config import Config
from kiosk.record.recorder import Recorder
from kiosk.vocabulary import events as ev
from screens.ui import KioskUI

log = logging.getLogger(__name__)

FRAME_SECONDS = 1 / 30
TICK_SECONDS = 0.25


class Hands(Protocol):
    """The demo's hands on the keyboard (kiosk.lab.demo); a kiosk in service has none."""

    height: int  # the strip below the screen that shows the keys

    def key(self, kiosk: Kiosk, key: int) -> bool:
        """Play the hardware for a key; True when the key was one of them."""

    def draw(self, window: pygame.Surface, top: int) -> None: ...


class LiveKiosk:
    """The kiosk in a window with the demo strip; ``step`` runs one frame of the main loop."""

    def __init__(self, config: Config, clock: Clock | None = None,
                 hands: Hands | None = None, record: Path | None = None) -> None:
        self.kiosk = build_kiosk(config, clock or SystemClock(), inline=False)
        # kiosk record: session files of what happens here (a .jsonl file, or a file per visit)
        self.recorder = Recorder(self.kiosk, record, per_visit=record.suffix != ".jsonl") \
            if record is not None else None
        self.hands = hands  # the demo strip and its keys play the hardware; never in service
        demo = hands is not None
        width, self.height = config.kiosk.screen
        strip = hands.height if hands else 0
        pygame.display.init()
        flags = pygame.FULLSCREEN if config.kiosk.fullscreen and not demo else 0
        self.window = pygame.display.set_mode((width, self.height + strip), flags)
        pygame.display.set_caption("kiosk (demo)" if demo else "kiosk")
        if flags:
            pygame.mouse.set_visible(False)
        # voice guidance: made at run time, read from the screen; the session's recorded
        # prompts are muted while it speaks, so that two voices never talk at once
        self.speech = RuntimeSpeech(config.ui.volume)
        self.ui = KioskUI(self.window.subsurface((0, 0, width, self.height)), config.ui,
                          speaker=self.speech, on_guidance=self._guidance)
        if hands:
            hands.draw(self.window, self.height)
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
            if (self.hands and event.type == pygame.KEYDOWN
                    and self.hands.key(kiosk, event.key)):
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
            if self.hands:
                self.hands.draw(self.window, self.height)
            pygame.display.flip()

    def _guidance(self, on: bool) -> None:
        self.kiosk.voice.muted = on

    def close(self) -> None:
        self.speech.close()
        if self.recorder is not None:
            self.recorder.close()
        self.kiosk.close()
        pygame.quit()
