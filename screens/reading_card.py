"""The card is being read."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Reading your card"), ui=ui)
    if view.card_kind in ("smartphone", "iphone"):
        heading, text = tr._("Reading your smartphone…"), tr._("Do not move your smartphone.")
    else:
        heading, text = tr._("Reading your card…"), tr._("Do not remove your card.")
    message(frame, "reading_card", heading, text, busy=True)
    return frame.layout()
