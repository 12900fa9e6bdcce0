"""The end of a successful visit."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("All done"), ui=ui)
    message(frame, "thanks", tr._("Thank you for using this service."),
            tr._("Please make sure you have your card, your certificate and your change."),
            pictogram="check")
    return frame.layout()
