"""Something stopped the visit: what happened, and what to do."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Notice"), ui=ui)
    what, todo = reason(tr, view.message)
    message(frame, "error", what, todo, pictogram="warning", heading_tone="error")
    frame.primary("error.ok", tr._("Finish"), events.Confirm(True))
    return frame.layout()
