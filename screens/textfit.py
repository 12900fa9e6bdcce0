"""Text in a box: line breaking (phrases and kinsoku from ``linebreak``, no orphans, clusters
kept whole), the size that fits, and drawing it in the font chain of its language (easy Japanese
with its readings as ruby)."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import NamedTuple, Protocol

import pygame

from screens import fonts, linebreak, ruby, theme
from screens.layout import Rect

_NO_BREAK_AFTER = "\u0e40\u0e41\u0e42\u0e43\u0e44\u094d"  # Thai leading vowels, virama
_TALL_SCRIPTS = ("thai", "deva")  # marks above and below: more room between lines


class Measurer(Protocol):
    def size(self, text: str) -> tuple[int, int]: ...


class Drawer(Measurer, Protocol):
    def render(self, text: str, color: tuple[int, int, int]) -> pygame.Surface: ...


def measurer(size: int, bold: bool, lang: str) -> Drawer:
    """The face that measures and draws ``lang``'s lines (ruby-aware for easy Japanese)."""
    return ruby.face(size, bold, lang) if ruby.enabled(lang) else fonts.face(size, bold, lang)


def _clusters(word: str, lang: str) -> list[str]:
    """``word`` cut where a line may break inside it: never before a mark, after a virama or a
    Thai leading vowel, nor inside a kanji and its reading."""
    if lang.startswith("ja") and ruby.has_ruby(word):
        return [c for base, reading in ruby.items(word)
                for c in ([f"{base}（{reading}）"] if reading else _clusters(base, "ja"))]
    out: list[str] = []
    for ch in word:
        if out and (unicodedata.category(ch) in ("Mn", "Mc", "Me")
                    or out[-1][-1] in _NO_BREAK_AFTER):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _break_word(word: str, face: Measurer, width: int, lang: str) -> list[str]:
    """The last resort for a word wider than the box: cut between clusters, kinsoku kept."""
    parts: list[str] = []
    cur: list[str] = []
    for ch in _clusters(word, lang):
        line = "".join(cur)
        if cur and face.size(line + ch)[0] > width:
            if len(cur) > 1 and not linebreak.allowed(line + ch, len(line)):
                parts.append("".join(cur[:-1]))  # the last cluster goes down with the closing
                cur = [cur[-1], ch]
            else:
                parts.append(line)
                cur = [ch]
        else:
            cur.append(ch)
    return parts + ["".join(cur)] if cur else parts


def wrap(text: str, face: Measurer, width: int, lang: str = "ja") -> list[str]:
    """Lines of ``text`` no wider than ``width``: between the pieces ``linebreak`` allows."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for tok in linebreak.segments(para, lang):
            if tok.isspace():
                line = line + " " if line else line
                continue
            if face.size(line + tok)[0] <= width:
                line += tok
                continue
            if line.strip():
                lines.append(line.rstrip())
            pieces = _break_word(tok, face, width, lang) if face.size(tok)[0] > width else [tok]
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line.rstrip())
    return lines


def line_step(size: int, lang: str = "ja", text: str = "") -> int:
    """The distance between two lines of ``text`` of ``size`` px (ruby adds its own room)."""
    step = round(size * (1.5 if fonts.script_of(lang) in _TALL_SCRIPTS else 1.3))
    if ruby.enabled(lang) and ruby.has_ruby(text):
        step += ruby.extra_height(size)
    return step


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
    step: int  # the distance between two lines
    lang: str  # the language the lines are set in: "ja" for easy Japanese without room for ruby


@lru_cache(maxsize=16384)  # every text of every screen in every language, at every size
def fit(text: str, role: str, width: int, height: int, s: float, lang: str = "ja",
        text_scale: float = 1.0, most: int = 0) -> Fit:
    """The largest size of the role (times ``text_scale``; at most ``most`` px when given), down
    to MIN_TEXT, that fits the box without breaking a phrase (only at the smallest size)."""
    base, bold = theme.ROLES[role]
    size, smallest = _on_ladder(base * s * text_scale), _on_ladder(theme.MIN_TEXT * s)
    size = min(size, _on_ladder(most)) if most else size
    smallest = min(size, smallest)
    pieces = [t for p in text.split("\n") for t in linebreak.segments(p, lang)] or [text]
    while True:
        face = measurer(size, bold, lang)
        lines = wrap(text, face, width, lang)
        whole_words = max(face.size(t)[0] for t in pieces) <= width
        if ((len(lines) * line_step(size, lang, text) <= height and whole_words)
                or size <= smallest):
            break
        size = max(smallest, _on_ladder(size - 1))
    floor = min(size, _on_ladder(theme.MIN_WORD_TEXT * s))
    while not whole_words and size > floor:  # a word too wide: smaller still, never cut
        size = max(floor, _on_ladder(size - 1))
        face = measurer(size, bold, lang)
        lines = wrap(text, face, width, lang)
        whole_words = max(face.size(t)[0] for t in pieces) <= width
        smallest = size
    if len(lines) > 1 and size > smallest and _orphan(lines, measurer(size, bold, lang), width):
        smaller = max(smallest, _on_ladder(size - 1))
        fewer = wrap(text, measurer(smaller, bold, lang), width, lang)
        if len(fewer) < len(lines):
            size, lines = smaller, fewer
    step = line_step(size, lang, text)
    room = max(1, height // step)
    truncated = len(lines) > room
    if ruby.enabled(lang) and (truncated or step > height) and ruby.has_ruby(text):
        return fit(text, role, width, height, s, "ja", text_scale, most)  # readings in brackets
    if truncated:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip() + "…"
    return Fit(size, bold, tuple(lines), truncated, step, lang)


@lru_cache(maxsize=384)  # about a screen's worth of lines in two languages: RAM stays low
def _rendered(text: str, size: int, bold: bool, color: theme.Color, lang: str) -> pygame.Surface:
    return measurer(size, bold, lang).render(text, color)


def draw_text(surface: pygame.Surface, rect: Rect, text: str, role: str, color: theme.Color,
              align: str, s: float, lang: str = "ja", text_scale: float = 1.0,
              most: int = 0) -> None:
    """Draw ``text`` wrapped and shrunk to fit ``rect`` (at most ``most`` px when given),
    centred vertically unless "top-…"."""
    if not text or rect.w <= 0 or rect.h <= 0:
        return
    size, bold, lines, _cut, step, lang = fit(text, role, rect.w, rect.h, s, lang, text_scale,
                                              most)
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
