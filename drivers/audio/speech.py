"""Speech made at run time: what the screen shows, said in its language on the voice channel.

espeak-ng makes the sound (``--stdout``, the text on its standard input so that it never shows
in a process list). It reads kanji as "Chinese letter", so Japanese is first turned into kana:
easy Japanese by its own readings (``証明書（しょうめいしょ）`` → ``しょうめいしょ``), plain
Japanese by pykakasi. Making a phrase takes espeak-ng some 40 ms, so it runs on a thread of its
own and the main loop plays what is ready (``pump``): the frame never waits. A new phrase
interrupts the last; ``stop`` silences it. The volume is 0–10.

Nothing said is logged: a resident's words may be among it.
"""

from __future__ import annotations

import io
import logging
import queue
import re
import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

import pygame

from drivers.audio import mixer
from drivers.audio.prompts import ESPEAK_VOICES, FALLBACK_LANGUAGE

log = logging.getLogger(__name__)

SPEED = 150  # words per minute, as the prompts
SYNTH_TIMEOUT = 10.0  # seconds espeak-ng may take for one phrase
MAX_TEXT = 2000  # characters of one phrase (a screen's texts are far fewer)
_READING = re.compile(r"([\u3400-\u9fff々〆ヶ]+)（([\u3041-\u30ff\u30fcー]+)）")


def easy_readings(text: str) -> str:
    """Easy Japanese with each bracketed reading in place of its kanji."""
    return _READING.sub(r"\2", text)


@cache
def _kakasi() -> Any:
    import pykakasi  # ~0.3 s to load: on the speech thread, at the first Japanese phrase

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]  # its constructor is untyped


def to_kana(text: str) -> str:
    """Japanese with its kanji read as hiragana (digits, kana and punctuation as they are)."""
    return "".join(part["hira"] for part in _kakasi().convert(text))


def spoken_text(text: str, language: str) -> str:
    """The text as espeak-ng should get it: lines as sentences, Japanese in kana."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    text = ("。" if language.startswith("ja") else ". ").join(lines)[:MAX_TEXT]
    if language == "ja-x-easy":
        text = easy_readings(text)
    if language.startswith("ja"):
        text = to_kana(text)
    return text


@cache
def voice_for(language: str) -> str:
    """espeak-ng's voice for a screen language (English where this espeak-ng has none)."""
    return ESPEAK_VOICES.get(language, ESPEAK_VOICES[FALLBACK_LANGUAGE])


@dataclass(frozen=True)
class _Phrase:
    number: int
    text: str
    language: str


class RuntimeSpeech:
    """The kiosk's voice guidance (``screens.speech.Speaker``)."""

    def __init__(self, volume: int = 6, espeak: str | None = None) -> None:
        self._espeak = espeak or shutil.which("espeak-ng")
        self._number = 0  # the newest phrase asked for: anything older is dropped
        self._lock = threading.Lock()
        self._wanted: queue.Queue[_Phrase | None] = queue.Queue()
        self._ready: tuple[int, bytes] | None = None
        self._volume = volume
        self._thread: threading.Thread | None = None
        if self._espeak is None:
            log.warning("speech: espeak-ng not found (apt-get install espeak-ng): the keypad's "
                        "voice guidance is silent, the screens say the same")

    def say(self, text: str, language: str, personal: bool = False) -> None:
        """Say ``text`` (interrupting what is being said)."""
        with self._lock:
            self._number += 1
            phrase = _Phrase(self._number, text, language)
        if self._espeak is None or not text.strip():
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
            self._thread.start()
        self._wanted.put(phrase)

    def stop(self) -> None:
        with self._lock:
            self._number += 1
            self._ready = None
        if mixer.active():
            mixer.channel(mixer.VOICE_CHANNEL).stop()

    def set_volume(self, level: int) -> None:
        self._volume = max(0, min(10, level))
        if mixer.active():
            mixer.channel(mixer.VOICE_CHANNEL).set_volume(self._volume / 10)

    def pump(self) -> bool:
        """On the main loop: play the newest phrase that is ready; True if one started."""
        with self._lock:
            ready, self._ready = self._ready, None
            if ready is None or ready[0] != self._number:
                return False
        if not mixer.ready():
            return False
        try:
            sound = pygame.mixer.Sound(file=io.BytesIO(ready[1]))
        except Exception as exc:  # pygame.error: espeak-ng wrote something unplayable
            log.warning("speech: cannot play a phrase (%s)", type(exc).__name__)
            return False
        channel = mixer.channel(mixer.VOICE_CHANNEL)
        channel.set_volume(self._volume / 10)
        channel.play(sound)
        return True

    def close(self) -> None:
        self.stop()
        if self._thread is not None:
            self._wanted.put(None)
            self._thread.join(timeout=SYNTH_TIMEOUT)

    def _work(self) -> None:
        while (phrase := self._wanted.get()) is not None:
            if phrase.number != self._number:
                continue  # a newer one is waiting
            wav = self.synthesise(phrase.text, phrase.language)
            with self._lock:
                if wav is not None and phrase.number == self._number:
                    self._ready = (phrase.number, wav)

    def synthesise(self, text: str, language: str) -> bytes | None:
        """The phrase as a WAV (None when espeak-ng fails; logged without the text)."""
        if self._espeak is None:
            return None
        try:
            done = subprocess.run(
                [self._espeak, "-v", voice_for(language), "-s", str(SPEED), "--stdout"],
                input=spoken_text(text, language).encode(), capture_output=True,
                timeout=SYNTH_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            log.warning("speech: espeak-ng failed (%s)", type(exc).__name__)
            return None
        if done.returncode != 0 or not done.stdout.startswith(b"RIFF"):
            log.warning("speech: espeak-ng exited %d", done.returncode)
            return None
        return done.stdout
