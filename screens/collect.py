"""Take the certificate and the change (the frame shows the forgotten-paper alarm)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import Action
from screens.common import button_row, message
from screens.layout import NO_UI, Frame, Layout, UiState


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Printing complete"), ui=ui)
    text = tr._("Take it from the output tray.")
    buttons: list[tuple[str, str, Action]] = [
        ("collect.paper", tr._("I have taken the certificate"), events.Take("paper"))]
    if view.change > 0:
        text += "\n" + tr._("Please take your change (%(amount)s) from the change tray.") % {
            "amount": tr.yen(view.change)}
        buttons.append(("collect.change", tr._("I have taken the change"),
                        events.Take("change")))
    row = message(frame, "collect", tr._("Please take your certificate."), text, pictogram="paper",
                  reserve=frame.px(theme.NAV_H))
    button_row(frame, row, buttons)
    return frame.layout()
