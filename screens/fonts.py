"""Fonts: a fallback chain per script, text split into runs by the font that can draw each part.

Japanese, Chinese and Korean start with Noto Sans CJK (``fonts-noto-cjk``); Thai with Noto Sans
Thai, Nepali with Noto Sans Devanagari, every other language with Noto Sans (Latin with full
Vietnamese diacritics) — those three from Debian ``fonts-noto-core``. Each character is drawn by
the first font of the language's chain that has it (a run keeps its font while the font can), so
mixed text ("¥1,200" in Thai) never shows tofu when any installed font has the glyph. A missing
glyph is detected by comparing the character's rendering with that of U+E000 (a private-use code
point no font of the chain maps): ``metrics()`` cannot tell. Fonts are cached per file and size.

The CJK collection holds one face per region (JP, KR, SC, TC, HK): Chinese and Korean are drawn
with their own letterforms (直, 骨, 入 differ). ``pygame.font`` opens only face 0 (JP), so CJK
text is drawn with ``pygame.freetype``, which opens any face: one Font per face and weight serves
every size (an SDL_ttf CJK Font costs ~2 MB per size), and its metrics match SDL_ttf's.
"""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from functools import cache, lru_cache
from pathlib import Path

import pygame
import pygame.freetype

_CJK_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian fonts-noto-cjk
    "/usr/share/fonts/noto-cjk",  # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk",
)
_CORE_DIRS = (
    "/usr/share/fonts/truetype/noto",  # Debian fonts-noto-core
    "/usr/share/fonts/noto",
    "/usr/share/fonts/google-noto",
)
# script -> (regular, bold) file names, the folders to look in, and the fc-match family
_FILES: dict[str, tuple[tuple[str, str], tuple[str, ...], str]] = {
    "cjk": (("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc"), _CJK_DIRS, "Noto Sans CJK JP"),
    "latin": (("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"), _CORE_DIRS, "Noto Sans"),
    "thai": (("NotoSansThai-Regular.ttf", "NotoSansThai-Bold.ttf"), _CORE_DIRS,
             "Noto Sans Thai"),
    "deva": (("NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf"), _CORE_DIRS,
             "Noto Sans Devanagari"),
    "dejavu": (("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"), ("/usr/share/fonts/truetype/dejavu",),
               "DejaVu Sans"),
}
_ORDER = {
    "cjk": ("cjk", "latin", "thai", "deva", "dejavu"),
    "latin": ("latin", "cjk", "thai", "deva", "dejavu"),
    "thai": ("thai", "latin", "cjk", "deva", "dejavu"),
    "deva": ("deva", "latin", "cjk", "thai", "dejavu"),
}
_SCRIPT_OF_LANG = {"ja": "cjk", "zh": "cjk", "ko": "cjk", "th": "thai", "ne": "deva"}
# the face of the CJK collection per language (fc-query NotoSansCJK-Regular.ttc): JP is face 0
CJK_FACES = {"ja": 0, "ko": 1, "zh-hans": 2, "zh-cn": 2, "zh-sg": 2, "zh": 2, "zh-hant": 3,
             "zh-tw": 3, "zh-hk": 4, "zh-mo": 4}
_HB_SCRIPT = {"thai": "Thai", "deva": "Deva"}  # HarfBuzz script tags for shaping
_NOTDEF_PROBE = "\ue000"
_PROBE_SIZE = 24

Run = tuple[Path, str]


class FontNotFound(RuntimeError):
    """Noto Sans CJK is not installed (Debian: apt install fonts-noto-cjk)."""


def script_of(lang: str) -> str:
    """The script a language is mostly written in: cjk, thai, deva or latin."""
    return _SCRIPT_OF_LANG.get(lang.split("-")[0].lower(), "latin")


def cjk_face(lang: str) -> int:
    """The index of ``lang``'s face in the Noto CJK collection (JP for every other language)."""
    code = lang.lower()
    while code:
        if code in CJK_FACES:
            return CJK_FACES[code]
        code = code.rpartition("-")[0]
    return 0


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
def script_font(script: str, bold: bool = False) -> Path | None:
    """The font file of ``script`` (bold when there is one), by known paths then fc-match."""
    names, dirs, family = _FILES[script]
    for name in (names[1], names[0]) if bold else (names[0],):
        for folder in dirs:
            if (Path(folder) / name).is_file():
                return Path(folder) / name
    found = _fc_match(family + (":bold" if bold else ""))
    stem = names[0].split("-")[0]
    if found is not None and found.name.startswith(stem):
        return found
    return None


@cache
def font_chain(bold: bool = False, lang: str = "ja") -> tuple[Path, ...]:
    """The font files tried in order for ``lang``'s text."""
    if script_font("cjk", bold) is None:
        raise FontNotFound("Noto Sans CJK not found: install fonts-noto-cjk")
    found = (script_font(s, bold) for s in _ORDER[script_of(lang)])
    return tuple(dict.fromkeys(p for p in found if p is not None))


@lru_cache(maxsize=24)  # a CJK Font costs ~2 MB: keep the ones in use, not every size seen
def _open(path: Path, size: int) -> pygame.font.Font:
    f = pygame.font.Font(str(path), size)
    script = next((s for s, (names, _d, _f) in _FILES.items() if path.name in names), "")
    if script in _HB_SCRIPT:
        f.set_script(_HB_SCRIPT[script])
    return f


class _FaceFont:
    """One face of a collection at one size, through pygame.freetype, with the few methods of
    pygame.font.Font that Face uses (advance widths, line height, baseline)."""

    def __init__(self, ft: pygame.freetype.Font, size: int) -> None:
        self.ft, self.px = ft, size

    def size(self, text: str) -> tuple[int, int]:
        metrics = self.ft.get_metrics(text, size=self.px)
        return round(sum(m[4] for m in metrics if m)), self.get_height()

    def get_height(self) -> int:
        return int(self.ft.get_sized_height(self.px))

    def get_ascent(self) -> int:
        return int(self.ft.get_sized_ascender(self.px))

    def render(self, text: str, antialias: bool, color: tuple[int, int, int],
               background: tuple[int, int, int] | None = None) -> pygame.Surface:
        out = pygame.Surface((max(1, self.size(text)[0]), self.get_height()), pygame.SRCALPHA)
        if background is not None:
            out.fill(background)
        self.ft.antialiased = antialias
        self.ft.render_to(out, (0, self.get_ascent()), text, color, size=self.px)
        return out


@cache
def _collection_face(path: Path, index: int) -> pygame.freetype.Font:
    if not pygame.freetype.get_init():
        pygame.freetype.init()
    ft = pygame.freetype.Font(str(path), 0, font_index=index)
    ft.origin, ft.pad, ft.kerning = True, False, False
    return ft


AnyFont = pygame.font.Font | _FaceFont


_hooked = False  # _forget is registered for the next pygame.quit()


def _forget() -> None:
    """pygame.quit() frees every Font: forget them. pygame drops its quit hooks once it has
    called them, so the hook is registered again with the next Font (see _load)."""
    global _hooked
    _hooked = False
    _open.cache_clear()
    _collection_face.cache_clear()


def _load(path: Path, size: int, index: int | None = None) -> AnyFont:
    """The font at ``path`` at ``size`` px; with ``index``, that face of a collection."""
    global _hooked
    if not pygame.font.get_init():  # never hand out a Font of a font module that was shut
        _open.cache_clear()
        pygame.font.init()
    if not _hooked:  # a quit and a new font.init() by someone else must not reach old Fonts
        pygame.register_quit(_forget)
        _hooked = True
    if index is not None:
        return _FaceFont(_collection_face(path, index), max(1, int(size)))
    return _open(path, max(1, int(size)))


def _rendering(f: AnyFont, char: str) -> tuple[tuple[int, int], bytes]:
    surface = f.render(char, True, (0, 0, 0), (255, 255, 255))
    return surface.get_size(), pygame.image.tobytes(surface, "RGB")


@cache
def _notdef(path: Path) -> tuple[tuple[int, int], bytes]:
    return _rendering(_load(path, _PROBE_SIZE), _NOTDEF_PROBE)


@lru_cache(maxsize=16384)
def has_glyph(path: Path, char: str) -> bool:
    """True when the font at ``path`` draws ``char`` (its rendering differs from U+E000's)."""
    return _rendering(_load(path, _PROBE_SIZE), char) != _notdef(path)


def _needs_glyph(c: str) -> bool:
    return not c.isspace() and unicodedata.category(c) not in ("Cc", "Cf", "Zl", "Zp")


def _is_mark(c: str) -> bool:
    return unicodedata.category(c) in ("Mn", "Mc", "Me")


@lru_cache(maxsize=16384)
def runs(text: str, chain: tuple[Path, ...]) -> tuple[Run, ...]:
    """``text`` split into (font, part) runs: each character in the first font that has it."""
    out: list[Run] = []
    for c in text:
        cur = out[-1][0] if out else None
        if cur is not None and (not _needs_glyph(c) or _is_mark(c) or has_glyph(cur, c)):
            out[-1] = (cur, out[-1][1] + c)
            continue
        path = chain[0]
        if _needs_glyph(c):
            path = next((p for p in chain if has_glyph(p, c)), chain[0])
        out.append((path, c))
    return tuple((p, t) for p, t in out)


def missing_glyphs(text: str, lang: str = "ja", bold: bool = False) -> set[str]:
    """The characters of ``text`` no font of ``lang``'s chain can draw (they would be tofu)."""
    return {c for path, part in runs(text, font_chain(bold, lang)) for c in part
            if _needs_glyph(c) and not _is_mark(c) and not has_glyph(path, c)}


def has_glyphs(text: str, bold: bool = False, lang: str = "ja") -> bool:
    """True when every character of ``text`` is drawn by some font of the chain (no tofu)."""
    return not missing_glyphs(text, lang, bold)


class Face:
    """A text face of one size and weight for one language: measures and draws mixed runs."""

    def __init__(self, size: int, bold: bool = False, lang: str = "ja") -> None:
        self.size_px, self.bold, self.lang = max(1, int(size)), bold, lang
        self.chain = font_chain(bold, lang)
        cjk, index = script_font("cjk", bold), cjk_face(lang)
        self._index = {p: index if p == cjk else None for p in self.chain}

    def _fonts(self, text: str) -> list[tuple[AnyFont, str]]:
        return [(_load(p, self.size_px, self._index[p]), part)
                for p, part in runs(text, self.chain)]

    def size(self, text: str) -> tuple[int, int]:
        """(width, height) of ``text`` on one line."""
        parts = self._fonts(text)
        if not parts:
            return 0, _load(self.chain[0], self.size_px, self._index[self.chain[0]]).get_height()
        return (sum(f.size(t)[0] for f, t in parts), max(f.get_height() for f, _t in parts))

    def render(self, text: str, color: tuple[int, int, int]) -> pygame.Surface:
        """``text`` drawn on a transparent surface, runs aligned on one baseline."""
        parts = self._fonts(text)
        if len(parts) == 1:
            return parts[0][0].render(parts[0][1], True, color)
        ascent = max((f.get_ascent() for f, _t in parts), default=0)
        below = max((f.get_height() - f.get_ascent() for f, _t in parts), default=0)
        out = pygame.Surface((max(1, self.size(text)[0]), max(1, ascent + below)),
                             pygame.SRCALPHA)
        x = 0
        for f, part in parts:
            img = f.render(part, True, color)
            out.blit(img, (x, ascent - f.get_ascent()))
            x += img.get_width()
        return out


@lru_cache(maxsize=512)
def face(size: int, bold: bool = False, lang: str = "ja") -> Face:
    """A cached Face."""
    return Face(size, bold, lang)


def font(size: int, bold: bool = False, text: str = "", lang: str = "ja") -> AnyFont:
    """One pygame Font of ``size`` px: the first of ``lang``'s chain that draws all of ``text``."""
    chain = font_chain(bold, lang)
    path = next((p for p in chain
                 if all(has_glyph(p, c) for c in text if _needs_glyph(c))), chain[0])
    return _load(path, size)
