"""Checks that fail the build: every catalog complete and consistent; every screen of every
language at every supported size drawn without overflowing text, tofu or small touch targets.

Catalogs: read with Babel; a msgid of the template missing from a catalog, a fuzzy entry, an
empty msgstr (except in ``en``, whose msgstrs may stay empty: the English source) or a
placeholder set (``%(name)s``, ``%d``, ``{x}``) other than the msgid's fails.
Screens: each sample of ``kiosk.replay.screenshots.samples`` is laid out and drawn off screen; every
text is measured in the box its painter draws it into after wrapping and shrinking (a cut text
or a line wider or a block taller than its box is an overflow); every character is checked
against the font chosen for it by comparing its rendering with that of U+E000.
Typesetting: no button or heading breaks a line inside a BudouX phrase (or a word, in scripts
that space words), against kinsoku, or between a kanji and its ruby; every row of buttons sets
each of its texts at one size (the CJK face per language: tests/test_typesetting_faces.py).
"""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import re  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import budoux  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from babel.messages.catalog import Catalog, Message  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from kiosk.i18n import OFFERED, available_languages, catalog_path, translator  # noqa: E402
from kiosk.replay.screenshots import samples, ui_state  # noqa: E402
from screens import (  # noqa: E402
    linebreak,
    render_view,
    theme,
)
from screens.fonts import missing_glyphs  # noqa: E402
from screens.groups import GROUPED, fitted  # noqa: E402
from screens.layout import Layout, Rect  # noqa: E402
from screens.textfit import fit, measurer  # noqa: E402
from screens.widgets import text_slots  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "locales" / "kiosk.pot"
SIZES = ((1024, 600), (1280, 800), (1920, 1080))
LANGS = available_languages()
SOURCE_LANGUAGE = "en"  # its msgstrs may be empty: the msgids are English
_PLACEHOLDER = re.compile(
    r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]"
    r"|\{[^{}]*\}")


# --- catalogs ------------------------------------------------------------------------------------
def placeholders(text: str) -> frozenset[str]:
    """The placeholders of a message (``%%`` is a literal percent sign, not one)."""
    return frozenset(_PLACEHOLDER.findall(text.replace("%%", "")))


def read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def _ids(cat: Catalog) -> dict[str, Message]:
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in cat if m.id}


def catalog_problems(cat: Catalog, template: Catalog, source: bool) -> list[str]:
    """What is wrong with one catalog, one line per problem."""
    problems: list[str] = []
    entries = _ids(cat)
    for key in _ids(template):
        if key not in entries:
            problems.append(f"missing: {key!r}")
    for key, m in entries.items():
        if m.fuzzy:
            problems.append(f"fuzzy: {key!r}")
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        strings = [m.string] if isinstance(m.string, str) else list(m.string)
        if not any(strings) and source:
            continue
        if not all(strings):
            problems.append(f"untranslated: {key!r}")
            continue
        allowed = {placeholders(i) for i in ids}
        for s in strings:
            if placeholders(s) not in allowed:
                problems.append(f"placeholders {sorted(placeholders(s))} in {s!r} "
                                f"differ from {key!r}")
    return problems


@pytest.mark.parametrize("lang", LANGS)
def test_catalog_is_complete_and_consistent(lang: str) -> None:
    path = catalog_path(lang)
    assert path is not None
    problems = catalog_problems(read(path), read(TEMPLATE), source=lang == SOURCE_LANGUAGE)
    assert not problems, f"{path}:\n" + "\n".join(problems)


def test_the_catalog_check_finds_each_kind_of_problem() -> None:
    template = Catalog()
    for mid in ("Cancel", "%(n)d seconds left", "Fee", ("%(n)d copy", "%(n)d copies")):
        template.add(mid)
    cat = Catalog(locale="ja")
    cat.add("Cancel", "中止", flags=["fuzzy"])
    cat.add("%(n)d seconds left", "残り%(m)d秒")
    cat.add(("%(n)d copy", "%(n)d copies"), ("",))
    problems = catalog_problems(cat, template, source=False)
    assert any(p.startswith("missing: 'Fee'") for p in problems)
    assert any(p.startswith("fuzzy: 'Cancel'") for p in problems)
    assert any(p.startswith("placeholders") for p in problems)
    assert any(p.startswith("untranslated: '%(n)d copy'") for p in problems)
    assert placeholders("%(a)s %d {x} 100%%") == {"%(a)s", "%d", "{x}"}


def test_every_offered_language_has_fonts_and_a_name() -> None:
    from screens.texts import LANGUAGE_NAMES

    for lang in OFFERED:
        assert lang in LANGUAGE_NAMES
        assert not missing_glyphs(LANGUAGE_NAMES[lang], lang), lang
        assert translator(lang).number(1200)


@pytest.mark.parametrize("lang,text", [
    ("vi", "Tiếng Việt: Người nộp đơn phải đặt thẻ lên đầu đọc. ¥1.200"),
    ("th", "ภาษาไทย: กรุณาวางบัตรบนเครื่องอ่าน ¥1,200"),
    ("ne", "नेपाली: कृपया कार्ड रिडरमा राख्नुहोस्। ¥1,200"),
    ("zh-Hans", "简体中文 请把卡放在读卡器上"),
    ("ko", "한국어 카드를 리더기에 올려 주세요"),
    ("ja-x-easy", "やさしい にほんご カードを おいて ください"),
])
def test_each_script_has_a_font(lang: str, text: str) -> None:
    assert not missing_glyphs(text, lang)
    assert missing_glyphs("x\ue000", lang) == {"\ue000"}


# --- screens -------------------------------------------------------------------------------------
def layout_problems(layout: Layout, s: float) -> list[str]:
    """Overflowing text, tofu, targets under 15 mm, widgets off screen or overlapping."""
    problems: list[str] = []
    style, lang = layout.style, layout.lang
    screen = Rect(0, 0, *layout.size)
    modal = any(w.kind == "shade" for w in layout.widgets)
    targets: list[Rect] = []
    for w in layout.widgets:
        if not w.rect.inside(screen):
            problems.append(f"{w.id}: off screen {w.rect}")
        if w.action is not None:
            if min(w.rect.w, w.rect.h) < style.min_touch:
                problems.append(f"{w.id}: touch target {w.rect.w}x{w.rect.h} < 15 mm")
            if not modal:
                problems.extend(f"{w.id}: overlaps another button" for r in targets
                                if _overlap(r, w.rect))
                targets.append(w.rect)
        for slot in text_slots(w, s, style):
            problems.extend(f"{w.id}: {p}" for p in text_problems(slot.text, slot.role,
                                                                   slot.rect, s, lang,
                                                                   style.text_scale))
    return problems


def _overlap(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def text_problems(text: str, role: str, rect: Rect, s: float, lang: str,
                  text_scale: float) -> list[str]:
    """What is wrong with ``text`` drawn in ``rect``: cut, too wide, too tall, tofu."""
    if not text:
        return []
    if rect.w <= 0 or rect.h <= 0:
        return [f"no room for {text!r}"]
    size, bold, lines, cut, step, lang = fit(text, role, rect.w, rect.h, s, lang, text_scale)
    problems = []
    if cut:
        problems.append(f"text cut: {text!r} in {rect.w}x{rect.h}")
    measure = measurer(size, bold, lang)
    widest = max(measure.size(line)[0] for line in lines)
    if widest > rect.w:
        problems.append(f"line {widest}px wider than {rect.w}px: {text!r}")
    if len(lines) * step > rect.h:
        problems.append(f"{len(lines)} lines taller than {rect.h}px: {text!r}")
    missing = missing_glyphs(text, lang, bold)
    if missing:
        problems.append(f"tofu for {sorted(missing)} in {text!r}")
    return problems


@pytest.fixture(scope="module")
def surfaces() -> Iterator[dict[tuple[int, int], pygame.Surface]]:
    pygame.font.init()
    yield {size: pygame.Surface(size) for size in SIZES}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_every_screen_fits_with_real_glyphs(lang: str, size: tuple[int, int],
                                            surfaces: dict[tuple[int, int], pygame.Surface]
                                            ) -> None:
    tr, surface, s = translator(lang), surfaces[size], theme.scale(size)
    problems = []
    for sample in samples(lang):
        layout = render_view(surface, sample.view, tr, ui_state(sample))  # type: ignore[arg-type]
        problems.extend(f"{sample.name}: {p}" for p in layout_problems(layout, s))
        problems.extend(f"{sample.name}: {p}" for p in typesetting_problems(layout, s))
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


def test_the_screen_checks_catch_overflow_and_tofu() -> None:
    s = 1.0
    assert text_problems("Cancel", "button", Rect(0, 0, 300, 80), s, "en", 1.0) == []
    long = "A very long text that cannot possibly fit " * 20
    assert any("cut" in p for p in text_problems(long, "body", Rect(0, 0, 200, 40), s, "en",
                                                 1.0))
    assert any("tofu" in p for p in text_problems("OK\ue000", "body", Rect(0, 0, 300, 80), s,
                                                  "en", 1.0))


# --- typesetting ---------------------------------------------------------------------------------
_LOADERS = {"ja": budoux.load_default_japanese_parser,
            "zh-hans": budoux.load_default_simplified_chinese_parser,
            "zh-hant": budoux.load_default_traditional_chinese_parser,
            "th": budoux.load_default_thai_parser}
_PARSERS: dict[str, budoux.Parser] = {}
_LINE_NEVER_STARTS = frozenset(c for c in linebreak.NO_START if not c.isascii())
_LINE_NEVER_ENDS = frozenset(c for c in linebreak.OPEN if not c.isascii())
_READING = re.compile(r"([\u4e00-\u9fff々]+)（[\u3041-\u30ff ー]+）")
_HEADINGS = ("title", "heading", "hero")


def _parser(lang: str) -> budoux.Parser | None:
    code = lang.lower()
    model = ("ja" if code.startswith("ja") else "zh-hant" if code == "zh-hant"
             else "zh-hans" if code.startswith("zh") else "th" if code == "th" else None)
    if model is None:
        return None
    if model not in _PARSERS:
        _PARSERS[model] = _LOADERS[model]()
    return _PARSERS[model]


def _breaks(text: str, lines: tuple[str, ...]) -> list[tuple[int, bool]] | None:
    """Where in ``text`` each line after the first begins, and whether at a space; None when
    the lines are not ``text``."""
    pos, out = 0, []
    for n, line in enumerate(lines):
        start = pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if n:
            out.append((pos, pos > start))
        body = line.strip()
        if not text.startswith(body, pos):
            return None
        pos += len(body)
    return out


def break_problems(text: str, lines: tuple[str, ...], lang: str) -> list[str]:
    """Breaks inside a BudouX phrase (inside a word where words are spaced), against kinsoku, or
    between a kanji and its reading."""
    breaks = _breaks(text, lines)
    if breaks is None:
        return [f"lines {lines!r} are not {text!r}"]
    problems, parser = [], _parser(lang)
    readings = [m.span() for m in _READING.finditer(text)] if lang.startswith("ja") else []
    for p, spaced in breaks:
        before = text[:p].rstrip()
        if text[p] in _LINE_NEVER_STARTS or (before and before[-1] in _LINE_NEVER_ENDS):
            problems.append(f"kinsoku: {before[-6:]!r} / {text[p:p + 6]!r}")
        if any(a < p < b for a, b in readings):
            problems.append(f"kanji cut from its reading: {before[-6:]!r} / {text[p:p + 6]!r}")
        if spaced:
            continue
        a = max(text.rfind(c, 0, p) for c in " \n\u3000") + 1
        ends = [i for i in (text.find(c, p) for c in " \n\u3000") if i >= 0]
        word = text[a:min(ends, default=len(text))]
        plain, at = _READING.sub(r"\1", word), len(_READING.sub(r"\1", text[a:p]))
        cuts, pos = set(), 0
        for phrase in (parser.parse(plain) if parser else [plain]):
            pos += len(phrase)
            cuts.add(pos)
        if at not in cuts:
            problems.append(f"line break inside {'a phrase' if parser else 'a word'}: "
                            f"{plain[:at]!r} / {plain[at:]!r}")
    return problems


def row_size_problems(layout: Layout, s: float, grouped: bool = True) -> list[str]:
    """Rows of buttons (same top and height) that mix text sizes within one role."""
    sizes: dict[tuple[int, int, int, str], set[int]] = {}
    for w, texts in zip(layout.widgets, fitted(layout, s, grouped), strict=True):
        if w.kind in GROUPED:
            for i, slot, f in texts:
                sizes.setdefault((w.rect.y, w.rect.h, i, slot.role), set()).add(f.size)
    return [f"buttons at y={y} mix {role} sizes {sorted(px)}"
            for (y, _h, _i, role), px in sizes.items() if len(px) > 1]


def typesetting_problems(layout: Layout, s: float) -> list[str]:
    """Line breaks of buttons and headings, and one text size per row of buttons."""
    problems = row_size_problems(layout, s)
    for w, texts in zip(layout.widgets, fitted(layout, s), strict=True):
        if w.kind in GROUPED or w.role in _HEADINGS:
            for _i, slot, f in texts:
                if not f.truncated:
                    problems.extend(f"{w.id}: {p}"
                                    for p in break_problems(slot.text, f.lines, layout.lang))
    return problems


def test_the_break_check_catches_mid_phrase_breaks_and_kinsoku(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "マイナンバーカードで住民票の写しを取得できます。"
    good = ("マイナンバーカードで", "住民票の写しを取得できます。")
    assert break_problems(text, good, "ja") == []
    assert any("inside a phrase" in p for p in break_problems(
        text, ("マイナンバーカードで住", "民票の写しを取得できます。"), "ja"))
    assert any("kinsoku" in p for p in break_problems(
        text, ("マイナンバーカードで住民票の写しを取得できます", "。"), "ja"))
    assert any("reading" in p for p in break_problems(
        "字（じ）を大（おお）きく", ("字（じ）を大", "（おお）きく"), "ja-x-easy"))
    assert any("inside a word" in p for p in break_problems("High contrast", ("High contr", "ast"),
                                                           "en"))
    # the breaking of before: between any two CJK characters; the check sees it
    monkeypatch.setattr(linebreak, "segments", lambda text, lang: tuple(text))
    fit.cache_clear()
    try:
        lines = fit("やさしい日本語", "button", 100, 200, 1.0, "ja").lines
        assert len(lines) > 1 and break_problems("やさしい日本語", lines, "ja")
    finally:
        monkeypatch.undo()
        fit.cache_clear()
    assert not break_problems("やさしい日本語", fit("やさしい日本語", "button", 100, 200, 1.0,
                                                    "ja").lines, "ja")


def test_the_row_check_catches_mixed_sizes() -> None:
    pygame.font.init()
    size = (1280, 800)
    sample = next(x for x in samples("en") if x.name == "choose_certificate")
    layout = render_view(pygame.Surface(size), sample.view, translator("en"),
                         ui_state(sample))  # type: ignore[arg-type]
    assert row_size_problems(layout, theme.scale(size), grouped=False)
    assert not row_size_problems(layout, theme.scale(size))
