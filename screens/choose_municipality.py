"""Whose certificates: the home municipality, or the family register's."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens.common import intro, list_rects
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.texts import municipality_note
from screens.widgets import button


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose a municipality"), ui=ui)
    area = intro(frame, "choose_municipality",
                 tr._("Which municipality's certificate do you need?"))
    chosen = view.municipality.id if view.municipality else None
    for choice, rect in zip(view.municipalities, list_rects(frame, area,
                                                            len(view.municipalities)),
                            strict=True):
        frame.add(button(f"choose_municipality.{choice.id}", rect,
                         tr.name(choice.names, fallback=choice.id),
                         events.ChooseMunicipality(choice.id),
                         tone="selected" if choice.id == chosen else "secondary",
                         detail=municipality_note(tr, choice.note), align="left"))
    return frame.layout()
