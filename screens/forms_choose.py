"""The forms service: which form to print pre-filled."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro, list_rects
from screens.forms_texts import form_name
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.widgets import button


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose a form"), ui=ui)
    area = intro(frame, "forms_choose", tr._("Choose the form to print with your details."))
    for form, rect in zip(view.forms, list_rects(frame, area, len(view.forms)), strict=True):
        frame.add(button(f"forms_choose.{form}", rect, form_name(tr, form),
                         events.ChooseForm(form), align="left"))
    return frame.layout()
