"""Which town keeps your family register (本籍地): picked from the towns that take applications."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import Choice, View
from screens.common import intro, list_rects
from screens.layout import NO_UI, Frame, Layout, UiState
from screens.widgets import button


def town_name(tr: Translator, choice: Choice) -> str:
    """Prefecture and town, as an address starts: 東京都渋谷区 / Shibuya City, Tokyo."""
    town = tr.name(choice.names, fallback=choice.id)
    region = tr.name(choice.region) if choice.region else ""
    if not region:
        return town
    if tr.name({"ja": "ja", "en": "en"}) == "ja":  # read as Japanese: prefecture first, no space
        return region + town
    return f"{town}, {region}"


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose your family register's town"), ui=ui)
    area = intro(frame, "registration_municipality",
                 tr._("Which municipality keeps your family register (honseki)?"))
    chosen = view.municipality.id if view.municipality else None
    for choice, rect in zip(view.municipalities,
                            list_rects(frame, area, len(view.municipalities)), strict=True):
        frame.add(button(f"registration_municipality.{choice.id}", rect, town_name(tr, choice),
                         events.ChooseMunicipality(choice.id),
                         tone="selected" if choice.id == chosen else "secondary", align="left"))
    return frame.layout()
