"""The screens: every state in every offered language draws, fits, has real glyphs and the ids and
actions the replay files rely on; the UI keeps the PIN to itself."""

from __future__ import annotations

import math
import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402
from pathlib import Path  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.config import UiSection  # noqa: E402
from kiosk.i18n import available_languages, translator  # noqa: E402
from kiosk.replay.screenshots import CERTIFICATES, MUNICIPALITIES, OPTIONS, base_views
from kiosk.services.registry import all_states  # noqa: E402
from kiosk.vocabulary import events  # noqa: E402
from kiosk.vocabulary.view import View  # noqa: E402
from screens import SCREENS, STATES, build_layout, render_view  # noqa: E402
from screens.actions import ToggleStyle  # noqa: E402
from screens.fonts import font_chain, has_glyphs  # noqa: E402
from screens.layout import BAR_LANGUAGES, Layout, Rect  # noqa: E402
from screens.ui import KioskUI  # noqa: E402

SIZE = (1280, 800)
MIN_TOUCH_PX = 57  # 15 mm at 96 dpi

JOURNEY = dict(step=3, steps=9, can_cancel=True, seconds_left=42)
CHOSEN = dict(municipalities=MUNICIPALITIES, municipality=MUNICIPALITIES[0],
              certificates=CERTIFICATES, certificate="juminhyo", options=OPTIONS, copies=2,
              max_copies=10, fee=400)
EXTRA: dict[str, dict[str, object]] = {
    "closed": dict(message="closed-day"),
    "out_of_service": dict(message="printer-fault"),
    "terms": dict(can_back=True, can_cancel=True),
    "await_card": dict(JOURNEY, step=1, can_back=True),
    "reading_card": dict(JOURNEY, step=1, can_cancel=False, busy=True),
    "pin_entry": dict(JOURNEY, step=2, tries_left=1, last_try_warning=True, message="pin-wrong",
                      card_kind="mynumber"),
    "authenticating": dict(step=2, steps=9, busy=True),
    "remove_card": dict(step=2, steps=9, alarm="forgotten-card", seconds_left=12),
    "choose_municipality": dict(JOURNEY, municipalities=MUNICIPALITIES),
    "choose_certificate": dict(JOURNEY, can_back=True, **CHOSEN),
    "choose_options": dict(JOURNEY, can_back=True, **CHOSEN),
    "choose_copies": dict(JOURNEY, can_back=True, **CHOSEN),
    "confirm": dict(JOURNEY, can_back=True, **CHOSEN),
    "requesting": dict(step=7, steps=9, busy=True, **CHOSEN),
    "payment": dict(JOURNEY, step=8, paid=100, **CHOSEN),
    "printing": dict(step=9, steps=9, busy=True, pages_done=1, pages_total=2, **CHOSEN),
    "collect": dict(step=9, steps=9, change=600, alarm="forgotten-paper", **CHOSEN),
    "refunding": dict(refund=1000, message="printer-fault"),
    "error": dict(message="pin-locked"),
    **{name: {k: v for k, v in vars(view).items() if k not in ("screen", "language")}
       for name, view in base_views("ja").items() if name.startswith("regist")},
}
LANGS = available_languages()


def view_of(state: str, lang: str = "ja", **changes: object) -> View:
    return View(screen=state, language=lang, **{**EXTRA.get(state, {}), **changes})


@pytest.fixture(scope="module")
def surface() -> Iterator[pygame.Surface]:
    pygame.font.init()
    yield pygame.Surface(SIZE)


def test_there_is_one_screen_module_per_state() -> None:
    # 28, phone_confirm, the PIN reset's 7, the forms' 9 and the counter's ticket
    assert set(SCREENS) == set(STATES) == set(all_states()) and len(STATES) == 28 + 1 + 7 + 9 + 1
    assert all(SCREENS[s].__name__ == STATES[s].screen == f"screens.{s}" for s in STATES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("state", STATES)
def test_every_screen_draws_fits_and_has_real_glyphs(state: str, lang: str,
                                                     surface: pygame.Surface) -> None:
    layout = render_view(surface, view_of(state, lang))
    screen = Rect(0, 0, *SIZE)
    ids = [w.id for w in layout.widgets]
    assert len(ids) == len(set(ids)), "widget ids are unique"
    prefix = "pay" if state == "payment" else state
    for w in layout.widgets:
        assert w.id.split(".")[0] in (prefix, "frame", "nav", "lang", "voice", "ui"), w.id
        assert w.rect.inside(screen), (w.id, w.rect)
        for text in w.texts:
            assert has_glyphs(text), (w.id, text)
        if w.action is not None:
            assert min(w.rect.w, w.rect.h) >= MIN_TOUCH_PX, (w.id, w.rect)
    if len(LANGS) <= BAR_LANGUAGES or state == "idle":
        for code in LANGS:
            assert layout.find(f"lang.{code}").action == events.ChooseLanguage(code)
    else:
        assert layout.find("lang.more") is not None
    assert layout.find("ui.large_text").action == ToggleStyle("large_text")
    assert layout.find("ui.high_contrast").action == ToggleStyle("high_contrast")
    assert layout.find("voice.stop").action == events.StopVoice()


@pytest.mark.parametrize("size", [(1024, 600), (1024, 768), (1920, 1080), (800, 480)])
def test_every_screen_fits_other_screen_sizes(size: tuple[int, int]) -> None:
    screen = Rect(0, 0, *size)
    for state in STATES:
        layout = build_layout(view_of(state, "en"), size=size)
        assert all(w.rect.inside(screen) for w in layout.widgets), state


def action(layout: Layout, widget_id: str) -> object:
    widget = layout.find(widget_id)
    assert widget is not None, widget_id
    return widget.action


def test_the_ids_and_actions_replay_files_use() -> None:
    def at(state: str, **changes: object) -> Layout:
        return build_layout(view_of(state, **changes))

    assert action(at("idle"), "idle.start") == events.Start("certificates")
    assert action(at("terms"), "terms.agree") == events.Agree(True)
    assert action(at("choose_municipality"), "choose_municipality.102016") == \
        events.ChooseMunicipality("102016")
    assert action(at("choose_certificate"), "choose_certificate.juminhyo") == \
        events.ChooseCertificate("juminhyo")
    assert action(at("confirm"), "confirm.ok") == events.Confirm(True)
    assert action(at("payment"), "pay.cancel") == events.Cancel()
    assert action(at("payment", can_cancel=False), "pay.cancel") == events.Cancel()
    assert at("payment").find("nav.cancel") is None
    assert action(at("collect"), "collect.paper") == events.Take("paper")
    assert action(at("collect"), "collect.change") == events.Take("change")
    assert at("collect", change=0).find("collect.change") is None
    assert action(at("refunding"), "refunding.change") == events.Take("change")
    assert action(at("error"), "error.ok") == events.Confirm(True)
    assert action(at("choose_options"), "choose_options.next") == events.SetOptions(
        {"household": "self", "head_relation": False, "honseki": True, "mynumber": False,
         "year": 2025})
    assert action(at("choose_copies"), "choose_copies.next") == events.SetCopies(2)
    assert action(at("await_card"), "nav.back") == events.Back()
    assert action(at("await_card"), "nav.cancel") == events.Cancel()
    assert at("closed").find("nav.cancel") is None and at("closed").find("nav.back") is None
    assert action(at("choose_copies", seconds_left=12), "frame.more_time") == events.MoreTime()
    assert at("choose_copies").find("frame.more_time") is None  # 42 s left: not yet
    assert at("remove_card").find("frame.more_time") is None  # its timeout is an alarm


def test_the_screens_show_the_numbers() -> None:
    def text(state: str, widget_id: str, lang: str = "en", **changes: object) -> str:
        widget = build_layout(view_of(state, lang, **changes)).find(widget_id)
        assert widget is not None, widget_id
        return widget.text

    assert text("payment", "pay.due") == "¥300"
    assert text("payment", "pay.due", "ja") == "300円"
    assert text("choose_copies", "choose_copies.total") == "Total: ¥400"
    assert "¥600" in text("collect", "collect.text")
    assert text("refunding", "refunding.heading") == "Returning ¥1,000."
    assert text("printing", "printing.pages") == "1 of 2 pages printed"
    assert text("pin_entry", "pin_entry.tries") == "1 try left"
    assert "last try" in text("pin_entry", "pin_entry.notice")
    assert text("error", "error.heading", "ja").startswith("暗証番号")
    assert text("remove_card", "frame.alarm", "ja") == \
        translator("ja").gettext("Your card is still on the reader. Please take it!")
    assert text("choose_municipality", "choose_municipality.102016") == "Maebashi City"
    assert text("choose_certificate", "choose_certificate.koseki-zenbu", "ja") == \
        "戸籍証明書（全部事項）"
    assert build_layout(view_of("confirm", "en")).find("confirm.fee").text == "¥400"


# --- KioskUI ------------------------------------------------------------------------------------
def all_texts(ui: KioskUI) -> str:
    return "\n".join(t for w in ui.layout_for().widgets for t in w.texts)


def center(ui: KioskUI, widget_id: str) -> tuple[int, int]:
    widget = ui.layout_for().find(widget_id)
    assert widget is not None, widget_id
    return widget.rect.x + widget.rect.w // 2, widget.rect.y + widget.rect.h // 2


def test_the_pin_is_typed_masked_handed_over_and_wiped() -> None:
    ui = KioskUI.headless(SIZE)
    ui.render(view_of("pin_entry", "en"))
    assert ui.layout_for().find("pin_entry.ok").action is None  # nothing typed yet
    assert ui.tap("pin_entry.key2") is None
    assert ui.press(center(ui, "pin_entry.key5")) is None
    ui.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_8))
    ui.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_KP0))
    assert ui.tap("pin_entry.key9") is None  # a fifth digit is ignored
    assert ui.pin_length == 4
    texts = all_texts(ui)
    assert ui.layout_for().find("pin_entry.display").text == "●●●●"
    for part in ("2580", "258", "580", "25", "58", "80"):
        assert part not in texts
    assert ui.render() is True  # the typing changed the screen
    event = ui.tap("pin_entry.ok")
    assert isinstance(event, events.EnterPin)
    assert event.pin == bytearray(b"2580") and "2580" not in repr(event)
    assert ui.pin_length == 0 and not any(ui._pin)


def test_backspace_clear_and_a_new_screen_wipe_the_pin() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("pin_entry", "en"))
    for key in (pygame.K_1, pygame.K_2, pygame.K_BACKSPACE):
        ui.handle(pygame.event.Event(pygame.KEYDOWN, key=key))
    assert ui.pin_length == 1
    ui.tap("pin_entry.clear")
    assert ui.pin_length == 0
    ui.tap("pin_entry.key7")
    ui.show(view_of("pin_entry", "en", seconds_left=5))  # same screen: kept
    assert ui.pin_length == 1
    ui.show(view_of("authenticating", "en"))
    assert ui.pin_length == 0 and not any(ui._pin)
    ui.show(view_of("pin_entry", "en"))
    assert ui.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_RETURN)) is None


def test_options_and_copies_stay_in_the_ui_until_next() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("choose_options", "en"))
    assert ui.tap("choose_options.mynumber") is None
    assert ui.tap("choose_options.household.all") is None
    assert ui.tap("choose_options.year.2024") is None
    assert ui.layout_for().find("choose_options.mynumber").value is True
    assert ui.tap("choose_options.next") == events.SetOptions(
        {"household": "all", "head_relation": False, "honseki": True, "mynumber": True,
         "year": 2024})
    ui.show(view_of("choose_copies", "en", copies=1, max_copies=3))
    assert ui.layout_for().find("choose_copies.minus").action is None
    for _ in range(3):
        ui.tap("choose_copies.plus")
    assert ui.layout_for().find("choose_copies.plus").action is None
    assert ui.layout_for().find("choose_copies.total").text == "Total: ¥600"
    assert ui.tap("choose_copies.next") == events.SetCopies(3)


def test_taps_touches_and_keys_become_events() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("payment", "en"))
    x, y = center(ui, "pay.cancel")
    up = pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1, touch=False)
    assert ui.handle(up) is None  # Cancel asks first
    yes = center(ui, "cancel.yes")
    assert ui.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=yes, button=1,
                                        touch=False)) == events.Cancel()
    synthetic = pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1, touch=True)
    assert ui.handle(synthetic) is None  # SDL's mouse copy of a touch: the FINGER event counts
    finger = pygame.event.Event(pygame.FINGERUP, x=x / SIZE[0], y=y / SIZE[1], touch_id=1,
                                finger_id=0, dx=0.0, dy=0.0, pressure=1.0)
    assert ui.handle(finger) is None and ui.tap("cancel.yes") == events.Cancel()
    escape = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0)
    assert ui.handle(escape) is None  # the first key of the keypad wakes the voice
    assert ui.handle(escape) is None and ui.handle(escape) == events.Cancel()
    # A press that slides off its button does nothing; one begun on a gone screen neither.
    ui.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False))
    assert ui.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(5, 5), button=1)) is None
    ui.handle(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, y), button=1, touch=False))
    ui.show(view_of("await_card", "en"))
    x, y = center(ui, "nav.cancel")
    assert ui.handle(pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(x, y), button=1)) is None
    assert ui.press((x, y)) is None and ui.press(center(ui, "cancel.yes")) == events.Cancel()


def test_a_busy_screen_takes_no_input_but_the_language() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("printing", "ja", can_cancel=True))
    assert ui.tap("nav.cancel") is None
    assert ui.tap("lang.en") == events.ChooseLanguage("en")


def test_render_draws_only_on_change_and_screenshots(tmp_path: Path) -> None:
    ui = KioskUI.headless(SIZE)
    view = view_of("confirm", "ja")
    assert ui.render(view) is True
    assert ui.render(view) is False
    assert ui.render(replace(view, seconds_left=10)) is True
    busy = view_of("requesting", "ja")
    assert ui.render(busy, now=0.0) is True
    assert ui.render(busy, now=0.01) is False
    assert ui.render(busy, now=0.5) is True  # the spinner turned
    path = ui.screenshot(tmp_path / "requesting.png")
    assert pygame.image.load(str(path)).get_size() == SIZE


def test_missing_glyphs_are_detected_by_rendering() -> None:
    assert has_glyphs("マイナンバーカード 住民票の写し ¥1,200 ●")
    assert not has_glyphs("\ue000")
    assert not has_glyphs("証明書\ue000")
    if not any("Thai" in p.name for p in font_chain()):
        assert not has_glyphs("ภาษาไทย")  # Noto Sans CJK has no Thai


def test_with_many_languages_the_bar_offers_the_full_list(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = Path(__file__).resolve().parents[1] / "locales" / "en" / "LC_MESSAGES" / "kiosk.po"
    for code in ("ja", "en", "zh-Hans", "zh-Hant", "ko", "es", "pt-BR", "vi"):
        po = tmp_path / code / "LC_MESSAGES" / "kiosk.po"
        po.parent.mkdir(parents=True)
        po.write_bytes(source.read_bytes())
    monkeypatch.setenv("KIOSK_LOCALES", str(tmp_path))
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("choose_copies", "ko"))
    bar = [w.id for w in ui.layout_for().widgets if w.id.startswith("lang.")]
    assert bar == ["lang.ja", "lang.en", "lang.ko", "lang.more"]
    assert ui.tap("lang.more") is None
    listed = ui.layout_for()
    assert listed.find("lang.vi") is not None and listed.find("choose_copies.next") is None
    assert all(w.rect.inside(Rect(0, 0, *SIZE)) and has_glyphs(w.text) for w in listed)
    assert ui.tap("lang.es") == events.ChooseLanguage("es")
    assert ui.layout_for().find("choose_copies.next") is not None  # the list closed
    idle = build_layout(view_of("idle", "en"))
    assert len([w for w in idle.widgets if w.id.startswith("lang.")]) == 8  # all, big


def test_the_more_time_dialog_is_modal_and_big() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("confirm", "en", seconds_left=15))
    layout = ui.layout_for()
    more = layout.find("frame.more_time")
    assert more is not None and more.rect.h >= 100
    assert layout.find("frame.time").text == "15 seconds left"
    assert ui.press(center(ui, "frame.more_time")) == events.MoreTime()
    assert ui.press(center(ui, "confirm.ok")) is None  # under the dialog: nothing
    assert ui.tap("confirm.ok") == events.Confirm(True)  # replay taps by id still work
    assert build_layout(view_of("printing", "en", seconds_left=5)).find("frame.more_time") \
        is None  # busy: no dialog


def test_large_text_and_high_contrast_last_the_visit() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("idle", "en"))
    assert ui.tap("ui.large_text") is None and ui.ui_state().large_text
    normal = build_layout(view_of("terms", "en"))
    ui.show(view_of("terms", "en"))
    assert ui.tap("ui.high_contrast") is None
    layout = ui.layout_for()
    assert layout.style.large_text and layout.style.high_contrast
    assert layout.find("ui.large_text").tone == "selected"
    assert normal.style.large_text is False
    ui.render()
    assert ui.surface.get_at((2, SIZE[1] // 2))[:3] == (0, 0, 0)  # black background
    ui.show(view_of("thanks", "en"))
    assert ui.ui_state().large_text  # kept to the end of the visit
    ui.show(view_of("idle", "en"))
    assert not ui.ui_state().large_text and not ui.ui_state().high_contrast


def test_config_defaults_the_style_and_dpi_sets_the_touch_minimum() -> None:
    settings = UiSection(dpi=160.0, large_text=True, high_contrast=True)
    ui = KioskUI.headless(SIZE, settings)
    ui.show(view_of("choose_certificate", "en"))
    layout = ui.layout_for()
    assert layout.style.large_text and layout.style.high_contrast
    need = math.ceil(160 * 15 / 25.4)
    for w in layout.widgets:
        if w.action is not None:
            assert min(w.rect.w, w.rect.h) >= need, (w.id, w.rect)
            assert w.rect.inside(Rect(0, 0, *SIZE)), w.id


def test_a_shuffled_keypad_changes_per_pin_screen_and_keys_still_type() -> None:
    ui = KioskUI.headless(SIZE, UiSection(shuffle_keypad=True), seed=7)
    orders = []
    for _ in range(4):
        ui.show(view_of("pin_entry", "en"))
        orders.append(ui.keypad)
        assert sorted(ui.keypad) == sorted("0123456789")
        ui.show(view_of("authenticating", "en"))
    assert len(set(orders)) > 1
    ui.show(view_of("pin_entry", "en"))
    layout = ui.layout_for()
    first = layout.find(f"pin_entry.key{ui.keypad[0]}")
    assert first.rect.x < layout.find("pin_entry.ok").rect.x  # top left: the first digit
    for key in (pygame.K_1, pygame.K_2, pygame.K_3):
        ui.handle(pygame.event.Event(pygame.KEYDOWN, key=key))
    ui.tap("pin_entry.key4")
    event = ui.tap("pin_entry.ok")
    assert isinstance(event, events.EnterPin) and event.pin == bytearray(b"1234")
    plain = KioskUI.headless(SIZE)
    plain.show(view_of("pin_entry", "en"))
    assert plain.keypad == tuple("1234567890")
