"""Spoken prompts: WAV files made with espeak-ng ahead of time, played on the voice channel.

Prompts live in ``locales/<lang>/voice/<prompt>.wav`` under the repository, or in
``$KIOSK_VOICE_DIR/<lang>/<prompt>.wav``; ``kiosk voice build`` (``main_build_voice``) makes them.
At run time a missing file is logged once and the kiosk stays silent: the screens say the same.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from drivers.audio import mixer
from drivers.audio.prompts import (
    ESPEAK_VOICES,
    FALLBACK_LANGUAGE,
    PROMPT_IDS,
    PROMPTS,
    spoken_language,
)
from kiosk.i18n import locales_dir

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import VoicePort

log = logging.getLogger(__name__)

ESPEAK = "espeak-ng"
SPEED = 150  # words per minute; espeak-ng's 175 is hurried for a kiosk
VOICE_DIR_ENV = "KIOSK_VOICE_DIR"

__all__ = ["PROMPTS", "PROMPT_IDS", "VoiceBuildError", "VoicePlayer", "build_prompts",
           "espeak_voice", "main_build_voice", "prompt_path"]


class VoiceBuildError(RuntimeError):
    """The prompts could not be generated (espeak-ng missing or failing, unknown language)."""


def prompt_path(lang: str, prompt_id: str, root: Path | None = None) -> Path:
    """Where a prompt's WAV is: ``root/<lang>/``, else $KIOSK_VOICE_DIR, else locales."""
    if root is None and os.environ.get(VOICE_DIR_ENV):
        root = Path(os.environ[VOICE_DIR_ENV])
    return _prompt_path(lang, prompt_id, root, locales_dir())


@functools.lru_cache(maxsize=1024)
def _prompt_path(lang: str, prompt_id: str, root: Path | None, locales: Path) -> Path:
    """(said at every screen: made once per language, prompt and folder)"""
    if root is not None:
        return root / lang / f"{prompt_id}.wav"
    return locales / lang / "voice" / f"{prompt_id}.wav"


def _espeak() -> str:
    found = shutil.which(ESPEAK)
    if found is None:
        raise VoiceBuildError(f"{ESPEAK} not found: install the Debian package espeak-ng "
                              "(apt-get install espeak-ng)")
    return found


@cache
def _has_voice(espeak: str, voice: str) -> bool:
    out = subprocess.run([espeak, f"--voices={voice}"], capture_output=True, text=True,
                         timeout=30).stdout
    return len(out.strip().splitlines()) > 1  # a header line, then one line per voice


def espeak_voice(lang: str) -> tuple[str, str | None]:
    """The espeak-ng voice for ``lang``, and a note when it had to fall back to English."""
    voice = ESPEAK_VOICES.get(lang, lang)
    if _has_voice(_espeak(), voice):
        return voice, None
    fallback = ESPEAK_VOICES[FALLBACK_LANGUAGE]
    return fallback, f"{lang}: espeak-ng has no voice {voice!r}; speaking with {fallback!r}"


def _synthesise(espeak: str, voice: str, text: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    cmd = [espeak, "-v", voice, "-s", str(SPEED), "-w", str(tmp), text]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired as exc:
        tmp.unlink(missing_ok=True)
        raise VoiceBuildError(f"{ESPEAK} -v {voice} hung making {path.name}") from exc
    head = tmp.read_bytes()[:12] if tmp.is_file() else b""
    if done.returncode != 0 or head[:4] != b"RIFF" or head[8:12] != b"WAVE" \
            or tmp.stat().st_size <= 44:
        tmp.unlink(missing_ok=True)
        raise VoiceBuildError(f"{ESPEAK} -v {voice} made no WAV for {path.name} "
                              f"(exit {done.returncode}): {done.stderr.strip()}")
    os.replace(tmp, path)
    return path


def build_prompts(out_dir: Path | None = None, languages: Iterable[str] = tuple(PROMPTS),
                  notify: Callable[[str], None] = log.warning) -> list[Path]:
    """Generate every prompt of ``languages`` as ``out_dir/<lang>/<prompt>.wav``.

    ``out_dir`` None means the default place (``prompt_path``). Fallback voices are reported
    through ``notify``.
    """
    languages = list(dict.fromkeys(languages))
    unknown = [lang for lang in languages if lang not in PROMPTS]
    if unknown:
        raise VoiceBuildError(f"no prompt texts for {', '.join(unknown)} "
                              f"(drivers/audio/prompts.py has {', '.join(PROMPTS)})")
    espeak = _espeak()
    jobs: list[tuple[str, str, Path]] = []
    for lang in languages:
        voice, note = espeak_voice(lang)
        if note:
            notify(note)
        for prompt_id in PROMPT_IDS:
            jobs.append((voice, PROMPTS[lang][prompt_id], prompt_path(lang, prompt_id, out_dir)))
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 1)) as pool:
        return list(pool.map(lambda job: _synthesise(espeak, *job), jobs))


class VoicePlayer:
    """Plays prompts on the voice channel; ``stop()`` is the resident's "stop voice" button.

    ``last_spoken`` is the (prompt, language) last asked for while not muted, whether or not a
    file or a speaker was there, so tests and the harness see what the kiosk meant to say.
    """

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.last_spoken: tuple[str, str] | None = None
        self._muted = False
        self._reported: set[str] = set()

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = value
        if value:
            self.stop()

    @property
    def speaking(self) -> bool:
        return mixer.active() and bool(mixer.channel(mixer.VOICE_CHANNEL).get_busy())

    def speak(self, prompt: str, language: str) -> bool:
        """Say ``prompt`` in ``language`` (interrupting any prompt); True if audio started."""
        if self._muted:
            return False
        if prompt not in PROMPT_IDS:  # a bug, but a kiosk mid-payment must not stop for it
            self._once(f"id:{prompt}", "voice: no prompt called %r", prompt)
            return False
        spoken = spoken_language(language)
        if spoken != language:
            self._once(f"lang:{language}", "voice: no prompts in %s; speaking %s", language,
                       spoken)
        self.last_spoken = (prompt, spoken)
        path = prompt_path(spoken, prompt, self.root)
        if not path.is_file():
            self._once(str(path), "voice: %s missing (kiosk voice build)", path)
            return False
        if not mixer.ready():
            return False
        try:
            sound = mixer.file_sound(path)
        except Exception as exc:  # pygame.error: a damaged file must not stop the kiosk
            self._once(str(path), "voice: cannot play %s (%s)", path, exc)
            return False
        mixer.channel(mixer.VOICE_CHANNEL).play(sound)
        return True

    def stop(self) -> None:
        if mixer.active():
            mixer.channel(mixer.VOICE_CHANNEL).stop()

    def _once(self, key: str, message: str, *args: object) -> None:
        if key not in self._reported:
            self._reported.add(key)
            log.warning(message, *args)


def main_build_voice(argv: list[str] | None = None) -> int:
    """``kiosk voice build [--out DIR] [--lang LANG ...]``: generate the prompt WAVs."""
    parser = argparse.ArgumentParser(
        prog="kiosk voice build",
        description="Generate the spoken prompts with espeak-ng "
                    f"(default: locales/<lang>/voice/, or ${VOICE_DIR_ENV}/<lang>/).")
    parser.add_argument("--out", type=Path, help="write DIR/<lang>/<prompt>.wav")
    parser.add_argument("--lang", nargs="+", action="extend", metavar="LANG",
                        help=f"languages (default: all with texts: {' '.join(PROMPTS)})")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2

    def note(message: str) -> None:
        print(f"kiosk voice build: {message}", file=sys.stderr)

    languages = list(dict.fromkeys(args.lang or PROMPTS))
    try:
        paths = build_prompts(args.out, languages, notify=note)
    except VoiceBuildError as exc:
        note(f"error: {exc}")
        return 1
    for path in paths:
        print(path)
    print(f"{len(paths)} prompts generated ({', '.join(languages)})")
    return 0


if TYPE_CHECKING:  # mypy holds VoicePlayer to VoicePort: a drift fails here

    def _conforms_voice_player(player: VoicePlayer) -> VoicePort:
        return player
