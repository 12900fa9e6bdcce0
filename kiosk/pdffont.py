"""The Japanese font of the kiosk's PDFs (certificates, the operator's test page): IPAex Mincho."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "IPAexMincho"
FONT_PACKAGE = "fonts-ipaexfont-mincho"
FONT_ENV = "KIOSK_MINCHO_FONT"  # a path that overrides the search below
FONT_PATHS = (
    "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf",  # Debian, Ubuntu
    "/usr/share/fonts/truetype/ipaexfont-mincho/ipaexm.ttf",
    "/usr/share/fonts/ipa-ex-mincho/ipaexm.ttf",
    "/usr/share/fonts/ipaexfont-mincho/ipaexm.ttf",
)


class FontMissing(RuntimeError):
    """The Japanese font for certificates is not installed."""


def _font_path() -> Path:
    candidates = [os.environ[FONT_ENV]] if os.environ.get(FONT_ENV) else list(FONT_PATHS)
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise FontMissing(f"IPAex Mincho (ipaexm.ttf) not found in {', '.join(candidates)}: "
                      f"install the Debian package {FONT_PACKAGE} or set {FONT_ENV}")


@functools.cache
def register_font() -> str:
    """Register IPAex Mincho with reportlab once per process; returns the font name."""
    # Binary streams for every reportlab PDF of the process: ASCII85 would only make the PDF
    # 7-bit clean, at a quarter more bytes and (without reportlab's C accelerator) much time.
    rl_config.useA85 = 0
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(_font_path())))
    return FONT_NAME
