"""Speech made at run time (drivers/audio/speech.py): espeak-ng reads what the screen shows,
Japanese turned to kana first, on a thread of its own; the newest phrase wins; the text never
shows in a process list; and it comes out of the audio device."""

from __future__ import annotations

import array
import os
import shutil
import subprocess
import sys
import time
import unicodedata
from pathlib import Path

import pytest

from drivers.audio.speech import RuntimeSpeech, easy_readings, spoken_text, to_kana

ROOT = Path(__file__).resolve().parents[1]
HAS_ESPEAK = shutil.which("espeak-ng") is not None
needs_espeak = pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed (Debian)")


def _has_kanji(text: str) -> bool:
    return any(unicodedata.name(ch, "").startswith("CJK UNIFIED") for ch in text)


def test_japanese_is_read_to_kana_before_espeak_ng_gets_it() -> None:
    text = spoken_text("住民票の写し\n手数料は合計で600円です", "ja")
    assert not _has_kanji(text) and "600" in text and "。" in text
    assert to_kana("暗証番号") == "あんしょうばんごう"


def test_easy_japanese_is_read_by_its_own_readings() -> None:
    assert easy_readings("証明書（しょうめいしょ）を とる") == "しょうめいしょを とる"
    assert spoken_text("手数料（てすうりょう）は 300円（えん）", "ja-x-easy") == \
        "てすうりょうは 300えん"


def test_other_languages_keep_their_text_lines_become_sentences() -> None:
    assert spoken_text("Payment\nStill to pay\n¥300", "en") == "Payment. Still to pay. ¥300"


@needs_espeak
def test_a_phrase_becomes_a_wav_in_japanese_and_english() -> None:
    speech = RuntimeSpeech()
    for text, lang in (("料金は600円です", "ja"), ("Total fee: ¥600", "en"),
                       ("请插入您的卡", "zh-Hans")):
        wav = speech.synthesise(text, lang)
        assert wav is not None and wav.startswith(b"RIFF") and len(wav) > 10_000, lang


@needs_espeak
def test_the_text_goes_to_espeak_ng_on_its_standard_input_not_its_arguments(
        tmp_path: Path) -> None:
    log = tmp_path / "args"
    wrapper = tmp_path / "espeak-wrapper"
    wrapper.write_text(f'#!/bin/sh\necho "$@" > {log}\nexec {shutil.which("espeak-ng")} "$@"\n')
    wrapper.chmod(0o755)
    wav = RuntimeSpeech(espeak=str(wrapper)).synthesise("Registered domicile: Chiyoda", "en")
    assert wav is not None and wav.startswith(b"RIFF")
    assert "Chiyoda" not in log.read_text() and "--stdout" in log.read_text()


@needs_espeak
def test_the_newest_phrase_wins_and_stop_drops_what_is_pending() -> None:
    speech = RuntimeSpeech()
    try:
        for n in range(5):
            speech.say(f"phrase number {n}", "en")
        deadline = time.monotonic() + 20
        while speech._ready is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert speech._ready is not None and speech._ready[0] == speech._number
        speech.stop()
        assert speech._ready is None and speech.pump() is False
    finally:
        speech.close()


def test_without_espeak_ng_the_voice_is_silent_and_says_why(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("drivers.audio.speech.shutil.which", lambda name: None)
    with caplog.at_level("WARNING"):
        speech = RuntimeSpeech()
        speech.say("hello", "en")
        assert speech.synthesise("hello", "en") is None and speech.pump() is False
    assert "apt-get install espeak-ng" in caplog.text and "hello" not in caplog.text
    speech.close()


_PLAY = """
import time
from drivers.audio.speech import RuntimeSpeech
speech = RuntimeSpeech(volume=10)
speech.say("Please take your certificate and your change.", "en")
deadline = time.monotonic() + 20
while not speech.pump() and time.monotonic() < deadline:
    time.sleep(0.01)
time.sleep(1.0)
import pygame
pygame.mixer.quit()
"""


@needs_espeak
def test_a_phrase_comes_out_of_the_audio_device(tmp_path: Path) -> None:
    raw = tmp_path / "out.raw"
    env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(raw),
               PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, "-c", _PLAY], env=env, check=True, timeout=60,
                   capture_output=True)
    samples = array.array("h", raw.read_bytes()[: len(raw.read_bytes()) // 2 * 2])
    assert sum(1 for s in samples if abs(s) > 1000) > 2000  # speech, not silence
