"""The alarm, the chime and the voice: what comes out of SDL's disk audio driver, and the rules.

Every check that listens runs in its own interpreter (this file run as a script, one scenario
each, all at once) with ``SDL_AUDIODRIVER=disk``: the driver must be chosen before the mixer
opens, and this test process may have opened it already.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import time
import unicodedata
import wave
from array import array
from pathlib import Path

import pytest

from drivers.audio import alarm as alarm_mod
from drivers.audio.alarm import LEVELS, STEP_SECONDS, MixerAlarm, level_for, next_step_after
from drivers.audio.prompts import ESPEAK_VOICES, PROMPT_IDS, PROMPTS
from drivers.audio.tones import RATE, chime_pcm, to_wav
from drivers.audio.voice import (
    VoiceBuildError,
    VoicePlayer,
    build_prompts,
    espeak_voice,
    main_build_voice,
    prompt_path,
)
from kiosk.vocabulary.view import LANGUAGES

ROOT = Path(__file__).resolve().parents[1]
HAS_ESPEAK = shutil.which("espeak-ng") is not None
QUIET = 300  # |sample| below this is silence (the beeps' fade is 200 samples long)


# ---------------------------------------------------------------- scenarios (in a subprocess)
class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _scenario(name: str, work: Path) -> dict[str, object]:
    import pygame

    result: dict[str, object] = {}
    alarm = MixerAlarm()
    if name == "alarm":
        alarm.sound("forgotten-card")
        time.sleep(0.6)
        alarm.silence()
        time.sleep(0.5)
    elif name == "escalate":
        alarm.sound("forgotten-card")
        time.sleep(0.7)
        result["level"] = alarm.escalate(3 * STEP_SECONDS + 1)
        time.sleep(0.6)
        alarm.silence()
    elif name == "chime":
        alarm.chime()
        time.sleep(1.3)
    elif name == "voice":
        player = VoicePlayer(work / "voice")
        result["started"] = player.speak("insert-card", "en")
        time.sleep(0.4)
        result["speaking_before"] = player.speaking
        player.stop()
        result["speaking_after"] = player.speaking
        time.sleep(0.6)
    elif name == "nodevice":
        handler = _Collect()
        logging.getLogger("drivers").addHandler(handler)
        alarm.sound("forgotten-paper")
        alarm.escalate(11)
        alarm.chime()
        result["state"] = [alarm.sounding, alarm.level, alarm.chimes]
        player = VoicePlayer(work / "voice")
        result["spoke"] = player.speak("insert-card", "en")
        result["last_spoken"] = player.last_spoken
        alarm.silence()
        alarm.sound("forgotten-card")
        result["after"] = [alarm.sounding, alarm.level]
        result["errors"] = [m for m in handler.messages if "no audio output" in m]
        return result
    result["format"] = pygame.mixer.get_init()
    pygame.mixer.quit()  # closes (and flushes) the disk audio file
    return result


def _run_scenarios(tmp: Path, names: list[str]) -> dict[str, tuple[dict, array]]:
    voice = tmp / "voice" / "en"
    voice.mkdir(parents=True)
    # a two-second "prompt", so that play and stop do not depend on espeak-ng
    pcm = b"".join(alarm_mod.beep_pattern(523.0, 0.5, 0.0, 0.5) for _ in range(4))
    (voice / "insert-card.wav").write_bytes(to_wav(pcm))
    procs = {}
    for name in names:
        env = dict(os.environ, SDL_AUDIODRIVER="disk", SDL_DISKAUDIOFILE=str(tmp / f"{name}.raw"),
                   PYTHONPATH=str(ROOT))
        if name == "nodevice":
            env["SDL_AUDIODRIVER"] = "no-such-driver"
        procs[name] = subprocess.Popen([sys.executable, __file__, name, str(tmp)], env=env,
                                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       text=True)
    results = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        raw = tmp / f"{name}.raw"
        samples = array("h", raw.read_bytes() if raw.exists() else b"")
        if sys.byteorder == "big":
            samples.byteswap()
        results[name] = (json.loads(out.splitlines()[-1]), samples)
    return results


@pytest.fixture(scope="module")
def heard(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict, array]]:
    """What each scenario printed, and the samples SDL's disk driver wrote for it."""
    return _run_scenarios(tmp_path_factory.mktemp("audio"),
                          ["alarm", "escalate", "chime", "voice", "nodevice"])


def beeps(samples: array, gap: int = 100) -> list[tuple[int, int, int]]:
    """Runs of sound separated by more than ``gap`` quiet samples: (start, end, peak)."""
    found: list[tuple[int, int, int]] = []
    start = last = peak = -1
    for i, s in enumerate(samples):
        if abs(s) < QUIET:
            continue
        if start < 0 or i - last > gap:
            if start >= 0:
                found.append((start, last, peak))
            start, peak = i, 0
        last, peak = i, max(peak, abs(s))
    if start >= 0:
        found.append((start, last, peak))
    return found


def trailing_quiet(samples: array) -> int:
    n = 0
    for s in reversed(samples):
        if abs(s) >= QUIET:
            break
        n += 1
    return n


def _mono_22050(result: dict) -> None:
    assert result["format"] == [RATE, -16, 1]


# ---------------------------------------------------------------- what comes out of the speaker
def test_an_alarm_makes_sound_and_silence_stops_it(heard: dict) -> None:
    result, samples = heard["alarm"]
    _mono_22050(result)
    assert len(beeps(samples)) >= 2  # 0.6 s of a 0.4 s period
    # after silence(): 0.5 s of nothing, much longer than the pattern's pause (0.15 s)
    assert trailing_quiet(samples) > 0.3 * RATE


def test_an_ignored_alarm_gets_louder_and_faster(heard: dict) -> None:
    result, samples = heard["escalate"]
    _mono_22050(result)
    assert result["level"] == 3
    found = beeps(samples)
    assert len(found) >= 5
    first, last = found[0][2], found[-1][2]
    assert first == pytest.approx(LEVELS[0].volume * 32767, rel=0.05)
    assert last == pytest.approx(LEVELS[3].volume * 32767, rel=0.05)
    early = found[1][0] - found[0][0]
    late = found[-1][0] - found[-2][0]
    assert early == pytest.approx(0.4 * RATE, rel=0.05)
    assert late < 0.6 * early


def test_the_chime_is_two_tones_and_ends(heard: dict) -> None:
    result, samples = heard["chime"]
    _mono_22050(result)
    loud = [i for i, s in enumerate(samples) if abs(s) >= QUIET]
    assert loud and max(abs(s) for s in samples) > 8000
    start = loud[0]

    def crossings(a: int, b: int) -> int:
        part = samples[start + a:start + b]
        return sum(1 for x, y in zip(part, part[1:], strict=False) if (x < 0) != (y < 0))

    # zero crossings over 0.1 s: ~264 for E6, ~209 for C6 (plus a little from the octave)
    high, low = crossings(int(0.1 * RATE), int(0.2 * RATE)), crossings(
        int(0.6 * RATE), int(0.7 * RATE))
    assert high > low * 1.15
    assert trailing_quiet(samples) > 0.05 * RATE


def test_the_voice_plays_and_stop_stops_it(heard: dict) -> None:
    result, samples = heard["voice"]
    _mono_22050(result)
    assert result["started"] and result["speaking_before"] and not result["speaking_after"]
    assert beeps(samples)
    assert trailing_quiet(samples) > 0.3 * RATE  # the 2 s prompt was cut after 0.4 s


def test_without_an_audio_device_state_goes_on_and_it_is_logged_once(heard: dict) -> None:
    result, samples = heard["nodevice"]
    assert result["state"] == ["forgotten-paper", 2, 1]
    assert result["spoke"] is False and result["last_spoken"] == ["insert-card", "en"]
    assert result["after"] == ["forgotten-card", 0]
    assert len(result["errors"]) == 1
    assert len(samples) == 0


# ---------------------------------------------------------------- the alarm's rules
def test_escalation_steps_every_five_seconds_up_to_level_three() -> None:
    assert [level_for(s) for s in (-1, 0, 4.9, 5, 9.9, 10, 15, 600, float("inf"))] == \
        [0, 0, 0, 1, 1, 2, 3, 3, 3]
    assert level_for(float("nan")) == 0
    assert [next_step_after(s) for s in (0, 7, 14, 15)] == [5.0, 10.0, 15.0, None]
    volumes = [lv.volume for lv in LEVELS]
    rates = [alarm_mod.beeps_per_second("forgotten-card", n) for n in range(len(LEVELS))]
    assert volumes == sorted(volumes) and len(set(volumes)) == len(volumes)
    assert rates == sorted(rates) and len(set(rates)) == len(rates)


def test_escalate_follows_the_time_ignored_and_a_new_alarm_starts_over() -> None:
    alarm = MixerAlarm()
    assert alarm.escalate(20) == 0 and alarm.volume == 0.0  # nothing sounding: nothing to raise
    alarm.sound("forgotten-card")
    assert (alarm.level, alarm.volume) == (0, LEVELS[0].volume)
    assert alarm.escalate(6) == 1
    alarm.sound("forgotten-card")  # the same alarm again keeps its level
    assert alarm.level == 1
    assert alarm.escalate(16) == 3 and alarm.volume == LEVELS[3].volume
    alarm.sound("forgotten-change")
    assert (alarm.sounding, alarm.level) == ("forgotten-change", 0)
    alarm.silence()
    assert (alarm.sounding, alarm.level, alarm.volume) == (None, 0, 0.0)
    with pytest.raises(ValueError):
        alarm.sound("fire")


def test_tones_are_synthesised_once_as_16_bit_pcm() -> None:
    pcm = alarm_mod.alarm_pcm("forgotten-paper", 2)
    assert len(pcm) == 2 * (int(RATE * 0.35 * 0.6) + int(RATE * 0.25 * 0.6))
    assert alarm_mod.alarm_pcm("forgotten-paper", 2) is pcm
    assert chime_pcm() is chime_pcm()
    wav = to_wav(chime_pcm())
    assert wav[:4] == b"RIFF" and wav[8:12] == b"WAVE" and len(wav) == 44 + len(chime_pcm())


# ---------------------------------------------------------------- the prompts
def test_every_language_has_every_prompt_and_a_voice() -> None:
    assert set(ESPEAK_VOICES) == set(LANGUAGES)
    for lang, table in PROMPTS.items():
        assert tuple(table) == PROMPT_IDS, lang
        assert all(text.strip() and not text.startswith("-") for text in table.values())


def test_japanese_prompts_are_kana_only() -> None:
    for prompt_id, text in PROMPTS["ja"].items():
        for ch in text:
            name = unicodedata.name(ch)
            assert name.startswith(("HIRAGANA", "KATAKANA")) or ch in " 、。ー", (prompt_id, ch)


def test_prompts_live_under_locales_unless_kiosk_voice_dir(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.delenv("KIOSK_VOICE_DIR", raising=False)
    monkeypatch.delenv("KIOSK_LOCALES", raising=False)
    assert prompt_path("ja", "thanks") == ROOT / "locales" / "ja" / "voice" / "thanks.wav"
    monkeypatch.setenv("KIOSK_VOICE_DIR", str(tmp_path))
    assert prompt_path("ja", "thanks") == tmp_path / "ja" / "thanks.wav"
    assert prompt_path("en", "error", tmp_path / "x") == tmp_path / "x" / "en" / "error.wav"


def test_a_missing_prompt_is_logged_once_and_silent(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    player = VoicePlayer(tmp_path)
    with caplog.at_level(logging.WARNING, logger="drivers.audio.voice"):
        assert player.speak("thanks", "ja") is False
        assert player.speak("thanks", "ja") is False
        assert player.speak("thanks", "xx") is False  # a language without texts: English
    assert player.last_spoken == ("thanks", "en")
    assert sum("missing" in r.getMessage() for r in caplog.records) == 2  # ja, en: once each
    player.muted = True
    player.speak("error", "en")
    assert player.last_spoken == ("thanks", "en")
    player.muted = False
    with caplog.at_level(logging.WARNING, logger="drivers.audio.voice"):
        assert player.speak("hello", "en") is False
    assert "no prompt called 'hello'" in caplog.text and player.last_spoken == ("thanks", "en")


def test_the_session_only_says_prompts_that_exist() -> None:
    from kiosk.services.registry import all_states

    spoken_on_entry = {info.prompt for info in all_states().values() if info.prompt}
    assert spoken_on_entry | set(alarm_mod.PATTERNS) <= set(PROMPT_IDS)


def test_without_espeak_the_error_names_the_debian_package(monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(VoiceBuildError, match="apt-get install espeak-ng"):
        build_prompts(tmp_path / "out", ["en"])
    assert main_build_voice(["--out", str(tmp_path / "out"), "--lang", "en"]) == 1


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed (Debian: espeak-ng)")
def test_build_prompts_writes_a_wav_per_prompt_and_language(tmp_path: Path) -> None:
    paths = build_prompts(tmp_path, ["ja", "en"])
    assert sorted(paths) == sorted(tmp_path / lang / f"{p}.wav"
                                   for lang in ("ja", "en") for p in PROMPT_IDS)
    for path in paths:
        head = path.read_bytes()[:12]
        assert head[:4] == b"RIFF" and head[8:12] == b"WAVE", path
        with wave.open(str(path)) as w:
            assert w.getsampwidth() == 2 and w.getnframes() > 0.5 * w.getframerate(), path
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed (Debian: espeak-ng)")
def test_kiosk_voice_build_prints_what_it_made(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main_build_voice(["--out", str(tmp_path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert str(tmp_path / "en" / "thanks.wav") in out and f"{len(PROMPT_IDS)} prompts" in out
    assert main_build_voice(["--out", str(tmp_path), "--lang", "xx"]) == 1
    assert "no prompt texts for xx" in capsys.readouterr().err


@pytest.mark.skipif(not HAS_ESPEAK, reason="espeak-ng is not installed (Debian: espeak-ng)")
def test_a_language_without_an_espeak_voice_falls_back_to_english() -> None:
    assert espeak_voice("ja") == ("ja", None)
    voice, note = espeak_voice("tl")  # Debian 12's espeak-ng has no Tagalog
    assert voice == "en" and note is not None and "tl" in note


if __name__ == "__main__":
    print(json.dumps(_scenario(sys.argv[1], Path(sys.argv[2]))))
