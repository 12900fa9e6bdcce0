"""The theme: palettes (normal, high contrast), sizes and text roles, scaled from a 1280x800 design.

Design pixels are scaled by ``scale(size)``; touch targets never go below 15 mm at the configured
DPI (``Style.min_touch``), whatever the screen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

BASE_SIZE = (1280, 800)
DPI = 96.0  # the default density ([ui] dpi)
TOUCH_MM = 15.0  # the smallest touch target side
MIN_TOUCH = 64  # the design's smallest touch target (design px); at least TOUCH_MM besides
LARGE_TEXT = 1.4  # text size factor of "large text"

Color = tuple[int, int, int]


@dataclass(frozen=True)
class Palette:
    """The colours painters use besides the tones."""

    background: Color
    surface: Color
    text: Color
    text_muted: Color
    header: Color
    primary: Color
    border: Color
    track: Color
    ok: Color
    danger: Color
    gold: Color
    gold_dark: Color


NORMAL = Palette(
    background=(244, 246, 248), surface=(255, 255, 255), text=(26, 26, 26),
    text_muted=(84, 92, 102), header=(11, 61, 107), primary=(0, 103, 192),
    border=(160, 170, 181), track=(214, 220, 226), ok=(46, 125, 50), danger=(198, 40, 40),
    gold=(212, 175, 55), gold_dark=(150, 115, 20),
)
BLACK, WHITE, YELLOW = (0, 0, 0), (255, 255, 255), (255, 221, 0)
HIGH_CONTRAST = Palette(
    background=BLACK, surface=BLACK, text=WHITE, text_muted=WHITE, header=BLACK,
    primary=YELLOW, border=WHITE, track=(90, 90, 90), ok=YELLOW, danger=YELLOW, gold=YELLOW,
    gold_dark=WHITE,
)

# Kept for callers that want the plain colours
BACKGROUND, SURFACE, TEXT = NORMAL.background, NORMAL.surface, NORMAL.text
TEXT_ON_DARK: Color = (255, 255, 255)
PRIMARY, PRIMARY_DARK = NORMAL.primary, (0, 72, 140)

# Layout of the frame (design pixels)
MARGIN = 32
GAP = 16
HEADER_H = 88
LANG_BAR_H = 88
LANG_BUTTON_H = 64
NAV_H = 88
BANNER_H = 80
NAV_BUTTON_W = 240
BAR_BUTTON_W = 176  # the small buttons of the bottom bar (large text, high contrast)
PRIMARY_W = 320
LIST_ROW_H = 88
RADIUS = 12
WARN_SECONDS = 20  # "Need more time?" from this many seconds before the timeout

# Text roles: (design size in px, bold)
ROLES: dict[str, tuple[int, bool]] = {
    "title": (40, True),
    "hero": (52, True),
    "heading": (36, True),
    "body": (30, False),
    "button": (32, True),
    "big": (96, True),
    "key": (48, True),
    "small": (24, False),
}
MIN_TEXT = 18  # text is shrunk to fit its box, never below this (design px)
MIN_WORD_TEXT = 15  # a word wider than its box at MIN_TEXT is set smaller, down to this, not cut

Tone = tuple[Color | None, Color, Color | None]  # (fill, text, border); None = none

TONES: dict[str, Tone] = {
    "": (None, NORMAL.text, None),
    "muted": (None, NORMAL.text_muted, None),
    "header": (NORMAL.header, TEXT_ON_DARK, None),
    "langbar": ((226, 231, 236), NORMAL.text, None),
    "card": (NORMAL.surface, NORMAL.text, NORMAL.border),
    "primary": (PRIMARY, TEXT_ON_DARK, PRIMARY_DARK),
    "secondary": (NORMAL.surface, PRIMARY_DARK, PRIMARY),
    "selected": (PRIMARY, TEXT_ON_DARK, PRIMARY_DARK),
    "danger": (NORMAL.surface, NORMAL.danger, NORMAL.danger),
    "disabled": ((206, 211, 217), (110, 118, 128), None),
    "alarm": ((211, 47, 47), TEXT_ON_DARK, None),
    "warning": ((255, 243, 205), (102, 77, 3), None),
    "error": (None, NORMAL.danger, None),
    "ok": (None, NORMAL.ok, None),
    "dialog": (NORMAL.surface, NORMAL.text, PRIMARY),
}
HC_TONES: dict[str, Tone] = {
    "": (None, WHITE, None),
    "muted": (None, WHITE, None),
    "header": (BLACK, YELLOW, None),
    "langbar": (BLACK, WHITE, None),
    "card": (BLACK, WHITE, WHITE),
    "primary": (YELLOW, BLACK, YELLOW),
    "secondary": (BLACK, YELLOW, YELLOW),
    "selected": (WHITE, BLACK, WHITE),
    "danger": (BLACK, YELLOW, WHITE),
    "disabled": (BLACK, (150, 150, 150), (150, 150, 150)),
    "alarm": (YELLOW, BLACK, None),
    "warning": (BLACK, YELLOW, YELLOW),
    "error": (None, YELLOW, None),
    "ok": (None, YELLOW, None),
    "dialog": (BLACK, WHITE, YELLOW),
}


@dataclass(frozen=True)
class Style:
    """How the resident wants the screen: text size, contrast; and the screen's density."""

    large_text: bool = False
    high_contrast: bool = False
    dpi: float = DPI

    @property
    def palette(self) -> Palette:
        return HIGH_CONTRAST if self.high_contrast else NORMAL

    @property
    def tones(self) -> dict[str, Tone]:
        return HC_TONES if self.high_contrast else TONES

    @property
    def text_scale(self) -> float:
        return LARGE_TEXT if self.large_text else 1.0

    @property
    def min_touch(self) -> int:
        """The smallest touch target side in pixels: 15 mm at this DPI."""
        return min_touch(self.dpi)


DEFAULT_STYLE = Style()


def min_touch(dpi: float) -> int:
    """15 mm in pixels at ``dpi``."""
    return math.ceil(dpi * TOUCH_MM / 25.4)


def scale(size: tuple[int, int]) -> float:
    """How much bigger (or smaller) than the 1280x800 design this screen is."""
    return min(size[0] / BASE_SIZE[0], size[1] / BASE_SIZE[1])

