"""The one theme: colours, sizes and text roles. Sizes are in pixels of the 1280x800 design."""

from __future__ import annotations

BASE_SIZE = (1280, 800)
DPI = 96  # the design's assumed density; 15 mm = 57 px
MIN_TOUCH = 64  # smallest touch target side (>= 15 mm at 96 dpi)

Color = tuple[int, int, int]

BACKGROUND: Color = (244, 246, 248)
SURFACE: Color = (255, 255, 255)
TEXT: Color = (26, 26, 26)
TEXT_MUTED: Color = (84, 92, 102)
TEXT_ON_DARK: Color = (255, 255, 255)
HEADER: Color = (11, 61, 107)
LANG_BAR: Color = (226, 231, 236)
PRIMARY: Color = (0, 103, 192)
PRIMARY_DARK: Color = (0, 72, 140)
SELECTED: Color = (0, 103, 192)
BORDER: Color = (160, 170, 181)
DISABLED: Color = (206, 211, 217)
DISABLED_TEXT: Color = (128, 136, 145)
DANGER: Color = (198, 40, 40)
ALARM: Color = (211, 47, 47)
WARNING_BG: Color = (255, 243, 205)
WARNING_TEXT: Color = (102, 77, 3)
OK: Color = (46, 125, 50)
TRACK: Color = (214, 220, 226)

# Layout of the frame (design pixels)
MARGIN = 32
GAP = 16
HEADER_H = 88
LANG_BAR_H = 88
LANG_BUTTON_H = 64
NAV_H = 88
BANNER_H = 80
NAV_BUTTON_W = 240
PRIMARY_W = 320
LIST_ROW_H = 88
RADIUS = 12
WARN_SECONDS = 30  # show the countdown and "More time" below this many seconds

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

# Tones: (fill, text, border); None = no fill / no border
TONES: dict[str, tuple[Color | None, Color, Color | None]] = {
    "": (None, TEXT, None),
    "muted": (None, TEXT_MUTED, None),
    "header": (HEADER, TEXT_ON_DARK, None),
    "langbar": (LANG_BAR, TEXT, None),
    "card": (SURFACE, TEXT, BORDER),
    "primary": (PRIMARY, TEXT_ON_DARK, PRIMARY_DARK),
    "secondary": (SURFACE, PRIMARY_DARK, PRIMARY),
    "selected": (SELECTED, TEXT_ON_DARK, PRIMARY_DARK),
    "danger": (SURFACE, DANGER, DANGER),
    "disabled": (DISABLED, DISABLED_TEXT, None),
    "alarm": (ALARM, TEXT_ON_DARK, None),
    "warning": (WARNING_BG, WARNING_TEXT, None),
    "error": (None, DANGER, None),
    "ok": (None, OK, None),
}


def scale(size: tuple[int, int]) -> float:
    """How much bigger (or smaller) than the 1280x800 design this screen is."""
    return min(size[0] / BASE_SIZE[0], size[1] / BASE_SIZE[1])
