"""The PIN reset: the card's certificate is read and the center asked for the reservation."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("PIN reset"), ui=ui)
    message(frame, "pin_reset_checking", tr._("Checking your reservation…"),
            tr._("Leave your card on the reader. This may take a few seconds."), busy=True)
    return frame.layout()
