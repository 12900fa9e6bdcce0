"""The PIN reset is done: the card has its new PIN (and signing password); take the card."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def done_text(tr: Translator, pins: tuple[str, ...]) -> str:
    if "signing" in pins:
        return tr._("Your new PIN and your new signing password are set. Please take your card.")
    return tr._("Your new PIN is set and its tries are restored. Please take your card.")


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("PIN reset"), ui=ui)
    message(frame, "pin_reset_done", tr._("Your PIN has been reset."),
            done_text(tr, view.pins_reset), pictogram="check")
    frame.primary("pin_reset_done.ok", tr._("OK"), events.Confirm(True))
    return frame.layout()
