"""Which certificate, with its fee."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import intro, list_rects
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.texts import certificate_name, reason
from screens.widgets import button, label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose a certificate"), ui=ui)
    if view.municipality is not None:
        name = tr.name(view.municipality.names, view.municipality.id)
        text = tr._("Choose the certificate you need from %(municipality)s.") % {
            "municipality": name}
    else:
        text = tr._("Choose the certificate you need.")
    area = intro(frame, "choose_certificate", text)
    if view.message:  # one just chosen is not issued now (closed-hours): said at once
        h, gap = frame.px(56 * min(frame.style.text_scale, 1.2)), frame.px(theme.GAP)
        frame.add(label("choose_certificate.message", Rect(area.x, area.y, area.w, h),
                        reason(tr, view.message)[0], role="body", tone="alarm",
                        align="center"))
        area = Rect(area.x, area.y + h + gap, area.w, area.h - h - gap)
    for choice, rect in zip(view.certificates, list_rects(frame, area, len(view.certificates)),
                            strict=True):
        name = certificate_name(tr, choice.id, choice.names)
        if choice.closed:  # shown greyed, its hours under its name; choosing it says why not
            tone, role = "disabled", "body"
            if rect.h >= frame.px(60 * frame.style.text_scale):  # room for two lines
                text, detail = name + "\n" + hours_text(tr, choice.hours), ""
            else:  # rows too low for two: the hours alone beside the name
                text, detail = name, "–".join(choice.hours[:2]) if choice.hours else ""
        else:
            text, detail = name, tr.yen(choice.fee) if choice.fee is not None else ""
            tone = "selected" if choice.id == view.certificate else "secondary"
            role = "button"
        frame.add(button(f"choose_certificate.{choice.id}", rect, text,
                         events.ChooseCertificate(choice.id), tone=tone, detail=detail,
                         role=role, align="left"))
    return frame.layout()


def hours_text(tr: Translator, hours: tuple[str, str, bool] | None) -> str:
    """When an unavailable certificate is issued: "Weekdays only, 09:00–17:00"."""
    if hours is None:
        return tr._("Not available now")
    opens, closes, weekdays = hours
    text = tr._("Weekdays only, %(open)s–%(close)s") if weekdays else tr._(
        "Only %(open)s–%(close)s")
    return text % {"open": opens, "close": closes}
