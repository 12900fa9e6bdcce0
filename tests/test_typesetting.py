"""Typesetting: phrase breaks with kinsoku, ruby for easy Japanese, one size per row of buttons,
large text that reaches the confirm table, and anti-aliased shapes."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import statistics  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.i18n import translator  # noqa: E402
from kiosk.replay.screenshots import samples, ui_state  # noqa: E402
from screens import render_view, ruby, shapes, theme  # noqa: E402
from screens.groups import fitted  # noqa: E402
from screens.layout import Layout  # noqa: E402
from screens.linebreak import segments  # noqa: E402
from screens.textfit import fit, measurer, wrap  # noqa: E402

SIZE = (1280, 800)


@pytest.fixture(autouse=True)
def _fonts() -> None:
    pygame.font.init()


def _layout(lang: str, name: str) -> Layout:
    sample = next(x for x in samples(lang) if x.name == name)
    return render_view(pygame.Surface(SIZE), sample.view, translator(lang),
                       ui_state(sample))  # type: ignore[arg-type]


@pytest.mark.parametrize("lang,text,whole", [
    ("ja", "マイナンバーカードで住民票の写しを取得できます", ["住民票", "マイナンバーカード"]),
    ("ja", "やさしい日本語", ["日本語"]),
    ("ja", "ハイコントラスト", ["ハイコントラスト"]),
    ("ja", "カードの取り外し", ["取り外し"]),
    ("ja", "お問い合わせください", ["お問い合わせ"]),
    ("th", "กรุณาวางบัตรบนเครื่องอ่าน ¥1,200", ["¥1,200", "เครื่อง"]),
    ("zh-Hans", "请把卡放在读卡器上", ["读卡器"]),
])
def test_phrases_stay_whole(lang: str, text: str, whole: list[str]) -> None:
    pieces = segments(text, lang)
    assert "".join(pieces) == text
    for word in whole:
        assert any(word in piece for piece in pieces), (word, pieces)


def test_kinsoku_no_line_starts_with_closing_marks_or_ends_with_opening() -> None:
    for text in ("「住民票の写し」を選んでください。", "（マイナンバー）ッ、ー"):
        pieces = segments(text, "ja")
        assert all(p[0] not in "」）。、ーッ" for p in pieces[1:]), pieces
        assert all(p[-1] not in "「（" for p in pieces), pieces


def test_a_kanji_never_leaves_its_reading() -> None:
    text = "字（じ）を大（おお）きく する"
    pieces = segments(text, "ja-x-easy")
    assert "".join(pieces) == text
    assert all(not p.startswith("（") for p in pieces), pieces
    face = measurer(30, True, "ja-x-easy")
    for width in range(40, 400, 7):
        for line in wrap(text, face, width, "ja-x-easy"):
            assert not line.startswith("（") and not line.rstrip().endswith(("字", "大"))


def test_ruby_is_drawn_above_and_narrower_than_brackets() -> None:
    assert ruby.items("証明書（しょうめいしょ）を とる") == (("証明書", "しょうめいしょ"),
                                                         ("を とる", ""))
    assert ruby.plain("印刷（いんさつ）が おわりました") == "印刷が おわりました"
    assert ruby.items("おつり（100円）") == (("おつり（100円）", ""),)  # not a reading
    face = measurer(30, False, "ja-x-easy")
    plain_face = measurer(30, False, "ja")
    text = "証明書（しょうめいしょ）を とる"
    assert face.size(text)[0] < plain_face.size(text)[0] * 0.7
    img = face.render(text, (0, 0, 0))
    assert img.get_height() > plain_face.size(text)[1]  # room for the ruby above


def test_easy_japanese_is_at_least_as_large_as_japanese() -> None:
    """Headings and buttons: the base text of easy Japanese is not smaller than plain
    Japanese's in the same box (median over the sample screens, and the titles each)."""
    ratios, titles = [], []
    for name in ("choose_certificate", "choose_copies", "confirm", "collect", "payment", "idle"):
        easy, ja = _layout("ja-x-easy", name), _layout("ja", name)
        sizes = {lang: {w.id: [f.size for _i, _t, f in texts]
                        for w, texts in zip(lay.widgets, fitted(lay, 1.0), strict=True)}
                 for lang, lay in (("easy", easy), ("ja", ja))}
        for wid, px in sizes["easy"].items():
            if wid in sizes["ja"] and px and sizes["ja"][wid]:
                ratios.append(px[0] / sizes["ja"][wid][0])
                if wid == "frame.title":
                    titles.append(px[0] / sizes["ja"][wid][0])
    assert statistics.median(ratios) >= 1.0
    assert min(titles) >= 1.0


def test_a_row_of_buttons_shares_one_size() -> None:
    for lang, name in (("en", "choose_certificate"), ("en", "confirm"), ("en", "collect"),
                       ("en", "choose_options"), ("th", "choose_certificate")):
        layout = _layout(lang, name)
        rows: dict[tuple[int, int, str], set[int]] = {}
        for w, texts in zip(layout.widgets, fitted(layout, 1.0), strict=True):
            if w.kind == "button":
                for _i, slot, f in texts:
                    rows.setdefault((w.rect.y, w.rect.h, slot.role), set()).add(f.size)
        assert all(len(px) == 1 for px in rows.values()), (lang, name, rows)


def test_the_most_a_group_allows_is_kept() -> None:
    alone = fit("Back", "button", 300, 80, 1.0, "en")
    capped = fit("Back", "button", 300, 80, 1.0, "en", 1.0, 22)
    assert alone.size > 22 and capped.size == 22


def test_large_text_scales_the_confirm_table() -> None:
    for lang in ("en", "ja", "th"):
        normal, large = _layout(lang, "confirm"), _layout(lang, "confirm-large_text")

        def table(layout: Layout) -> list[int]:
            return [f.size for w, texts in zip(layout.widgets, fitted(layout, 1.0), strict=True)
                    if w.id.startswith("confirm.") and w.id != "confirm.intro"
                    and w.kind == "label" for _i, _t, f in texts]

        assert statistics.median(table(large)) >= 1.15 * statistics.median(table(normal)), lang


def _edge_shades(surface: pygame.Surface, y: int) -> set[tuple[int, int, int]]:
    return {tuple(surface.get_at((x, y)))[:3] for x in range(surface.get_width())}


def test_shapes_have_smooth_edges() -> None:
    """A circle's and a rounded corner's edge has in-between shades (anti-aliased), not only
    the two colours."""
    white, blue = (255, 255, 255), (0, 103, 192)
    surface = pygame.Surface((120, 120))
    surface.fill(white)
    pygame.draw.circle(surface, blue, (60, 60), 40)
    assert not _edge_shades(surface, 30) - {white, blue}  # jagged: only the two colours
    surface.fill(white)
    shapes.circle(surface, blue, (60, 60), 40)
    assert _edge_shades(surface, 30) - {white, blue}
    surface.fill(white)
    shapes.box(surface, pygame.Rect(10, 10, 100, 100), blue, (0, 72, 140), 24, 3)
    assert len(_edge_shades(surface, 14) - {white, blue, (0, 72, 140)}) >= 2
    surface.fill(white)
    shapes.stroke(surface, blue, [(20, 60), (50, 90), (100, 30)], 9)
    assert len(_edge_shades(surface, 60) - {white, blue}) >= 1


def test_every_widget_kind_still_draws_in_both_palettes() -> None:
    for style in (theme.Style(), theme.Style(large_text=True, high_contrast=True)):
        assert style.text_scale >= 1.0
    for lang, name in (("ja", "collect"), ("ja", "pin_entry"), ("ja", "choose_options"),
                       ("en", "payment"), ("en", "printing")):
        assert _layout(lang, name).widgets
