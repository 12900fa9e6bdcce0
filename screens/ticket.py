"""A counter kiosk's ticket (受付票, らくらく窓口): its number, and where to pay and collect."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import button


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Your ticket"), ui=ui)
    heading = (tr._("Your number is %(number)s.") % {"number": view.ticket} if view.ticket
               else tr._("Please take your ticket."))
    text = tr._("Take the ticket from the output tray and wait to be called at the counter. "
                "Pay the fee (%(amount)s) at the counter.") % {"amount": tr.yen(view.fee or 0)}
    row = message(frame, "ticket", heading, text, pictogram="paper",
                  reserve=frame.px(theme.NAV_H))
    w = min(row.w, frame.px(520))
    frame.add(button("ticket.paper", Rect(row.x + (row.w - w) // 2, row.y, w, row.h),
                     tr._("I have taken the ticket"), events.Take("paper"), tone="primary"))
    return frame.layout()
