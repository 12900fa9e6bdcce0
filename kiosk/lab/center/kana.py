"""Whether what a resident typed on the kiosk's kana keyboard is the family register's text.

The keyboard has hiragana, katakana, the digits, 丁目 番 号 番地 の, "-" and a space, and no
kanji conversion: so both sides are normalised (NFKC, no spaces, hiragana, 丁目 番地 番 号 as
kana, one hyphen) and the typed address is compared with the register's address in kanji and
with its reading. Kanji numerals (三丁目) are out of scope.
"""

from __future__ import annotations

import re
import unicodedata

from kiosk.center.prefectures import Prefecture

_KANJI_UNITS = (("丁目", "ちょうめ"), ("番地", "ばんち"), ("番", "ばん"), ("号", "ごう"))
_HYPHENS = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d]")
_LONG_VOWEL_IN_NUMBER = re.compile(r"(?<=[0-9])\u30fc(?=[0-9])")  # ー (and ｰ after NFKC)
_KATAKANA = {c: c - 0x60 for c in range(0x30A1, 0x30F7)}  # ァ…ヶ → ぁ…ゖ
# How a town's reading ends: 区 市 町 (twice) 村 (twice).
_TOWN_ENDINGS = ("く", "し", "ちょう", "まち", "むら", "そん")


def normalise(text: str) -> str:
    """The comparable form of an address or a name, typed or on the register."""
    text = "".join(unicodedata.normalize("NFKC", text).split())
    text = text.translate(_KATAKANA)
    for kanji, kana in _KANJI_UNITS:
        text = text.replace(kanji, kana)
    text = _HYPHENS.sub("-", text)
    return _LONG_VOWEL_IN_NUMBER.sub("-", text)


def _town_reading(text: str) -> bool:
    """Whether ``text`` (normalised) may be the reading of a town's name."""
    return (len(text) >= 2 and text.endswith(_TOWN_ENDINGS)
            and not any(c.isdigit() or c == "-" for c in text))


def reading_forms(reading: str, prefecture: Prefecture | None) -> set[str]:
    """The typed forms a register's reading accepts. A reading from the prefecture on accepts
    itself, itself without the prefecture, and each remainder after a possible town reading
    (the town's reading is not known: any kana prefix ending as a town's does, followed by more
    than a number). A reading after the town accepts itself."""
    reading = normalise(reading)
    forms = {reading}
    pref = normalise(prefecture.kana) if prefecture else ""
    if pref and reading.startswith(pref):
        rest = reading[len(pref):]
        forms.add(rest)
        for cut in range(2, len(rest)):
            if _town_reading(rest[:cut]) and not rest[cut].isdigit():
                forms.add(rest[cut:])
    return forms


def _town_in_front(typed: str, reading: str, prefecture: Prefecture | None) -> bool:
    """Whether ``typed`` is a reading after the town with the town's reading typed in front,
    and the prefecture's before it or not (all normalised)."""
    pref = normalise(prefecture.kana) if prefecture else ""
    if pref and reading.startswith(pref):
        return False  # a reading in full: reading_forms has its forms
    if pref and typed.startswith(pref):
        typed = typed[len(pref):]
    return typed.endswith(reading) and _town_reading(typed[:len(typed) - len(reading)])


def address_matches(typed: str, address: str, address_kana: str | None,
                    prefecture: Prefecture | None, town: str) -> bool:
    """Whether the typed address is the register's ``address`` (kanji, from the prefecture and
    the ``town``'s name on) or its reading ``address_kana`` (after the town, or in full)."""
    typed = normalise(typed)
    if not typed:
        return False
    forms = {normalise(address)}
    rest = address
    if prefecture is not None and rest.startswith(prefecture.ja):
        rest = rest[len(prefecture.ja):]
        forms.add(normalise(rest))
    if town and rest.startswith(town):
        forms.add(normalise(rest[len(town):]))
    if address_kana:
        forms |= reading_forms(address_kana, prefecture)
        if _town_in_front(typed, normalise(address_kana), prefecture):
            return True
    return typed in forms


def name_matches(typed: str, head: str, head_kana: str | None) -> bool:
    """Whether the typed name is the register's head, in kanji or in kana."""
    typed = normalise(typed)
    return bool(typed) and typed in {normalise(head), normalise(head_kana or head)}
