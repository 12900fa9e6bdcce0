"""The frame's town-hall parts: the "call staff" button in the header, on every screen, and
the notices on top of the body (staff are coming, the help desk's number, a practice visit)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from kiosk.i18n import N_
from kiosk.vocabulary import events
from screens import theme

if TYPE_CHECKING:
    from screens.layout import Frame, Rect

CALL_STAFF = N_("Call staff")
STAFF_COMING = N_("Staff are on their way. You can go on meanwhile.")
HELP_DESK = N_("Help desk: %(phone)s")
PRACTICE = N_("Practice: a sample visit. Nothing is charged or sent.")
BUTTON_W = 200  # design px: "call staff", at the right of the title
NOTICE_H = 48  # design px: the notices' row


def notices(frame: Frame, row: Rect, gap: int) -> int:
    """The header's "call staff" button; then the help and practice notices, each a banner
    from ``row`` down. Returns the body's top."""
    from screens.layout import Widget  # the frame's module imports this one

    _help_button(frame)
    view, tr = frame.view, frame.tr
    # one row, so that the body keeps its room: a call's notice stands in for the practice
    # one while it lasts (the staff coming see the practice for themselves)
    if view.help == "coming":
        wid, text = "frame.help", tr.gettext(STAFF_COMING)
    elif view.help == "phone" and view.help_phone:
        wid, text = "frame.help", tr.gettext(HELP_DESK) % {"phone": view.help_phone}
    elif view.practice:
        wid, text = "frame.practice", tr.gettext(PRACTICE)
    else:
        return row.y
    h = frame.px(NOTICE_H)
    frame.add(Widget(wid, row._replace(h=h), "label", text, role="small", tone="warning"))
    return row.y + h + gap // 2


def _help_button(frame: Frame) -> None:
    """ "Call staff" takes the right end of the title's room (none at a store kiosk without a
    help desk's number)."""
    from screens.layout import Rect, Widget

    title = frame.find("frame.title")
    if not frame.view.help_offered or title is None or frame.view.operator is not None:
        return  # (on the operator's screen staff are there already)
    bw, gap = frame.tpx(BUTTON_W), frame.px(theme.GAP)
    header = frame.find("frame.header")
    height = header.rect.h if header is not None else title.rect.h
    # 15 mm whatever the DPI: at a dense screen's it reaches below the header (into the
    # margin above the body)
    bh = max(frame.touch, min(height - frame.px(8), frame.px(72)))
    rect = Rect(title.rect.right - bw, max(0, (height - bh) // 2), bw, bh)
    frame.widgets[frame.widgets.index(title)] = replace(
        title, rect=title.rect._replace(w=max(0, title.rect.w - bw - gap)))
    frame.add(Widget("ui.call_staff", rect, "button", frame.tr.gettext(CALL_STAFF),
                     events.HelpCall(), role="small",
                     tone="selected" if frame.view.help else "secondary"))
