"""pygame's mixer shared by the alarm, the chime and the voice, each on a reserved channel.

The mixer starts at first use. Headless machines set ``SDL_AUDIODRIVER=dummy`` (or ``disk``); a
machine with no audio device at all logs once and every caller goes on without sound, because a
missing speaker must not stop the kiosk. Sounds are loaded through a WAV wrapper, so SDL converts
them to whatever format the mixer was opened with (``pygame.init()`` may have opened it first).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.audio.tones import RATE, to_wav

if TYPE_CHECKING:
    from pygame.mixer import Channel, Sound

log = logging.getLogger(__name__)

ALARM_CHANNEL = 0
CHIME_CHANNEL = 1
VOICE_CHANNEL = 2
RESERVED = 3  # channels 0..2 are never handed out by Sound.play()

_failed = False
_sounds: dict[tuple[object, ...], Sound] = {}


def ready() -> bool:
    """True when the mixer is up (opening it if needed); False, logged once, without audio."""
    global _failed
    if _failed:
        return False
    try:
        import pygame

        if pygame.mixer.get_init() is None:
            pygame.mixer.init(frequency=RATE, size=-16, channels=1)
        if pygame.mixer.get_num_channels() < RESERVED:
            pygame.mixer.set_num_channels(8)
        pygame.mixer.set_reserved(RESERVED)
        return True
    except Exception as exc:  # ImportError, pygame.error: no driver or no device
        log.error("no audio output: alarms, chime and voice are silent (%s)", exc)
        _failed = True
        return False


def active() -> bool:
    """True when the mixer is open; never opens it (for stopping what may be playing)."""
    if _failed:
        return False
    import pygame

    return pygame.mixer.get_init() is not None


def channel(number: int) -> Channel:
    """The reserved ``pygame.mixer.Channel`` (call after ``ready()``)."""
    import pygame

    return pygame.mixer.Channel(number)


def _cached(key: tuple[object, ...], load: Callable[[], Sound]) -> Sound:
    import pygame

    full = (pygame.mixer.get_init(), *key)  # a mixer reopened in another format gets new Sounds
    sound = _sounds.get(full)
    if sound is None:
        sound = _sounds[full] = load()
    return sound


def pcm_sound(key: str, make_pcm: Callable[[], bytes]) -> Sound:
    """A ``pygame.mixer.Sound`` of synthesised PCM, built once per ``key``."""
    import pygame

    return _cached(("pcm", key), lambda: pygame.mixer.Sound(file=io.BytesIO(to_wav(make_pcm()))))


def file_sound(path: Path) -> Sound:
    """A ``pygame.mixer.Sound`` of a WAV file, reloaded when the file changes."""
    import pygame

    stat = path.stat()
    return _cached(("file", str(path), stat.st_mtime_ns, stat.st_size),
                   lambda: pygame.mixer.Sound(file=str(path)))
