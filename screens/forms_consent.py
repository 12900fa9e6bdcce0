"""The forms service: may the individual number go onto the form? (only on a form that takes it;
it is read from the card only after a yes)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import button_row, intro
from screens.forms_texts import form_name
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Your individual number"), ui=ui)
    area = intro(frame, "forms_consent", form_name(tr, view.form))
    gap = frame.px(theme.GAP)
    row_h = frame.tpx(theme.MIN_TOUCH * 1.3)
    text = Rect(area.x, area.y, area.w, area.h - row_h - gap)
    frame.add(label("forms_consent.text", text, tr._(
        "This form has a box for your individual number (My Number). Print it on the form? "
        "If you choose not to, the box stays blank and you can fill it in at the counter."),
        tone="card", align="top-left"))
    button_row(frame, Rect(area.x, area.bottom - row_h, area.w, row_h), [
        ("forms_consent.no", tr._("Leave it blank"), events.Agree(False))])
    frame.primary("forms_consent.yes", tr._("Print my number"), events.Agree(True))
    return frame.layout()
