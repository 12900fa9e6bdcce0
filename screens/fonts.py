"""Fonts: Noto Sans CJK (found by known paths, then ``fc-match``), cached per size and weight.

Text that Noto Sans CJK cannot draw (Thai, Devanagari, ...) falls through to the next font of
the chain that can. A missing glyph is detected by comparing the character's rendering with that
of U+E000 (a private-use code point no font of the chain maps): ``metrics()`` cannot tell.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import pygame

_NOTO_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk",
)
_CJK = {False: "NotoSansCJK-Regular.ttc", True: "NotoSansCJK-Bold.ttc"}
# Scripts outside Noto Sans CJK, for the languages still to come (fonts-noto-core)
_EXTRA = {
    False: ("NotoSansThai-Regular.ttf", "NotoSansDevanagari-Regular.ttf", "DejaVuSans.ttf"),
    True: ("NotoSansThai-Bold.ttf", "NotoSansDevanagari-Bold.ttf", "DejaVuSans-Bold.ttf"),
}
_EXTRA_DIRS = ("/usr/share/fonts/truetype/noto", "/usr/share/fonts/truetype/dejavu")
_FC_PATTERNS = {
    False: ("Noto Sans CJK JP", "sans-serif:lang=th", "sans-serif:lang=ne"),
    True: ("Noto Sans CJK JP:bold", "sans-serif:lang=th:bold", "sans-serif:lang=ne:bold"),
}
_NOTDEF_PROBE = "\ue000"
_PROBE_SIZE = 24


class FontNotFound(RuntimeError):
    """Noto Sans CJK is not installed (Debian: apt install fonts-noto-cjk)."""


def _fc_match(pattern: str) -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", pattern],
            capture_output=True, text=True, timeout=5, check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out and Path(out).is_file() else None


@cache
def font_chain(bold: bool = False) -> tuple[Path, ...]:
    """The font files tried in order: Noto Sans CJK first, then fonts for other scripts."""
    found: list[Path] = []
    known = [Path(d) / _CJK[bold] for d in _NOTO_DIRS]
    known += [Path(d) / name for d in _EXTRA_DIRS for name in _EXTRA[bold]]
    for path in known:
        if path.is_file() and path not in found:
            found.append(path)
    if not any(p.name == _CJK[bold] for p in found):
        cjk = _fc_match(_FC_PATTERNS[bold][0])
        if cjk is None or "CJK" not in cjk.name:
            if bold:
                return font_chain(False)
            raise FontNotFound("Noto Sans CJK not found: install fonts-noto-cjk")
        found.insert(0, cjk)
    for pattern in _FC_PATTERNS[bold][1:]:
        path = _fc_match(pattern)
        if path is not None and path not in found:
            found.append(path)
    return tuple(found)


@cache
def _open(path: Path, size: int) -> pygame.font.Font:
    return pygame.font.Font(str(path), size)


def _load(path: Path, size: int) -> pygame.font.Font:
    if not pygame.font.get_init():  # never hand out a Font of a font module that was shut
        _open.cache_clear()
        pygame.font.init()
    return _open(path, size)


pygame.register_quit(_open.cache_clear)  # pygame.quit() frees every Font: forget them


def _rendering(font: pygame.font.Font, char: str) -> tuple[tuple[int, int], bytes]:
    surface = font.render(char, True, (0, 0, 0), (255, 255, 255))
    return surface.get_size(), pygame.image.tobytes(surface, "RGB")


@cache
def _notdef(path: Path) -> tuple[tuple[int, int], bytes]:
    return _rendering(_load(path, _PROBE_SIZE), _NOTDEF_PROBE)


@lru_cache(maxsize=4096)
def _has_glyph(path: Path, char: str) -> bool:
    return _rendering(_load(path, _PROBE_SIZE), char) != _notdef(path)


def _drawn_chars(text: str) -> set[str]:
    """The characters that need a glyph (not spaces, controls or format characters)."""
    return {c for c in text
            if not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")}


def _covers(path: Path, text: str) -> bool:
    return all(_has_glyph(path, c) for c in _drawn_chars(text))


def font_file(text: str = "", bold: bool = False) -> Path:
    """The first font of the chain that can draw all of ``text`` (else the first of the chain)."""
    chain = font_chain(bold)
    return next((p for p in chain if _covers(p, text)), chain[0])


def font(size: int, bold: bool = False, text: str = "") -> pygame.font.Font:
    """A cached Font of ``size`` px able to draw ``text`` when any font of the chain can."""
    return _load(font_file(text, bold), max(1, int(size)))


def has_glyphs(text: str, bold: bool = False) -> bool:
    """True when the font chosen for ``text`` draws every character of it (no tofu)."""
    return _covers(font_file(text, bold), text)
