"""Which certificate, with its fee."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro, list_rects
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import certificate_name
from screens.widgets import button


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose a certificate"), ui=ui)
    if view.municipality is not None:
        name = tr.name(view.municipality.names, view.municipality.id)
        text = tr._("Choose the certificate you need from %(municipality)s.") % {
            "municipality": name}
    else:
        text = tr._("Choose the certificate you need.")
    area = intro(frame, "choose_certificate", text)
    for choice, rect in zip(view.certificates, list_rects(frame, area, len(view.certificates)),
                            strict=True):
        frame.add(button(f"choose_certificate.{choice.id}", rect,
                         certificate_name(tr, choice.id, choice.names),
                         events.ChooseCertificate(choice.id),
                         tone="selected" if choice.id == view.certificate else "secondary",
                         detail=tr.yen(choice.fee) if choice.fee is not None else "",
                         align="left"))
    return frame.layout()
