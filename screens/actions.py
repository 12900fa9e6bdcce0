"""What a tap does: a kiosk event for the session, or an action the UI keeps to itself (keypad
keys, edits before "Next", the kana keyboard, the language list, text size and contrast)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.vocabulary import events


class LocalAction:
    """An action handled by KioskUI itself: keypad keys and edits before "Next"."""


@dataclass(frozen=True)
class KeyPress(LocalAction):
    key: str  # "0".."9" | "clear" | "ok"


@dataclass(frozen=True)
class EditOption(LocalAction):
    key: str
    value: Any


@dataclass(frozen=True)
class EditCopies(LocalAction):
    copies: int


@dataclass(frozen=True)
class TypeKey(LocalAction):
    """A key of the on-screen kana keyboard (kiosk.vocabulary.keyboard), or "delete"."""

    key: str


@dataclass(frozen=True)
class FocusField(LocalAction):
    """Type into this field of the form next."""

    key: str


@dataclass(frozen=True)
class ShowLanguages(LocalAction):
    """Open (or close) the list of every language, when the bar has no room for them all."""

    open: bool = True


@dataclass(frozen=True)
class ToggleStyle(LocalAction):
    """Switch large text or high contrast for the rest of the visit."""

    name: str  # "large_text" | "high_contrast"


@dataclass(frozen=True)
class AskCancel(LocalAction):
    """Open (or close) the question "Cancel?" that Cancel asks before it cancels."""

    open: bool = True


Action = events.Event | LocalAction
