"""The keypad-and-voice sessions: a purchase in Japanese and in English with keys alone (no
tap, no pin line, no pointer), and nothing the voice said in them holds the PIN typed."""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402
import pytest  # noqa: E402
from conftest import SESSIONS  # noqa: E402

from kiosk.replay.format import parse_session  # noqa: E402
from kiosk.replay.result import Options  # noqa: E402
from kiosk.replay.runner import Player  # noqa: E402
from screens.ui import KioskUI  # noqa: E402

FILES = ("keys-voice-ja.jsonl", "keys-voice-en.jsonl")
TYPED = ("9876", "1234")  # the wrong PIN, then r001's


class Everything:
    """A speaker that keeps every phrase of the visit (the harness clears its own log)."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str, language: str, personal: bool = False) -> None:
        self.said.append(text)

    def stop(self) -> None:
        return None

    def set_volume(self, level: int) -> None:
        return None

    def pump(self) -> bool:
        return False


@pytest.mark.parametrize("name", FILES)
def test_a_purchase_with_keys_alone_passes_and_never_says_the_pin(name: str,
                                                                   tmp_path: Path) -> None:
    path = SESSIONS / name
    actions = [next(iter(k for k in json.loads(line) if k not in ("at", "within")))
               for line in path.read_text(encoding="utf-8").splitlines()[1:]]
    assert "tap" not in actions and "pin" not in actions and actions.count("key") >= 20
    player = Player(parse_session(path), Options(), tmp_path)
    heard = Everything()
    player._ui = KioskUI(pygame.Surface(tuple(player.kiosk.config.kiosk.screen)),
                         player.kiosk.config.ui, speaker=heard)
    result = player.play()
    assert not result.failures, result.failures
    assert result.totals.orders_completed == 1 and result.totals.change == 600
    text = "\n".join(heard.said)
    for pin in TYPED:
        assert pin not in text and " ".join(pin) not in text
    digit = "One digit entered" if name.endswith("en.jsonl") else "1桁入力しました"
    assert heard.said.count(digit) == 8
