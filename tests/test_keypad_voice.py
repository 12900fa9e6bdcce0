"""The physical keypad and voice guidance reach everything: focus, Enter, Back, Cancel (which
asks first), Help, volume; every screen read in its language; the PIN never said."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

import pygame  # noqa: E402
import pytest  # noqa: E402
from test_screens import SIZE, view_of  # noqa: E402

from kiosk.config import UiSection  # noqa: E402
from kiosk.i18n import translator  # noqa: E402
from kiosk.vocabulary import events  # noqa: E402
from kiosk.vocabulary.keypad import KEYPAD_KEYS  # noqa: E402
from kiosk.vocabulary.view import TextField  # noqa: E402
from screens import keypad, speech  # noqa: E402
from screens.ui import KioskUI  # noqa: E402


class Heard:
    """A speaker that keeps what it was told (the real one: drivers/audio/speech.py)."""

    def __init__(self) -> None:
        self.said: list[tuple[str, str, bool]] = []
        self.stopped = 0
        self.volume = -1

    def say(self, text: str, language: str, personal: bool = False) -> None:
        self.said.append((text, language, personal))

    def stop(self) -> None:
        self.stopped += 1

    def set_volume(self, level: int) -> None:
        self.volume = level

    def pump(self) -> bool:
        return False


def guided(view_name: str, lang: str = "en", private: bool = False,
           **changes: object) -> tuple[KioskUI, Heard]:
    heard = Heard()
    ui = KioskUI.headless(SIZE, UiSection(audio_private=private), speaker=heard)
    ui.show(view_of(view_name, lang, **changes))
    assert ui.key("help") is None  # the first key wakes the voice and does nothing else
    return ui, heard


def said(heard: Heard) -> str:
    return " / ".join(text for text, _, _ in heard.said)


def test_every_keypad_key_of_the_session_format_is_a_key_the_ui_takes() -> None:
    assert set(KEYPAD_KEYS) <= set(keypad.KEYS)
    assert keypad.key_name(pygame.K_DOWN) == "down"
    assert keypad.key_name(pygame.K_TAB, pygame.KMOD_SHIFT) == "shift-tab"
    assert keypad.key_name(pygame.K_KP5) == "5" and keypad.key_name(pygame.K_ESCAPE) == "cancel"
    assert keypad.key_name(pygame.K_F5) is None  # the demo's hands keep their keys


def test_the_first_key_reads_the_screen_and_the_keys_without_acting() -> None:
    ui, heard = guided("choose_certificate")
    text = said(heard)
    assert "Choose a certificate" in text and "Step 3 of 9" in text
    assert "Copy of resident record, ¥200" in text  # the focused choice, with its fee
    assert "Arrow keys" in text  # Help: the keys
    assert ui.guidance.focus == "choose_certificate.juminhyo"


def test_arrows_and_tab_move_the_focus_in_reading_order_and_wrap() -> None:
    ui, heard = guided("choose_certificate")
    order = [w.id for w in keypad.focus_order(ui.layout_for())]
    ui.key("down")
    assert ui.guidance.focus == order[order.index("choose_certificate.juminhyo") + 1]
    ui.key("up")
    ui.key("up")
    assert ui.guidance.focus == order[order.index("choose_certificate.juminhyo") - 1]
    for _ in range(len(order)):
        ui.key("tab")
    assert ui.guidance.focus == order[order.index("choose_certificate.juminhyo") - 1]
    ui.key("3")  # a digit: the screen's third choice
    assert ui.guidance.focus == "choose_certificate.inkan"
    assert heard.said[-1][0].startswith("Seal registration certificate")


def test_enter_chooses_what_has_the_focus() -> None:
    ui, _ = guided("choose_certificate")
    assert ui.key("enter") == events.ChooseCertificate("juminhyo")


def test_back_and_cancel_are_keys_of_their_own_and_cancel_asks_first() -> None:
    ui, heard = guided("payment")
    assert ui.key("back") is None  # money is in: no Back on the payment screen
    assert ui.key("cancel") is None
    assert ui.layout_for().find("cancel.yes") is not None
    assert "Cancel?" in said(heard) and "The ¥100 you inserted will be returned." in said(heard)
    assert ui.guidance.focus == "cancel.no"  # Enter by mistake loses nothing
    assert ui.key("enter") is None and ui.layout_for().find("cancel.yes") is None
    ui.key("cancel")
    assert ui.key("cancel") == events.Cancel()  # asked and answered
    ui2, _ = guided("choose_options")
    assert ui2.key("back") == events.Back()


def test_the_cancel_question_by_touch_and_by_escape() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("await_card", "en"))
    assert ui.tap("nav.cancel") is None
    layout = ui.layout_for()
    assert layout.find("cancel.title").text == "Cancel?"
    assert "back to the start" in layout.find("cancel.detail").text
    assert ui.tap("cancel.no") is None and ui.layout_for().find("cancel.yes") is None
    escape = pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE, mod=0)
    assert ui.handle(escape) is None and not ui.layout_for().find("cancel.yes")  # wakes voice
    assert ui.handle(escape) is None and ui.layout_for().find("cancel.yes")  # asks
    assert ui.handle(escape) == events.Cancel()  # answered
    ui.show(view_of("terms", "en"))  # a new screen: no question left open
    assert ui.layout_for().find("cancel.yes") is None


def test_the_question_is_modal_nothing_under_it_takes_a_tap() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("choose_certificate", "en"))
    ui.tap("nav.cancel")
    layout = ui.layout_for()
    choice = layout.find("choose_certificate.juminhyo")
    assert choice is not None
    x, y = choice.rect.x + choice.rect.w // 2, choice.rect.y + choice.rect.h // 2
    hit = layout.hit((x, y))
    assert hit is None or hit.id.startswith("cancel.")
    assert [w.id for w in keypad.focus_order(layout)] == ["cancel.no", "cancel.yes"]


def test_the_pin_is_never_said_a_digit_is_one_digit_entered() -> None:
    ui, heard = guided("pin_entry", tries_left=3, message=None, last_try_warning=False)
    assert "3 tries left" in said(heard)
    heard.said.clear()
    for digit in "2580":
        ui.key(digit)
    ui.key("backspace")
    ui.key("enter")
    assert [t for t, _, _ in heard.said] == ["One digit entered"] * 4 + [
        "One digit deleted", "1 more digit, please"]
    ui.key("0")
    assert isinstance(ui.key("enter"), events.EnterPin)
    assert not any(ch in text for text, _, _ in heard.said for ch in "2580")


def test_a_change_on_the_screen_is_read_as_it_happens() -> None:
    ui, heard = guided("payment", paid=0, can_cancel=True)
    heard.said.clear()
    ui.show(view_of("payment", "en", paid=100))
    text = said(heard)
    assert "¥100" in text and "¥300" in text  # paid, and still to pay
    ui2, heard2 = guided("choose_copies")  # 2 copies; the focus starts on "Fewer"
    heard2.said.clear()
    ui2.key("enter")
    assert "1 copy" in said(heard2) and "¥200" in said(heard2)


def test_the_residents_own_words_stay_off_the_loudspeaker() -> None:
    fields = (TextField("honseki", "千代田区千代田一番", 40),
              TextField("hittousha", "架空一郎", 20))
    ui, heard = guided("registration_confirm", "ja", fields=fields)
    assert "架空一郎" not in said(heard)
    ui2, heard2 = guided("registration_confirm", "ja", private=True, fields=fields)
    assert "架空一郎" in said(heard2)
    assert any(personal for _, _, personal in heard2.said)


def test_volume_keys_move_within_range_and_say_it() -> None:
    ui, heard = guided("terms")
    for _ in range(12):
        ui.key("volume-up")
    assert heard.volume == 10 and "Volume 10 of 10" in said(heard)
    for _ in range(12):
        ui.key("volume-down")
    assert heard.volume == 0


def test_a_languages_button_is_said_in_its_language() -> None:
    ui, heard = guided("idle", "ja")
    while ui.guidance.focus != "lang.vi":
        ui.key("left")
    assert heard.said[-1][:2] == ("Tiếng Việt", "vi")


def test_guidance_ends_with_the_visit_and_mutes_the_prompts_meanwhile() -> None:
    muted: list[bool] = []
    ui = KioskUI.headless(SIZE, speaker=Heard())
    ui.guidance.on_guidance = muted.append
    ui.show(view_of("terms", "en"))
    ui.key("down")
    assert ui.guidance.guided and muted == [True]
    ui.show(view_of("idle", "en"))
    assert not ui.guidance.guided and muted == [True, False] and not ui.guidance.said


def test_the_focus_ring_is_drawn_while_guidance_is_on() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("choose_certificate", "en"))
    ui.render()
    choice = ui.layout_for().find("choose_certificate.juminhyo")
    assert choice is not None
    edge = (choice.rect.x - 3, choice.rect.y + choice.rect.h // 2)
    before = tuple(ui.surface.get_at(edge))[:3]
    ui.key("down")  # wakes the voice: the focus on the first choice
    ui.render()
    assert ui.guidance.focus == "choose_certificate.juminhyo"
    assert tuple(ui.surface.get_at(edge))[:3] != before
    assert tuple(ui.surface.get_at(edge))[:3] in ((255, 138, 0), (0, 0, 0))


@pytest.mark.parametrize("screen", ["idle", "terms", "payment", "confirm", "collect", "error"])
def test_every_screen_reads_something_in_every_language(screen: str) -> None:
    for lang in ("ja", "en", "zh-Hans", "th"):
        ui, heard = guided(screen, lang)
        assert said(heard).strip(), (screen, lang)
        assert all(language == lang or language in ("vi",) for _, language, _ in heard.said)


def test_a_pin_screen_is_read_without_its_boxes() -> None:
    ui = KioskUI.headless(SIZE)
    ui.show(view_of("pin_entry", "en", step=4))
    for digit in "2580":
        ui.key(digit)
    text = speech.summary(ui.layout_for(), translator("en"), private=True)
    assert "Please enter your PIN" in text
    assert "●" not in text and not any(d in text for d in "2580")
