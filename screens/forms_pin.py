"""The forms service: the 4-digit PIN of the card's text-helper AP (券面事項入力補助), its tries
shown, on the keypad the UI keeps to itself."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.layout import NO_UI, Layout, UiState
from screens.pin_entry import pin_screen
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    notice = "\n".join(reason(tr, "pin-wrong")) if view.message == "pin-wrong" else ""
    return pin_screen(view, tr, size, ui, "forms_pin", tr._("Enter your PIN"),
                      tr._("Enter the PIN (4 digits) for filling in forms from your card."),
                      notice)
