"""The forms service is done: the form is in the tray; take it and the card to the counter."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import message
from screens.forms_texts import title
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, title(tr), ui=ui)
    message(frame, "forms_done", tr._("Your form has been printed."),
            tr._("Take the form and your card. Check the form, sign it and take it to the "
                 "counter."), pictogram="check")
    frame.primary("forms_done.ok", tr._("OK"), events.Confirm(True))
    return frame.layout()
