"""The forms service: the PIN goes to the card, which gives the name, address, birth date, sex."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.forms_texts import title
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, title(tr), ui=ui)
    message(frame, "forms_reading", tr._("Reading your card…"),
            tr._("Leave your card on the reader. This may take a few seconds."), busy=True)
    return frame.layout()
