"""How many copies, with the total fee; the count stays in the UI until "Next"."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import EditCopies
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import button, label


def unit_fee(view: View) -> int | None:
    """The fee of one copy of the chosen certificate, when the view lists it."""
    return next((c.fee for c in view.certificates if c.id == view.certificate), None)


def current_copies(view: View, ui: UiState) -> int:
    top = max(1, view.max_copies)
    return min(top, max(1, ui.copies if ui.copies is not None else view.copies))


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Number of copies"), ui=ui)
    area = intro(frame, "choose_copies", tr._("How many copies do you need?"))
    px, gap = frame.px, frame.px(theme.GAP)
    copies, top = current_copies(view, ui), max(1, view.max_copies)
    side, count_w = px(120), px(420)
    x = area.x + (area.w - count_w - 2 * side - 2 * gap) // 2
    y = area.y + px(8)
    frame.add(button("choose_copies.minus", Rect(x, y, side, side), "−",
                     EditCopies(copies - 1) if copies > 1 else None, role="key"))
    count = tr.ngettext("%(n)d copy", "%(n)d copies", copies) % {"n": copies}
    frame.add(label("choose_copies.count", Rect(x + side + gap, y, count_w, side), count,
                    role="hero", tone="card", align="center"))
    frame.add(button("choose_copies.plus", Rect(x + side + count_w + 2 * gap, y, side, side),
                     "+", EditCopies(copies + 1) if copies < top else None, role="key"))
    y += side + gap
    limit = tr.ngettext("Up to %(n)d copy", "Up to %(n)d copies", top) % {"n": top}
    frame.add(label("choose_copies.limit", Rect(area.x, y, area.w, px(44)), limit,
                    role="small", tone="muted", align="center"))
    y += px(44) + gap
    unit = unit_fee(view)
    total = unit * copies if unit is not None else view.fee
    if unit is not None:
        frame.add(label("choose_copies.unit", Rect(area.x, y, area.w, px(48)),
                        tr._("%(fee)s per copy") % {"fee": tr.yen(unit)}, align="center"))
        y += px(48) + gap // 2
    if total is not None:
        frame.add(label("choose_copies.total", Rect(area.x, y, area.w, min(px(64),
                        area.bottom - y)), tr._("Total: %(fee)s") % {"fee": tr.yen(total)},
                        role="heading", align="center"))
    frame.primary("choose_copies.next", tr._("Next"), events.SetCopies(copies))
    return frame.layout()
