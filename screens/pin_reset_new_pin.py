"""The PIN reset's new 4-digit PIN, on the PIN keypad: first entry (and, from
``pin_reset_pin_again``, the second). Only dots are shown; the UI keeps the digits."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens import theme
from screens.layout import NO_UI, PIN_DIGITS, Frame, Layout, Rect, UiState
from screens.pin_entry import keypad
from screens.texts import reason
from screens.widgets import label, pin_boxes


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    again = view.screen == "pin_reset_pin_again"
    p = view.screen  # the widgets' prefix: this state's name
    frame = Frame(view, tr, size, tr._("Enter it again") if again
                  else tr._("Enter the new PIN"), ui=ui)
    px, body = frame.px, frame.body
    gap = px(theme.GAP)
    pad_w = min(px(480), body.w // 2)
    keypad(frame, tr, Rect(body.right - pad_w, body.y, pad_w, body.h), ui.pin_length, ui.keypad,
            p)
    left = Rect(body.x, body.y, body.w - pad_w - px(40), body.h)
    prompt = (tr._("Enter the same new PIN (4 digits) once more.") if again
              else tr._("Choose your new PIN (4 digits) and enter it."))
    y, prompt_h = left.y, px(110 * frame.style.text_scale)
    frame.add(label(f"{p}.prompt", Rect(left.x, y, left.w, prompt_h), prompt, role="heading"))
    y += prompt_h + gap
    frame.add(pin_boxes(f"{p}.display", Rect(left.x, y, left.w, px(90)), ui.pin_length,
                        PIN_DIGITS))
    y += px(90) + gap
    if view.message == "pin-mismatch" and left.bottom - y >= px(48):
        frame.add(label(f"{p}.notice", Rect(left.x, y, left.w, left.bottom - y),
                        "\n".join(reason(tr, "pin-mismatch")), tone="warning", align="left"))
    return frame.layout()
