"""Waiting for the My Number card (or the smartphone) on the reader."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.pictograms import beside


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Place your card"), ui=ui)
    beside(frame, "await_card", ("card_reader",), view.places)
    message(frame, "await_card", tr._("Please place your My Number card on the card reader."),
            tr._("You can also use an Android smartphone with the My Number card function. "
                 "Keep it on the reader until you are asked to remove it."),
            pictogram="card")
    return frame.layout()
