"""Where things are: the kiosk model's layout in config (``[layout]``), carried to the screens in
the view, and the pictograms on every screen that asks the resident to use a device: present
in every language at the three sizes, fitting, anti-aliased, in both contrasts."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402
from conftest import make_kiosk  # noqa: E402
from test_ui_checks import SIZES, layout_problems  # noqa: E402

from kiosk.config import ConfigError, LayoutSection, from_data, load_config  # noqa: E402
from kiosk.i18n import available_languages, translator  # noqa: E402
from kiosk.replay.screenshots import base_views  # noqa: E402
from kiosk.vocabulary import events as ev  # noqa: E402
from kiosk.vocabulary.devices import PLACES, SAMPLE_COPIER, DeviceLayout  # noqa: E402
from kiosk.vocabulary.view import View  # noqa: E402
from screens import build_layout, render_view, theme  # noqa: E402
from screens.layout import Layout, Rect, UiState  # noqa: E402
from screens.pictograms import KIND, NAMES, PLACE_NAMES, label_text  # noqa: E402

LANGS = available_languages()
# The screens that ask for a device: (prefix of the widgets, the devices pointed at)
ASKING = {
    "await_card": ("await_card", ("card_reader",)),
    "remove_card": ("remove_card", ("card_reader",)),
    "payment": ("pay", ("coin_slot", "note_slot")),
    "collect": ("collect", ("tray", "change_tray")),
}
STYLES = {"normal": UiState(), "large_text": UiState(large_text=True),
          "high_contrast": UiState(high_contrast=True)}


# --- the configuration ---------------------------------------------------------------------------
def test_the_default_layout_is_the_sample_copiers() -> None:
    layout = load_config().layout
    assert isinstance(layout, LayoutSection)
    assert (layout.screen, layout.card_reader, layout.coin_slot, layout.note_slot, layout.tray,
            layout.change_tray) == ("top-center", "top-right", "middle-right", "middle-right",
                                    "middle-center", "bottom-right")
    assert not layout.wrong() and not SAMPLE_COPIER.wrong()
    assert View("await_card").places == SAMPLE_COPIER


def test_a_layout_in_the_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text('[layout]\ncard_reader = "middle-left"\ntray = "bottom-center"\n',
                    encoding="utf-8")
    layout = load_config(path).layout
    assert layout.card_reader == "middle-left" and layout.tray == "bottom-center"
    assert layout.coin_slot == "middle-right"  # the rest keep the sample copier's places
    assert layout.cell("card_reader") == (1, 0)


@pytest.mark.parametrize("value", [
    "left", "Top-Right", "top-right ", "right-front", "", "middle-middle", "top-right\n[x]",
    "\x00\x1b[2J", "上-右", "top-" + "right" * 1000,
])
def test_a_place_that_is_not_on_the_front_is_refused_with_one_message(value: str) -> None:
    with pytest.raises(ConfigError) as info:
        from_data({"layout": {"coin_slot": value}})
    text = str(info.value)
    assert text.startswith("configuration: layout.coin_slot: coin_slot = ")
    assert "each must be a place on the copier's front, one of " + ", ".join(PLACES) in text
    assert len(text) < 400 and "\n" not in text and "\x1b" not in text


def test_every_wrong_place_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        from_data({"layout": {"card_reader": "nowhere", "tray": "under", "screen": "top-left"}})
    text = str(info.value)
    assert "layout.card_reader:" in text
    assert "card_reader = 'nowhere'" in text and "tray = 'under'" in text
    assert "screen" not in text.split(":", 2)[2].split("each")[0]


@pytest.mark.parametrize("data,words", [
    ({"card_reader": 3}, "layout.card_reader: must be a string"),
    ({"card_reader": ["top-right"]}, "layout.card_reader: must be a string"),
    ({"card_reader": None}, "layout.card_reader: must be a string"),
    ({"keypad": "top-right"}, "layout.keypad: is not a known key"),
    ("top-right", "layout: must be a table"),
])
def test_a_layout_of_the_wrong_shape_is_refused(data: Any, words: str) -> None:
    with pytest.raises(ConfigError, match=words):
        from_data({"layout": data})


def test_the_view_carries_the_configured_layout(tmp_path: Path) -> None:
    kiosk = make_kiosk(tmp_path, layout={"card_reader": "bottom-left"})
    try:
        kiosk.post(ev.Start())
        kiosk.pump()
        view = kiosk.session.view()
        assert view.places.card_reader == "bottom-left"
        assert view.places == kiosk.config.layout
    finally:
        kiosk.close()


# --- the pictograms ------------------------------------------------------------------------------
def _view(screen: str, lang: str, places: DeviceLayout = SAMPLE_COPIER) -> View:
    return replace(base_views(lang)[screen], places=places)


def _overlaps(a: Rect, b: Rect) -> bool:
    return a.x < b.right and b.x < a.right and a.y < b.bottom and b.y < a.bottom


def _check(layout: Layout, prefix: str, devices: tuple[str, ...]) -> list[str]:
    """What is wrong with the screen's pictogram: missing, empty, off screen, overlapped."""
    pic, cap = layout.find(f"{prefix}.where"), layout.find(f"{prefix}.where.caption")
    if pic is None or cap is None:
        return [f"{layout.screen}: no pictogram"]
    problems = []
    if pic.kind != KIND or tuple(pic.value[1]) != devices:
        problems.append(f"{pic.id}: {pic.kind} showing {pic.value[1]}")
    if pic.text.count("\n") != len(devices) - 1 or cap.text.count("\n") != len(devices) - 1:
        problems.append(f"{pic.id}: a label line per device wanted: {pic.text!r} {cap.text!r}")
    screen, s = Rect(0, 0, *layout.size), theme.scale(layout.size)
    if min(pic.rect.w, pic.rect.h) < 100 * s:  # the caption's fit is the UI checks'
        problems.append(f"{pic.id}: {pic.rect} too small")
    for w in (pic, cap):
        if not w.rect.inside(screen):
            problems.append(f"{w.id}: {w.rect} off screen")
        for other in layout.widgets:
            if other.id not in (pic.id, cap.id) and other.kind not in ("panel", "shade") \
                    and _overlaps(w.rect, other.rect):
                problems.append(f"{w.id} overlaps {other.id}")
    return problems


@pytest.fixture(scope="module")
def surfaces() -> dict[tuple[int, int], pygame.Surface]:
    pygame.font.init()
    return {size: pygame.Surface(size) for size in SIZES}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_each_screen_that_asks_for_a_device_shows_where_it_is(
        lang: str, size: tuple[int, int], surfaces: dict[tuple[int, int], pygame.Surface]
) -> None:
    tr, surface, s = translator(lang), surfaces[size], theme.scale(size)
    problems = []
    for screen, (prefix, devices) in ASKING.items():
        for style, ui in STYLES.items():
            layout = render_view(surface, _view(screen, lang), tr, ui)
            where = f"{screen} {style}"
            problems += [f"{where}: {p}" for p in _check(layout, prefix, devices)]
            problems += [f"{where}: {p}" for p in layout_problems(layout, s)]
    assert not problems, "\n".join(problems[:30])


def test_the_label_says_each_device_and_its_place_in_the_language() -> None:
    ja, en = translator("ja"), translator("en")
    devices = ("coin_slot", "note_slot")
    assert label_text(en, devices, SAMPLE_COPIER) == ("Coin slot: right side of the copier\n"
                                                      "Bill slot: right side of the copier")
    assert label_text(ja, ("card_reader",), SAMPLE_COPIER) == "カードリーダー：コピー機の右上"
    for lang in LANGS:
        tr = translator(lang)
        for msgid in (*NAMES.values(), *PLACE_NAMES.values()):
            assert tr.gettext(msgid), (lang, msgid)
            if lang not in ("en", "tl"):
                assert tr.gettext(msgid) != msgid, (lang, msgid)


def test_payment_without_cash_points_at_no_slot() -> None:
    view = replace(_view("payment", "en"), methods=("emoney",), paid=0)
    layout = build_layout(view, translator("en"), (1280, 800))
    assert layout.find("pay.where") is None and layout.find("pay.icon") is not None


def test_collect_points_at_the_change_tray_only_with_change() -> None:
    view = replace(_view("collect", "en"), change=0)
    pic = build_layout(view, translator("en"), (1280, 800)).find("collect.where")
    assert pic is not None and tuple(pic.value[1]) == ("tray",)


def _pixels(surface: pygame.Surface, rect: Rect) -> set[tuple[int, int, int]]:
    return {tuple(surface.get_at((x, y)))[:3]  # type: ignore[misc]
            for x in range(rect.x, rect.right, 2) for y in range(rect.y, rect.bottom, 2)}


@pytest.mark.parametrize("high_contrast", [False, True])
def test_the_device_is_lit_in_the_contrast_colour_with_smooth_edges(high_contrast: bool) -> None:
    pygame.font.init()
    surface = pygame.Surface((1280, 800))
    ui = UiState(high_contrast=high_contrast)
    layout = render_view(surface, _view("await_card", "ja"), translator("ja"), ui)
    pic = layout.find("await_card.where")
    assert pic is not None
    colours = _pixels(surface, pic.rect)
    lit = theme.YELLOW if high_contrast else theme.NORMAL.primary
    assert lit in colours  # the device and its arrow
    if high_contrast:  # edges blended between black, white, yellow and grey: anti-aliased
        assert len(colours - {theme.BLACK, theme.WHITE, theme.YELLOW, (90, 90, 90)}) >= 6
    assert len(colours) > 10


def test_another_copier_moves_the_arrow() -> None:
    pygame.font.init()
    surface = pygame.Surface((1280, 800))
    left = DeviceLayout(card_reader="middle-left")
    a = render_view(surface, _view("await_card", "en"), translator("en"))
    first = pygame.image.tobytes(surface, "RGB")
    b = render_view(surface, _view("await_card", "en", left), translator("en"))
    assert pygame.image.tobytes(surface, "RGB") != first
    pa, pb = a.find("await_card.where"), b.find("await_card.where")
    assert pa is not None and pb is not None
    assert "upper right" in pa.text and "left side" in pb.text
