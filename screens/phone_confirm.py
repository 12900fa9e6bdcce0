"""An iPhone on the reader: its owner confirms on the phone (Face ID); no PIN is typed here."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Confirm on your iPhone"), ui=ui)
    px = frame.px
    below = message(frame, "phone_confirm", tr._("Please confirm on your iPhone."),
                    tr._("Follow the instructions on your iPhone and confirm with Face ID. "
                         "No PIN is entered at this machine. Keep the iPhone on the reader."),
                    pictogram="phone", reserve=px(72))
    if view.seconds_left is not None:
        secs = max(0, view.seconds_left)
        frame.add(label("phone_confirm.countdown", Rect(below.x, below.y, below.w, below.h),
                        tr.gettext("%(n)d seconds left") % {"n": secs},
                        tone="muted" if secs > theme.WARN_SECONDS else "warning",
                        align="center"))
    return frame.layout()
