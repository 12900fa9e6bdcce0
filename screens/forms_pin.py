"""The forms service: the 4-digit PIN of the card's text-helper AP (券面事項入力補助), its tries
shown, on the keypad the UI keeps to itself."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens import theme
from screens.layout import NO_UI, PIN_DIGITS, Frame, Layout, Rect, UiState
from screens.pin_entry import keypad
from screens.texts import reason
from screens.widgets import label, pin_boxes


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Enter your PIN"), ui=ui)
    px, body = frame.px, frame.body
    gap = px(theme.GAP)
    pad_w = min(px(480), body.w // 2)
    keypad(frame, tr, Rect(body.right - pad_w, body.y, pad_w, body.h), ui.pin_length,
            ui.keypad, "forms_pin")
    left = Rect(body.x, body.y, body.w - pad_w - px(40), body.h)
    y, prompt_h = left.y, px(110 * frame.style.text_scale)
    frame.add(label("forms_pin.prompt", Rect(left.x, y, left.w, prompt_h),
                    tr._("Enter the PIN (4 digits) for filling in forms from your card."),
                    role="heading"))
    y += prompt_h + gap
    frame.add(pin_boxes("forms_pin.display", Rect(left.x, y, left.w, px(90)), ui.pin_length,
                        PIN_DIGITS))
    y += px(90) + gap
    if view.tries_left is not None:
        tries = tr.ngettext("%(n)d try left", "%(n)d tries left", view.tries_left)
        frame.add(label("forms_pin.tries", Rect(left.x, y, left.w, px(48)),
                        tries % {"n": view.tries_left}, tone="muted", align="center"))
        y += px(48) + gap
    if view.message == "pin-wrong" and left.bottom - y >= px(48):
        frame.add(label("forms_pin.notice", Rect(left.x, y, left.w, left.bottom - y),
                        "\n".join(reason(tr, "pin-wrong")), tone="warning", align="left"))
    return frame.layout()
