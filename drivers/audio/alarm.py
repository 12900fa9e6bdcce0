"""The forgotten-card and forgotten-paper alarms through pygame's mixer (SDL audio).

Tones are synthesised at first use, so no sound files are needed. Headless machines set
``SDL_AUDIODRIVER=dummy`` (or ``disk``); a machine with no audio at all logs once and goes on
without sound, because a missing speaker must not stop the kiosk.
"""

from __future__ import annotations

import logging
import math
import struct

log = logging.getLogger(__name__)

RATE = 22050
# kind -> (tone Hz, beep seconds, pause seconds)
PATTERNS = {"forgotten-card": (880.0, 0.25, 0.15), "forgotten-paper": (660.0, 0.35, 0.25)}


def beep_pattern(freq: float, beep: float, pause: float, volume: float = 0.6) -> bytes:
    """One beep and its pause as 16-bit signed mono PCM at ``RATE``."""
    frames = []
    for i in range(int(RATE * beep)):
        envelope = min(1.0, i / 200, (RATE * beep - i) / 200)
        frames.append(int(32767 * volume * envelope * math.sin(2 * math.pi * freq * i / RATE)))
    frames.extend([0] * int(RATE * pause))
    return struct.pack(f"<{len(frames)}h", *frames)


class MixerAlarm:
    """AlarmPort: loops the pattern of the alarm that is sounding."""

    def __init__(self) -> None:
        self.sounding: str | None = None
        self._channel = None
        self._sounds: dict[str, object] = {}
        self._mixer_ok: bool | None = None

    def _mixer(self) -> bool:
        if self._mixer_ok is None:
            try:
                import pygame

                pygame.mixer.init(frequency=RATE, size=-16, channels=1)
                self._mixer_ok = True
            except Exception as exc:  # pygame.error, missing audio device
                log.error("no audio output: alarms are silent (%s)", exc)
                self._mixer_ok = False
        return self._mixer_ok

    def sound(self, kind: str) -> None:
        if kind not in PATTERNS:
            raise ValueError(f"no alarm called {kind!r}")
        self.sounding = kind
        if not self._mixer():
            return
        import pygame

        if kind not in self._sounds:
            self._sounds[kind] = pygame.mixer.Sound(buffer=beep_pattern(*PATTERNS[kind]))
        if self._channel is not None:
            self._channel.stop()
        self._channel = self._sounds[kind].play(loops=-1)

    def silence(self) -> None:
        self.sounding = None
        if self._channel is not None:
            self._channel.stop()
            self._channel = None
