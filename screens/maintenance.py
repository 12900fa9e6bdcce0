"""Staff or an engineer is working on the kiosk."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Maintenance"), ui=ui)
    message(frame, "maintenance", tr._("Maintenance in progress."),
            tr._("Please wait a moment or use another kiosk."))
    return frame.layout()
