"""The summary of the request and its fee, to accept before anything is ordered."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.texts import certificate_name, option_name, option_value
from screens.widgets import label, panel


def summary(view: View, tr: Translator) -> list[tuple[str, str, str]]:
    """(id, label, value) rows: municipality, certificate, each option, copies, fee."""
    rows = []
    if view.municipality is not None:
        rows.append(("municipality", tr._("Municipality"),
                     tr.name(view.municipality.names, view.municipality.id)))
    if view.certificate:
        names = next((c.names for c in view.certificates if c.id == view.certificate), {})
        rows.append(("certificate", tr._("Certificate"),
                     certificate_name(tr, view.certificate, names)))
    for f in view.options:
        rows.append((f"option.{f.key}", option_name(tr, f.key),
                     option_value(tr, f.key, f.value)))
    rows.append(("copies", tr._("Copies"),
                 tr.ngettext("%(n)d copy", "%(n)d copies", view.copies) % {"n": view.copies}))
    if view.fee is not None:
        rows.append(("fee", tr._("Fee"), tr.yen(view.fee)))
    return rows


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Check your request"), ui=ui)
    rows = summary(view, tr)
    px, scale = frame.px, frame.style.text_scale
    want = px(56 * scale)  # a row for one line of body text at the resident's text size
    if scale > 1 and len(rows) * want + px(24) > frame.body.h - px(80 * min(scale, 1.2)):
        area = frame.body  # large text: the table takes the intro's room (the title says it)
    else:
        area = intro(frame, "confirm", tr._("Please check your request and the fee."))
    frame.add(panel("confirm.card", area, "card"))
    inner = Rect(area.x + px(24), area.y + px(12), area.w - px(48), area.h - px(24))
    row_h = min(want, inner.h // max(1, len(rows)))
    name_w = inner.w * (11 if scale > 1 else 9) // 20
    for i, (rid, name, value) in enumerate(rows):
        y = inner.y + i * row_h
        strong = rid == "fee"
        frame.add(label(f"confirm.{rid}.label", Rect(inner.x, y, name_w, row_h), name,
                        role="heading" if strong else "body", tone="muted"))
        frame.add(label(f"confirm.{rid}", Rect(inner.x + name_w, y, inner.w - name_w, row_h),
                        value, role="heading" if strong else "body"))
    frame.primary("confirm.ok", tr._("Confirm"), events.Confirm(True))
    return frame.layout()
