"""The forms service: a last look at what goes on the form (the number only by its last 4
digits), then print."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro
from screens.forms_texts import form_name
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import label, panel


def _rows(view: View, tr: Translator) -> list[tuple[str, str, str]]:
    names = {"name": tr._("Name"), "address": tr._("Address"), "birth": tr._("Date of birth"),
             "sex": tr._("Sex"), "number": tr._("Individual number")}
    rows = [("form", tr._("Form"), form_name(tr, view.form))]
    rows += [(key, names.get(key, key), value) for key, value in view.form_preview]
    return rows


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Check your form"), ui=ui)
    rows = _rows(view, tr)
    px, scale = frame.px, frame.style.text_scale
    area = intro(frame, "forms_confirm", tr._("These details from your card go on the form."))
    frame.add(panel("forms_confirm.card", area, "card"))
    inner = Rect(area.x + px(24), area.y + px(12), area.w - px(48), area.h - px(24))
    row_h = min(px(56 * scale), inner.h // max(1, len(rows)))
    name_w = inner.w * 7 // 20
    for i, (rid, name, value) in enumerate(rows):
        y = inner.y + i * row_h
        frame.add(label(f"forms_confirm.{rid}.label", Rect(inner.x, y, name_w, row_h), name,
                        tone="muted"))
        frame.add(label(f"forms_confirm.{rid}", Rect(inner.x + name_w, y, inner.w - name_w,
                                                      row_h), value))
    frame.primary("forms_confirm.ok", tr._("Print"), events.Confirm(True))
    return frame.layout()
