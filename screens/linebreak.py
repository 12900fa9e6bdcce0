"""Where a line may break: at spaces; in Japanese, Chinese and Thai between the phrases BudouX
finds (a line never ends mid-word: 住民票, 日本語, ハイコントラスト stay whole), with kinsoku on top
(no line starts with a closing bracket, punctuation, a small kana or ー; none ends with an opening
bracket). Korean, like Latin scripts, breaks at spaces. In easy Japanese a kanji base and its
bracketed reading (drawn as ruby) are one piece.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache, lru_cache

import budoux

from screens import ruby

NO_START = ("、。，．・：；？！ー）」』】〕〉》〙〗｝］ぁぃぅぇぉっゃゅょゎゕゖ"
            "ァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々ゝゞヽヾ…‥～"
            ",.:;!?)]}%")
OPEN = "（「『【〔〈《〘〖｛［([{¥$"
_LOADERS: dict[str, Callable[[], budoux.Parser]] = {
    "ja": budoux.load_default_japanese_parser,
    "zh-hans": budoux.load_default_simplified_chinese_parser,
    "zh-hant": budoux.load_default_traditional_chinese_parser,
    "th": budoux.load_default_thai_parser,
}
_SPACE_OR_WORD = re.compile(r"\s+|\S+")


def _model(lang: str) -> str | None:
    code = lang.lower()
    if code.startswith("ja"):
        return "ja"
    if code.startswith("zh"):
        return "zh-hant" if code in ("zh-hant", "zh-tw", "zh-hk", "zh-mo") else "zh-hans"
    return "th" if code.split("-")[0] == "th" else None


@cache
def parser(model: str) -> budoux.Parser:
    """BudouX's parser for ja, zh-hans, zh-hant or th (loaded once)."""
    return _LOADERS[model]()


def phrases(text: str, lang: str) -> list[str]:
    """BudouX's phrases of ``text`` (one piece where ``lang`` has no model)."""
    model = _model(lang)
    return parser(model).parse(text) if model and text else [text]


def _boundaries(plain: str, lang: str) -> set[int]:
    """Offsets in ``plain`` where a line may begin, before kinsoku."""
    out: set[int] = set()
    for m in _SPACE_OR_WORD.finditer(plain):
        out.update((m.start(), m.end()))
        if not m.group().isspace():
            pos = m.start()
            for phrase in phrases(m.group(), lang)[:-1]:
                pos += len(phrase)
                out.add(pos)
    return {p for p in out if 0 < p < len(plain)}


def allowed(text: str, p: int) -> bool:
    """Kinsoku: may a line begin at offset ``p`` of ``text``?"""
    nxt, prev = text[p], text[p - 1]
    if nxt.isspace() or prev.isspace():
        return True
    if nxt.isascii() and prev.isascii():  # ¥1,200, URLs, Latin words inside Thai or Japanese
        return False
    return (nxt not in NO_START and prev not in OPEN
            and unicodedata.category(nxt) not in ("Mn", "Mc", "Me"))


def _to_original(text: str) -> list[int]:
    """For each offset of ``ruby.plain(text)``, its offset in ``text`` (a base's end maps past
    its reading)."""
    out: list[int] = []
    pos = 0
    for base, reading in ruby.items(text):
        out.extend(range(pos, pos + len(base)))
        pos += len(base) + (len(reading) + 2 if reading else 0)
    out.append(pos)
    return out


@lru_cache(maxsize=8192)
def segments(text: str, lang: str) -> tuple[str, ...]:
    """``text`` cut where a line may break: whitespace runs, and words or phrases."""
    with_ruby = lang.lower().startswith("ja") and ruby.has_ruby(text)
    plain = ruby.plain(text) if with_ruby else text
    cuts = {p for p in _boundaries(plain, lang) if allowed(plain, p)}
    if with_ruby:
        inside = {p for start, end in ruby.bases(text) for p in range(start + 1, end)}
        index = _to_original(text)
        cuts = {index[p] for p in cuts - inside}
    edges = [0, *sorted(cuts), len(text)]
    return tuple(text[a:b] for a, b in zip(edges, edges[1:], strict=False) if b > a)
