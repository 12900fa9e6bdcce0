"""Take the certificate and the change (the frame shows the forgotten-paper alarm)."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import Action
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.pictograms import beside
from screens.widgets import button, icon, label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Printing complete"), ui=ui)
    full = beside(frame, "collect", ("tray", "change_tray") if view.change > 0 else ("tray",),
                  view.places, below=frame.px(theme.NAV_H))
    text = tr._("Take it from the output tray.")
    buttons: list[tuple[str, str, Action | None]] = [
        ("collect.paper", tr._("I have taken the certificate"), events.Take("paper"))]
    if view.change > 0:
        text += "\n" + tr._("Please take your change (%(amount)s) from the change tray.") % {
            "amount": tr.yen(view.change)}
        buttons.append(("collect.change", tr._("I have taken the change"),
                        events.Take("change")))
    buttons.append(("collect.card", tr._("Card taken"), None))
    row = message(frame, "collect", tr._("Please take your certificate."), text, pictogram="paper",
                  reserve=frame.px(theme.NAV_H))
    marks(frame, Rect(full.x, row.y, full.w, row.h), buttons, view.taken)
    return frame.layout()


def marks(frame: Frame, area: Rect, items: list[tuple[str, str, Action | None]],
          taken: tuple[str, ...]) -> None:
    """What is the resident's, side by side, each marked with a check once it is taken: a
    button ("I have taken …") while it waits in the tray, a filled "taken" with a check after.
    The card is shown only once it is off the reader (it always is by now)."""
    gap = frame.px(theme.GAP)
    shown = [(wid, text, action) for wid, text, action in items
             if action is not None or wid.rpartition(".")[2] in taken]
    n = len(shown)
    side = min(area.h, frame.px(64))
    cell = min(frame.px(480), (area.w - gap * (n - 1)) // n)
    x = area.x + (area.w - cell * n - gap * (n - 1)) // 2
    for wid, text, action in shown:
        what = wid.rpartition(".")[2]
        if what in taken:
            frame.add(icon(f"{wid}.taken", Rect(x, area.y + (area.h - side) // 2, side, side),
                           "check"))
            text = {"paper": frame.tr.gettext("Certificate taken"),
                    "change": frame.tr.gettext("Change taken")}.get(what, text)
            frame.add(label(wid, Rect(x + side + gap // 2, area.y, cell - side - gap // 2,
                                      area.h), text, role="button", tone="ok", align="left"))
        else:
            frame.add(button(wid, Rect(x, area.y, cell, area.h), text, action))
        x += cell + gap
