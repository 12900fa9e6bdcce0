"""The money is going back (cancelled, or nothing could be printed)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import button_row, message
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import reason


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Returning your money"), ui=ui)
    text = tr._("Please take your money from the change tray.")
    if view.refund_owed:  # the unit could not give it all: the staff pay the rest
        text = tr._("%(amount)s could not be returned. Please ask the staff.") % {
            "amount": tr.yen(view.refund_owed)} + "\n" + text
    if view.message:  # why (a cancel says it was cancelled)
        text = reason(tr, view.message)[0] + "\n" + text
    # what is being (or, once the unit has paid out, was) returned: never a zero while the
    # resident's money lies in the tray
    heading = tr._("Returning %(amount)s.") % {"amount": tr.yen(view.refund)}
    row = message(frame, "refunding", heading, text, pictogram="coins",
                  reserve=frame.px(theme.NAV_H))
    button_row(frame, row, [("refunding.change", tr._("I have taken the money"),
                             events.Take("change"))])
    return frame.layout()
