"""The card must come off the reader before the resident goes on (the frame shows the alarm)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.pictograms import beside


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Remove your card"), ui=ui)
    beside(frame, "remove_card", ("card_reader",), view.places)
    phone = view.card_kind in ("smartphone", "iphone")
    heading = (tr._("Please remove your smartphone.") if phone
               else tr._("Please remove your card."))
    message(frame, "remove_card", heading,
            tr._("Your card has been read. Take it from the reader to continue."),
            pictogram="phone" if phone else "card")
    return frame.layout()
