"""The application to check before it is sent: the town, the address and the head as typed."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.registration_form import field_names, translator_ja
from screens.registration_municipality import town_name
from screens.widgets import label, panel


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Check your application"), ui=ui)
    area = intro(frame, "registration_confirm",
                 tr._("Please check what you typed, then send the application."))
    px = frame.px
    town = town_name(translator_ja(), view.municipality) if view.municipality else ""
    values = {f.key: f.value for f in view.fields}
    names = field_names(tr)
    rows = [("municipality", tr._("Municipality"), town),
            ("honseki", names["honseki"], town + values.get("honseki", "")),
            ("hittousha", names["hittousha"], values.get("hittousha", ""))]
    frame.add(panel("registration_confirm.card", area, "card"))
    inner = Rect(area.x + px(24), area.y + px(12), area.w - px(48), area.h - px(24))
    row_h = min(px(72), inner.h // len(rows))
    name_w = inner.w * 2 // 5
    for i, (rid, name, value) in enumerate(rows):
        y = inner.y + i * row_h
        frame.add(label(f"registration_confirm.{rid}.label", Rect(inner.x, y, name_w, row_h),
                        name, tone="muted"))
        frame.add(label(f"registration_confirm.{rid}", Rect(inner.x + name_w, y,
                                                            inner.w - name_w, row_h), value))
    frame.primary("registration_confirm.ok", tr._("Send"), events.Confirm(True))
    return frame.layout()
