"""The question Cancel asks before it cancels: what is lost and what comes back, Yes and No.

"No, go on" is first (left, and where the keypad's focus lands): a resident who pressed Cancel
by mistake loses nothing by pressing Enter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.vocabulary import events
from screens import theme
from screens.actions import AskCancel
from screens.layout import Rect, Widget

if TYPE_CHECKING:
    from screens.layout import Frame


def cancel_message(frame: Frame) -> str:
    """What cancelling means here: the money inserted returned, or the choices dropped."""
    tr, paid = frame.tr, frame.view.paid
    if paid > 0:
        return tr.gettext("The %(amount)s you inserted will be returned.") % {
            "amount": tr.yen(paid)}
    return tr.gettext("Your choices will be discarded and the kiosk goes back to the start.")


def cancel_question(frame: Frame) -> None:
    """The modal "Cancel?" over the whole screen (the bottom bar stays under the shade)."""
    gap = frame.px(theme.GAP)
    inner = frame.modal("cancel.dialog", 900)
    button_h = min(frame.tpx(120), inner.h // 3)
    text_h = (inner.h - button_h - gap) // 2
    tr = frame.tr
    frame.add(Widget("cancel.title", Rect(inner.x, inner.y, inner.w, text_h), "label",
                     tr.gettext("Cancel?"), role="hero"))
    frame.add(Widget("cancel.detail", Rect(inner.x, inner.y + text_h, inner.w, text_h), "label",
                     cancel_message(frame), role="heading"))
    bw = (inner.w - gap) // 2
    y = inner.bottom - button_h
    frame.add(Widget("cancel.no", Rect(inner.x, y, bw, button_h), "button",
                     tr.gettext("No, go on"), AskCancel(False), role="button",
                     tone="secondary"))
    frame.add(Widget("cancel.yes", Rect(inner.right - bw, y, bw, button_h), "button",
                     tr.gettext("Yes, cancel"), events.Cancel(), role="button", tone="danger"))
