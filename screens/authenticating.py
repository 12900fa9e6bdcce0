"""The user-authentication certificate is being checked."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Checking your certificate"), ui=ui)
    message(frame, "authenticating", tr._("Checking your electronic certificate…"),
            tr._("Please wait. Do not remove your card."), busy=True)
    return frame.layout()
