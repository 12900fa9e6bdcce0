"""The kiosk is outside service hours or on a closed day."""

from __future__ import annotations

from datetime import datetime

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Service closed"), ui=ui)
    what, todo = reason(tr, view.message or "closed-hours")
    if view.opens_at:
        when = datetime.fromisoformat(view.opens_at)
        todo = tr._("Opens again: %(when)s") % {"when": f"{when:%m/%d %H:%M}"}
    message(frame, "closed", what, todo)
    return frame.layout()
