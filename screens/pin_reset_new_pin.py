"""The PIN reset's new 4-digit PIN, on the PIN keypad: first entry (and, from
``pin_reset_pin_again``, the second). Only dots are shown; the UI keeps the digits."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.layout import NO_UI, Layout, UiState
from screens.pin_entry import pin_screen
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    again = view.screen == "pin_reset_pin_again"
    prompt = (tr._("Enter the same new PIN (4 digits) once more.") if again
              else tr._("Choose your new PIN (4 digits) and enter it."))
    notice = "\n".join(reason(tr, "pin-mismatch")) if view.message == "pin-mismatch" else ""
    return pin_screen(view, tr, size, ui, view.screen,  # the widgets' prefix: the state
                      tr._("Enter it again") if again else tr._("Enter the new PIN"), prompt,
                      notice, tries=False)
