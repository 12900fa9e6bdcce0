"""The application is recorded: when the 本籍地's certificates can be had at kiosks."""

from __future__ import annotations

from datetime import date

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, UiState


def usable_text(tr: Translator, iso: str | None) -> str:
    if not iso:
        return tr._("The municipality will check your application.")
    day = date.fromisoformat(iso)
    return tr._("The municipality will check your application. From about %(date)s you can get "
                "its family register certificates at kiosks.") % {"date": tr.date(day)}


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Application received"), ui=ui)
    message(frame, "registration_done", tr._("Your application has been received."),
            usable_text(tr, view.usable_from), pictogram="check")
    frame.primary("registration_done.ok", tr._("OK"), events.Confirm(True))
    return frame.layout()
