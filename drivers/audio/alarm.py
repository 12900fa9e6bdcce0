"""The forgotten-card, -paper and -change alarms, escalating while ignored, and the ready chime.

Every tone is synthesised (``drivers.audio.tones``). The alarm does not keep time itself: the
session, on its own (virtual or real) clock, calls ``escalate(seconds_ignored)`` and the alarm
steps up one level every ``STEP_SECONDS``: louder and faster. Without an audio device the state
(``sounding``, ``level``, ``chimes``) still changes, so tests and the replay harness see what
would sound.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from drivers.audio import mixer
from drivers.audio.tones import beep_pattern, chime_pcm

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import AlarmPort

log = logging.getLogger(__name__)

STEP_SECONDS = 5.0


@dataclass(frozen=True)
class Pattern:
    """One alarm's beep: its pitch, and the beep and pause lengths at level 0."""

    freq: float
    beep: float
    pause: float


@dataclass(frozen=True)
class Level:
    """How hard the alarm insists: ``volume`` of full scale, ``pace`` scales beep and pause."""

    volume: float
    pace: float


PATTERNS = {
    "forgotten-card": Pattern(880.0, 0.25, 0.15),
    "forgotten-paper": Pattern(660.0, 0.35, 0.25),
    "forgotten-change": Pattern(784.0, 0.2, 0.2),
}
LEVELS = (Level(0.45, 1.0), Level(0.6, 0.8), Level(0.8, 0.6), Level(0.95, 0.45))
TOP_LEVEL = len(LEVELS) - 1


def level_for(seconds_ignored: float) -> int:
    """The level after ``seconds_ignored``: one step every ``STEP_SECONDS``, up to the top."""
    if math.isnan(seconds_ignored) or seconds_ignored <= 0:
        return 0
    return min(TOP_LEVEL, int(min(seconds_ignored, 1e9) // STEP_SECONDS))


def next_step_after(seconds_ignored: float) -> float | None:
    """When (in seconds ignored) the level next rises, or None at the top: for tick scheduling."""
    level = level_for(seconds_ignored)
    return None if level == TOP_LEVEL else (level + 1) * STEP_SECONDS


def alarm_pcm(kind: str, level: int) -> bytes:
    """One period of alarm ``kind`` at ``level``, as PCM (cached by ``beep_pattern``)."""
    p, lv = PATTERNS[kind], LEVELS[level]
    return beep_pattern(p.freq, p.beep * lv.pace, p.pause * lv.pace, lv.volume)


def beeps_per_second(kind: str, level: int) -> float:
    p, lv = PATTERNS[kind], LEVELS[level]
    return 1.0 / ((p.beep + p.pause) * lv.pace)


class MixerAlarm:
    """AlarmPort: loops the pattern of the alarm that is sounding; also plays the chime."""

    def __init__(self) -> None:
        self.sounding: str | None = None
        self.level = 0
        self.chimes = 0  # how many chimes were asked for (seen by tests and the harness)

    @property
    def volume(self) -> float:
        """The alarm's volume now, 0.0 when silent."""
        return LEVELS[self.level].volume if self.sounding else 0.0

    def sound(self, kind: str) -> None:
        """Start alarm ``kind`` at level 0; the one already sounding just keeps going."""
        if kind not in PATTERNS:
            raise ValueError(f"no alarm called {kind!r}")
        if kind == self.sounding:
            if mixer.ready() and not mixer.channel(mixer.ALARM_CHANNEL).get_busy():
                self._play()
            return
        self.sounding = kind
        self.level = 0
        self._play()

    def escalate(self, seconds_ignored: float) -> int:
        """Set the level from how long the alarm has been ignored; returns the level."""
        if self.sounding is None:
            return self.level
        level = level_for(seconds_ignored)
        if level != self.level:
            self.level = level
            log.info("alarm %s: level %d", self.sounding, level)
            self._play()
        return self.level

    def silence(self) -> None:
        self.sounding = None
        self.level = 0
        if mixer.active():
            mixer.channel(mixer.ALARM_CHANNEL).stop()

    def chime(self) -> None:
        """A short two-tone chime: "your certificate is ready", "take your card"."""
        self.chimes += 1
        if mixer.ready():
            mixer.channel(mixer.CHIME_CHANNEL).play(mixer.pcm_sound("chime", chime_pcm))

    def _play(self) -> None:
        if self.sounding is None or not mixer.ready():
            return
        kind, level = self.sounding, self.level
        sound = mixer.pcm_sound(f"{kind}/{level}", lambda: alarm_pcm(kind, level))
        mixer.channel(mixer.ALARM_CHANNEL).play(sound, loops=-1)


if TYPE_CHECKING:  # mypy holds MixerAlarm to AlarmPort: a drift fails here

    def _conforms_mixer_alarm(alarm: MixerAlarm) -> AlarmPort:
        return alarm
