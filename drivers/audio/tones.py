"""Tones synthesised in code: 16-bit signed mono PCM at ``RATE``, cached, no sound files.

Pure functions of their arguments (no pygame), so the same bytes serve the mixer, the tests and
a WAV file.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from array import array
from collections.abc import Iterable
from functools import cache

RATE = 22050
FULL_SCALE = 32767
RAMP = 200  # samples of fade in and out, so a beep starts and stops without a click


def pack(samples: Iterable[float]) -> bytes:
    """Samples in -1.0..1.0 as 16-bit signed little-endian PCM."""
    pcm = array("h", (int(FULL_SCALE * max(-1.0, min(1.0, s))) for s in samples))
    if sys.byteorder == "big":
        pcm.byteswap()
    return pcm.tobytes()


def silence_pcm(seconds: float) -> bytes:
    return bytes(2 * int(RATE * seconds))


def _beep(freq: float, seconds: float, volume: float) -> Iterable[float]:
    n = int(RATE * seconds)
    step = 2 * math.pi * freq / RATE
    for i in range(n):
        envelope = min(1.0, i / RAMP, (n - i) / RAMP)
        yield volume * envelope * math.sin(step * i)


@cache
def beep_pattern(freq: float, beep: float, pause: float, volume: float = 0.6) -> bytes:
    """One beep of ``beep`` seconds at ``freq`` Hz, then ``pause`` seconds of silence."""
    return pack(_beep(freq, beep, volume)) + silence_pcm(pause)


def _bell(freq: float, seconds: float, volume: float) -> Iterable[float]:
    """A soft struck tone: fundamental plus a quiet octave, decaying exponentially."""
    n = int(RATE * seconds)
    step = 2 * math.pi * freq / RATE
    decay = 4.0 / n  # about -35 dB by the end
    for i in range(n):
        envelope = min(1.0, i / RAMP) * math.exp(-decay * i)
        yield volume * envelope * (0.8 * math.sin(step * i) + 0.2 * math.sin(2 * step * i))


@cache
def chime_pcm(high: float = 1318.5, low: float = 1046.5, volume: float = 0.5) -> bytes:
    """The two-tone "ready" chime: E6 then C6, about a second in all."""
    return pack(_bell(high, 0.45, volume)) + pack(_bell(low, 0.7, volume)) + silence_pcm(0.05)


def to_wav(pcm: bytes, rate: int = RATE) -> bytes:
    """16-bit mono PCM wrapped in a RIFF/WAVE header."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm)
    return buf.getvalue()
