"""The physical keypad of a kiosk everyone can use: its keys by name, the pygame keys that send
them, and the focus they move over a screen's tappable widgets.

An ATM-style keypad (or a keyboard) sends ordinary key codes: the arrows and Tab move the
focus, Enter activates it, Back and Cancel are keys of their own, Help repeats the screen's
instructions, + and − set the voice's volume, and the digits type the PIN (elsewhere they move
the focus to the n-th choice). Session files name the keys (``{"key": "down"}``).
"""

from __future__ import annotations

import pygame

from kiosk.vocabulary.keypad import DIGIT_KEYS, KEYPAD_KEYS
from screens import theme
from screens.layout import Layout, Rect, Widget

MOVES = {"up": -1, "left": -1, "shift-tab": -1, "down": 1, "right": 1, "tab": 1}
KEYS = (*KEYPAD_KEYS, "shift-tab", "backspace")  # Shift+Tab and Backspace: a keyboard's

_PYGAME: dict[int, str] = {
    pygame.K_UP: "up", pygame.K_DOWN: "down", pygame.K_LEFT: "left", pygame.K_RIGHT: "right",
    pygame.K_TAB: "tab", pygame.K_RETURN: "enter", pygame.K_KP_ENTER: "enter",
    pygame.K_PAGEUP: "back", pygame.K_ESCAPE: "cancel", pygame.K_HELP: "help",
    pygame.K_h: "help", pygame.K_PLUS: "volume-up", pygame.K_EQUALS: "volume-up",
    pygame.K_KP_PLUS: "volume-up", pygame.K_MINUS: "volume-down",
    pygame.K_KP_MINUS: "volume-down", pygame.K_BACKSPACE: "backspace",
}
_PYGAME.update({getattr(pygame, f"K_{d}"): d for d in DIGIT_KEYS})
_PYGAME.update({getattr(pygame, f"K_KP{d}"): d for d in DIGIT_KEYS})
# Not focus stops: the frame's panels, and widgets a screen reader has no use for
_NOT_STOPS = ("shade",)
_CHROME = ("nav.", "lang.", "ui.", "voice.", "frame.")


def key_name(key: int, mod: int = 0) -> str | None:
    """The keypad key a pygame key is (Shift+Tab: "shift-tab"); None for any other key."""
    name = _PYGAME.get(key)
    if name == "tab" and mod & pygame.KMOD_SHIFT:
        return "shift-tab"
    return name


def focus_order(layout: Layout) -> list[Widget]:
    """The widgets the focus stops at, in reading order (rows top to bottom, then left to
    right). Under a modal dialog (a shade widget) only the dialog's own."""
    return [w for w in layout.in_view() if w.action is not None and w.kind not in _NOT_STOPS]


def first_stop(order: list[Widget]) -> Widget | None:
    """Where the focus starts on a screen: its first choice or button of its own (not the
    frame's Back, Cancel, languages or display buttons); none on a screen that only waits."""
    return next((w for w in order if not w.id.startswith(_CHROME)), None)


def moved(order: list[Widget], current: str | None, step: int) -> Widget | None:
    """The stop ``step`` places from ``current`` (wrapping round); from nowhere, the screen's
    first stop of its own, else its first or last stop."""
    if not order:
        return None
    ids = [w.id for w in order]
    if current not in ids:
        return first_stop(order) or (order[0] if step >= 0 else order[-1])
    return order[(ids.index(current) + step) % len(order)]


def nth_choice(order: list[Widget], digit: str) -> Widget | None:
    """The n-th of the screen's own stops for digit n (1–9, and 0 for the tenth)."""
    own = [w for w in order if not w.id.startswith(_CHROME)]
    n = 10 if digit == "0" else int(digit)
    return own[n - 1] if 0 < n <= len(own) else None


def draw_ring(surface: pygame.Surface, rect: Rect, style: theme.Style, scale: float) -> None:
    """The focus ring: a thick outline in the contrast colour with a thin dark rim inside it,
    seen on any background."""
    outer = max(4, round(6 * scale))
    inner = max(2, round(2 * scale))
    pad = outer
    box = pygame.Rect(rect.x - pad, rect.y - pad, rect.w + 2 * pad, rect.h + 2 * pad)
    ring = theme.YELLOW if style.high_contrast else (255, 138, 0)
    pygame.draw.rect(surface, ring, box, outer, border_radius=outer * 2)
    rim = box.inflate(-2 * outer, -2 * outer)
    pygame.draw.rect(surface, theme.BLACK, rim, inner, border_radius=outer)
