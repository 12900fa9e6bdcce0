"""Text in a box: line breaking (CJK rules, no orphans, clusters kept whole), the size that
fits, and drawing it in the font chain of its language."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple, Protocol

import pygame

from screens import fonts, theme
from screens.layout import Rect

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u3000-\u303f\uac00-\ud7af"
_NO_START = ("、。，．・：；？！ー）」』】〕〉ぁぃぅぇぉっゃゅょゎ"
             "ァィゥェォッャュョヮヵヶ々…‥～,.:;!?)")
_OPEN = "（「『【〔〈("
_NS = re.escape(_NO_START)
_TOKEN = re.compile(rf"\s+|[{_OPEN}]*[{_CJK}][{_NS}]*|[^\s{_CJK}]+[{_NS}]*")
_NO_BREAK_AFTER = "\u0e40\u0e41\u0e42\u0e43\u0e44\u094d"  # Thai leading vowels, virama
_TALL_SCRIPTS = ("thai", "deva")  # marks above and below: more room between lines


class Measurer(Protocol):
    def size(self, text: str) -> tuple[int, int]: ...


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) or [text]


def _clusters(word: str) -> list[str]:
    """``word`` cut where a line may break inside it: never before a mark, after a virama or a
    Thai leading vowel."""
    out: list[str] = []
    for ch in word:
        if out and (unicodedata.category(ch) in ("Mn", "Mc", "Me")
                    or out[-1][-1] in _NO_BREAK_AFTER):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _break_word(word: str, face: Measurer, width: int) -> list[str]:
    parts, cur = [], ""
    for ch in _clusters(word):
        if cur and face.size(cur + ch)[0] > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    return parts + [cur] if cur else parts


def wrap(text: str, face: Measurer, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width``: at spaces, or between CJK characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for tok in _tokens(para):
            if tok.isspace():
                line = line + " " if line else line
                continue
            if face.size(line + tok)[0] <= width:
                line += tok
                continue
            if line.strip():
                lines.append(line.rstrip())
            pieces = _break_word(tok, face, width) if face.size(tok)[0] > width else [tok]
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line.rstrip())
    return lines


def line_step(size: int, lang: str = "ja") -> int:
    """The distance between two lines of text of ``size`` px."""
    return round(size * (1.5 if fonts.script_of(lang) in _TALL_SCRIPTS else 1.3))


def _orphan(lines: list[str], face: Measurer, width: int) -> bool:
    """The last line is a stub (a few characters left over from the line before)."""
    return face.size(lines[-1])[0] < width // 8


# Text sizes in px, about 10 % apart: every text uses one of them, so few fonts are open
SIZES = (10, 12, 13, 14, 16, 18, 20, 22, 24, 27, 30, 33, 36, 40, 44, 48, 53, 58, 64, 70, 77,
         85, 94, 104, 115, 128, 140, 154, 170)


def _on_ladder(px: float) -> int:
    """The largest of SIZES not above ``px`` (the smallest of them at least)."""
    return max((x for x in SIZES if x <= px + 0.5), default=SIZES[0])


class Fit(NamedTuple):
    size: int
    bold: bool
    lines: tuple[str, ...]
    truncated: bool  # the text did not fit even at the smallest size: cut, with "…"


@lru_cache(maxsize=4096)
def fit(text: str, role: str, width: int, height: int, s: float, lang: str = "ja",
        text_scale: float = 1.0) -> Fit:
    """The largest size of the role (times ``text_scale``), down to MIN_TEXT, that fits the box
    without breaking a word (words are broken only at the smallest size)."""
    base, bold = theme.ROLES[role]
    size, smallest = _on_ladder(base * s * text_scale), _on_ladder(theme.MIN_TEXT * s)
    smallest = min(size, smallest)
    while True:
        face = fonts.face(size, bold, lang)
        lines = wrap(text, face, width)
        whole_words = max(face.size(t)[0] for t in _tokens(text)) <= width
        if (len(lines) * line_step(size, lang) <= height and whole_words) or size <= smallest:
            break
        size = max(smallest, _on_ladder(size - 1))
    if len(lines) > 1 and size > smallest and _orphan(lines, fonts.face(size, bold, lang),
                                                       width):
        smaller = max(smallest, _on_ladder(size - 1))
        fewer = wrap(text, fonts.face(smaller, bold, lang), width)
        if len(fewer) < len(lines):
            size, lines = smaller, fewer
    room = max(1, height // line_step(size, lang))
    truncated = len(lines) > room
    if truncated:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip() + "…"
    return Fit(size, bold, tuple(lines), truncated)


@lru_cache(maxsize=384)  # about a screen's worth of lines in two languages: RAM stays low
def _rendered(text: str, size: int, bold: bool, color: theme.Color, lang: str) -> pygame.Surface:
    return fonts.face(size, bold, lang).render(text, color)


def draw_text(surface: pygame.Surface, rect: Rect, text: str, role: str, color: theme.Color,
              align: str, s: float, lang: str = "ja", text_scale: float = 1.0) -> None:
    """Draw ``text`` wrapped and shrunk to fit ``rect``, centred vertically unless "top-…"."""
    if not text or rect.w <= 0 or rect.h <= 0:
        return
    size, bold, lines, _cut = fit(text, role, rect.w, rect.h, s, lang, text_scale)
    step = line_step(size, lang)
    top, align = align.startswith("top-"), align.removeprefix("top-")
    y = rect.y if top else rect.y + (rect.h - step * len(lines)) // 2
    for line in lines:
        img = _rendered(line, size, bold, color, lang)
        if align == "left":
            x = rect.x
        elif align == "right":
            x = rect.right - img.get_width()
        else:
            x = rect.x + (rect.w - img.get_width()) // 2
        surface.blit(img, (x, y + (step - img.get_height()) // 2))
        y += step
