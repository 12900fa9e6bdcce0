"""The forms service: the form is drawn and printed."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens.common import message
from screens.forms_texts import form_name, title
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, title(tr), ui=ui)
    message(frame, "forms_printing", tr._("Printing your form…"), form_name(tr, view.form),
            busy=True)
    return frame.layout()
