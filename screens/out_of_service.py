"""The kiosk cannot serve (printer, center or cash unit down)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Out of service"), ui=ui)
    text = tr._("Sorry for the inconvenience. Please use another kiosk or ask the store staff.")
    if view.message:
        text = reason(tr, view.message)[0] + "\n" + text
    message(frame, "out_of_service", tr._("This kiosk cannot issue certificates right now."),
            text, pictogram="warning")
    return frame.layout()
