"""The touch UI: one module per state (``SCREENS``, from the state table), each
``build(view, tr, size) -> Layout``."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from kiosk.i18n import Translator, translator
from kiosk.services.registry import all_states
from kiosk.vocabulary.states import StateInfo
from kiosk.vocabulary.view import View
from screens import theme
from screens.layout import NO_UI, Layout, UiState
from screens.theme import BASE_SIZE

if TYPE_CHECKING:
    import pygame

STATES: dict[str, StateInfo] = all_states()  # the one table: the core's and every service's
SCREENS: dict[str, ModuleType] = {name: import_module(info.screen) for name, info in STATES.items()}


class UnknownScreen(KeyError):
    """The view names a state that has no screen module."""


def build_layout(view: View, tr: Translator | None = None,
                 size: tuple[int, int] = BASE_SIZE, ui: UiState = NO_UI) -> Layout:
    """The layout of ``view`` (in the view's language unless ``tr`` is given)."""
    module = SCREENS.get(view.screen)
    if module is None:
        raise UnknownScreen(f"no screen for state {view.screen!r}")
    layout: Layout = module.build(view, tr or translator(view.language), size, ui)
    return layout


def render_view(surface: pygame.Surface, view: View, tr: Translator | None = None,
                ui: UiState = NO_UI, phase: int = 0) -> Layout:
    """Draw ``view`` onto ``surface`` (any size); returns the layout drawn."""
    from screens.widgets import draw_layout

    layout = build_layout(view, tr, surface.get_size(), ui)
    draw_layout(surface, layout, phase)
    focused = layout.find(ui.focus) if ui.focus else None
    if focused is not None:  # the keypad's focus ring (KioskUI draws it while guidance is on)
        from screens.keypad import draw_ring

        draw_ring(surface, focused.rect, layout.style, theme.scale(surface.get_size()))
    return layout
