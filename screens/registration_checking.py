"""Sign-in done: the center says where this resident may apply (本籍地 registration)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Family register registration"), ui=ui)
    message(frame, "registration_checking", tr._("Checking your registration…"),
            tr._("This may take a few seconds. Please wait."), busy=True)
    return frame.layout()
