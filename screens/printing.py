"""The certificate is printing: pages done of pages total."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import label, progress_bar


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Printing"), ui=ui)
    px = frame.px
    below = message(frame, "printing", tr._("Printing your certificate…"),
                    tr._("Please wait. Do not take the paper until all pages are printed."),
                    pictogram="paper", reserve=px(96))
    bar_w = min(below.w, px(720))
    x = below.x + (below.w - bar_w) // 2
    frame.add(progress_bar("printing.progress", Rect(x, below.y, bar_w, px(28)),
                           view.pages_done, view.pages_total))
    if view.pages_total:
        text = tr.ngettext("%(done)d of %(total)d page printed",
                           "%(done)d of %(total)d pages printed", view.pages_total)
        frame.add(label("printing.pages", Rect(x, below.y + px(28) + px(theme.GAP) // 2, bar_w,
                                               px(48)),
                        text % {"done": view.pages_done, "total": view.pages_total},
                        tone="muted", align="center"))
    return frame.layout()
