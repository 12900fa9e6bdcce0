"""The on-screen kana keyboard: its keys, and what typing them makes (no kanji conversion).

Hiragana in 五十音 order, a katakana mode, the voiced marks ゛ and ゜ and 小 (small kana) applied to
the kana before them, the long-vowel mark, digits, "-", a space, and the address words 丁目, 番地,
番 and 号; and the capital letters A to Z, on the signing password's keyboard. ``keystrokes`` says
which keys make a text (the replay harness types with it exactly as a resident would);
``type_keys`` makes the text from keys (the touch screen does the same).
"""

from __future__ import annotations

import unicodedata

ROWS = ("あいうえお", "かきくけこ", "さしすせそ", "たちつてと", "なにぬねの", "はひふへほ",
        "まみむめも", "やゆよ", "らりるれろ", "わをん")
DAKUTEN, HANDAKUTEN, SMALL = "゛", "゜", "小"
LONG = "ー"
WORDS = ("丁目", "番地", "番", "号")  # longest first: 番地 before 番
DIGITS = tuple("0123456789")
LATIN = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # the capitals of a signing password's keyboard
MODE_HIRAGANA, MODE_KATAKANA = "かな", "カナ"
SPACE = " "
HYPHEN = "-"
KANA_KEYS = tuple("".join(ROWS))
MARKS = (DAKUTEN, HANDAKUTEN, SMALL)
KEYS = (*KANA_KEYS, *MARKS, LONG, *DIGITS, HYPHEN, SPACE, *WORDS, MODE_HIRAGANA, MODE_KATAKANA)

_SMALL = dict(zip("あいうえおつやゆよわ", "ぁぃぅぇぉっゃゅょゎ", strict=True))
_UNSMALL = {v: k for k, v in _SMALL.items()}
_COMBINING = {"\u3099": DAKUTEN, "\u309a": HANDAKUTEN}
_KATA_OFFSET = ord("ア") - ord("あ")


class NotOnKeyboard(ValueError):
    """A character the keyboard cannot type; the text names it."""


def _is_katakana(ch: str) -> bool:
    return "ァ" <= ch <= "ヶ"


def _to_hiragana(ch: str) -> str:
    return chr(ord(ch) - _KATA_OFFSET) if _is_katakana(ch) else ch


def _to_katakana(ch: str) -> str:
    return chr(ord(ch) + _KATA_OFFSET) if "ぁ" <= ch <= "ゖ" else ch


def keystrokes(text: str) -> list[str]:
    """The keys, in order, that type ``text``; NotOnKeyboard for a character it lacks."""
    keys: list[str] = []
    mode = MODE_HIRAGANA
    i = 0
    text = unicodedata.normalize("NFC", text)
    while i < len(text):
        word = next((w for w in WORDS if text.startswith(w, i)), None)
        if word is not None:
            keys.append(word)
            i += len(word)
            continue
        ch = text[i]
        i += 1
        if ch in DIGITS or ch in (HYPHEN, SPACE, LONG) or ch in LATIN:
            keys.append(ch)
            continue
        wanted = MODE_KATAKANA if _is_katakana(ch) else MODE_HIRAGANA
        kana = _to_hiragana(ch)
        marks: list[str] = []
        if kana in _UNSMALL:
            kana, marks = _UNSMALL[kana], [SMALL]
        decomposed = unicodedata.normalize("NFD", kana)
        base, extra = decomposed[0], decomposed[1:]
        if base not in KANA_KEYS or any(c not in _COMBINING for c in extra):
            raise NotOnKeyboard(f"{ch!r} is not on the on-screen keyboard")
        if wanted != mode:
            keys.append(wanted)
            mode = wanted
        keys += [base, *(_COMBINING[c] for c in extra), *marks]
    return keys


def _mark(last: str, key: str) -> str | None:
    """The kana ``last`` with ``key`` (゛ ゜ 小) applied, or None where it does not apply."""
    kata = _is_katakana(last)
    kana = _to_hiragana(last)
    if key == SMALL:
        made = _SMALL.get(kana) or _UNSMALL.get(kana)
    else:
        combined = unicodedata.normalize("NFC", kana + ("\u3099" if key == DAKUTEN else "\u309a"))
        made = combined if len(combined) == 1 else None
    if made is None:
        return None
    return _to_katakana(made) if kata else made


def type_key(text: str, key: str, mode: str = MODE_HIRAGANA) -> str:
    """``text`` after pressing ``key`` in ``mode`` (a mark that does not apply is ignored)."""
    if key in MARKS:
        changed = _mark(text[-1], key) if text else None
        return text[:-1] + changed if changed else text
    if key in KANA_KEYS:
        return text + (_to_katakana(key) if mode == MODE_KATAKANA else key)
    if key in (MODE_HIRAGANA, MODE_KATAKANA):
        return text
    if key in KEYS or key in LATIN:
        return text + key
    raise NotOnKeyboard(f"{key!r} is not a key of the on-screen keyboard")


def type_keys(keys: list[str], text: str = "") -> str:
    """What pressing ``keys`` in order makes (mode keys switch hiragana and katakana)."""
    mode = MODE_HIRAGANA
    for key in keys:
        if key in (MODE_HIRAGANA, MODE_KATAKANA):
            mode = key
        text = type_key(text, key, mode)
    return text
