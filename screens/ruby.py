"""Ruby for easy Japanese: the catalog writes readings in brackets after the kanji
(``証明書（しょうめいしょ）``); they are drawn as small kana above their kanji instead.

The bracket form stays in the text through wrapping (a line is a string with its readings in
brackets): ``Face`` measures and draws such a line, and the line breaker never cuts a base from
its reading. A bracket that does not follow kanji, or holds more than kana, stays a bracket.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

import pygame

from screens import fonts

LANGS = ("ja-x-easy",)
SCALE = 0.5  # the reading's size, of the base text's
_KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_RUBY = re.compile(rf"([{_KANJI}]+)（([\u3041-\u309f\u30a0-\u30ff ー]+)）")

Item = tuple[str, str]  # (base, reading); the reading is "" for plain text


def enabled(lang: str) -> bool:
    """True when ``lang``'s bracketed readings are drawn as ruby."""
    return lang.lower() in LANGS


@lru_cache(maxsize=4096)
def items(text: str) -> tuple[Item, ...]:
    """``text`` as (base, reading) pairs and plain runs (reading "")."""
    out: list[Item] = []
    pos = 0
    for m in _RUBY.finditer(text):
        if m.start() > pos:
            out.append((text[pos:m.start()], ""))
        out.append((m.group(1), m.group(2)))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], ""))
    return tuple(out)


def has_ruby(text: str) -> bool:
    return _RUBY.search(text) is not None


def plain(text: str) -> str:
    """``text`` without its readings: the base text."""
    return _RUBY.sub(r"\1", text)


def bases(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every ruby base in ``plain(text)``: a line never breaks inside."""
    out, pos = [], 0
    for base, reading in items(text):
        if reading:
            out.append((pos, pos + len(base)))
        pos += len(base)
    return out


def ruby_size(size: int) -> int:
    return max(8, round(size * SCALE))


def extra_height(size: int) -> int:
    """What a line with ruby needs above the base line's step."""
    return round(ruby_size(size) * 1.05)


class Face:
    """Measures and draws lines whose readings are in brackets, with the readings as ruby."""

    def __init__(self, size: int, bold: bool, lang: str) -> None:
        self.size_px = size
        self.base = fonts.face(size, bold, "ja")
        self.rt = fonts.face(ruby_size(size), False, "ja")

    def _cells(self, text: str) -> list[Cell]:
        """Each item's cell: a reading wider than its kanji overhangs the hiragana beside it by
        up to one kana of its size (the line does not gape), else widens the cell."""
        its = items(text)
        out = []
        for k, (base, reading) in enumerate(its):
            bw = self.base.size(base)[0]
            if not reading:
                out.append(Cell(base, reading, bw, 0, 0))
                continue
            rw = self.rt.size(reading)[0]
            excess, room = max(0, rw - bw), self.rt.size_px
            left = min(excess // 2, room if k and _hiragana_at(its[k - 1], -1) else 0)
            right = min(excess - left, room if k + 1 < len(its)
                        and _hiragana_at(its[k + 1], 0) else 0)
            cell = max(bw, rw - left - right)
            base_x = (cell - bw) // 2
            ruby_x = min(max(base_x + (bw - rw) // 2, -left), cell + right - rw)
            out.append(Cell(base, reading, cell, base_x, ruby_x))
        return out

    def size(self, text: str) -> tuple[int, int]:
        """(width, height) of one line, its ruby included."""
        width = sum(c.width for c in self._cells(text))
        return width, self.base.size(text)[1] + (extra_height(self.size_px)
                                                 if has_ruby(text) else 0)

    def render(self, text: str, color: tuple[int, int, int]) -> pygame.Surface:
        """The line with its readings above their bases; the base line at the bottom."""
        cells = self._cells(text)
        top = extra_height(self.size_px) if any(c.reading for c in cells) else 0
        base_h = self.base.size(text)[1]
        out = pygame.Surface((max(1, sum(c.width for c in cells)), base_h + top),
                             pygame.SRCALPHA)
        x = 0
        # the ruby's glyphs sit low in their line box: lift them to just above the kanji
        lift = round(self.rt.size("あ")[1] * 0.12)
        for c in cells:
            out.blit(self.base.render(c.base, color), (x + c.base_x, top))
            if c.reading:
                rt = self.rt.render(c.reading, color)
                out.blit(rt, (x + c.ruby_x, top - rt.get_height() + round(base_h * 0.22) - lift))
            x += c.width
        return out


class Cell(NamedTuple):
    """One item of a line: its base and reading, its advance, where each is drawn in it."""

    base: str
    reading: str
    width: int
    base_x: int
    ruby_x: int


def _hiragana_at(item: Item, index: int) -> bool:
    """A plain item whose first (0) or last (-1) character is hiragana (ruby may overhang it)."""
    base, reading = item
    return not reading and bool(base) and "\u3041" <= base[index] <= "\u309f"


@lru_cache(maxsize=256)
def face(size: int, bold: bool, lang: str) -> Face:
    """A cached ruby Face."""
    return Face(size, bold, lang)
