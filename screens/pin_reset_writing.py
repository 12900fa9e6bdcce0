"""The PIN reset: the new PIN goes to the card (and to no one else)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("PIN reset"), ui=ui)
    message(frame, "pin_reset_writing", tr._("Setting your new PIN on the card…"),
            tr._("Do not remove your card. This may take a few seconds."), busy=True)
    return frame.layout()
