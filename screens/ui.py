"""KioskUI: owns the pygame surface, turns taps and keys into kiosk events, draws the view.

It also holds what the resident is typing before a screen's one event: the PIN digits (in a
fixed bytearray, wiped after OK and on every screen change, never logged or drawn — only "●"),
the option switches and the copy count; and the resident's choices for the visit: large text,
high contrast (both start from ``[ui]`` and are reset when the screen returns to idle) and, with
``shuffle_keypad``, the order of the PIN digits (new on every PIN screen, from a per-visit seed).
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pygame

from kiosk.config import UiSection
from kiosk.i18n import translator
from kiosk.vocabulary import events
from kiosk.vocabulary.keyboard import MODE_HIRAGANA, MODE_KATAKANA, type_key
from kiosk.vocabulary.view import View
from screens import build_layout, keypad
from screens.actions import (
    AskCancel,
    EditCopies,
    EditOption,
    FocusField,
    KeyPress,
    LocalAction,
    ShowLanguages,
    ToggleStyle,
    TypeKey,
)
from screens.guidance import Guidance, Speaker
from screens.keypad_input import KeypadInput
from screens.layout import DIGITS, PIN_DIGITS, Layout, UiState, Widget
from screens.theme import BASE_SIZE
from screens.widgets import draw_layout

_SPINNER_STEPS = 12


class KioskUI(KeypadInput):
    """The screen of one kiosk. Call ``handle`` for every pygame event, ``render`` every frame."""

    def __init__(self, surface: pygame.Surface, settings: UiSection | None = None,
                 seed: int | None = None, speaker: Speaker | None = None,
                 on_guidance: Callable[[bool], None] | None = None) -> None:
        self.surface = surface
        self.settings = settings or UiSection()
        self.guidance = Guidance(self.settings, speaker, on_guidance)
        self._cancel_asked = False
        self._seed = seed  # None: a fresh random seed for every visit
        self._rng = random.Random(self._visit_seed())
        self._order: tuple[str, ...] = DIGITS
        self._large_text = self.settings.large_text
        self._high_contrast = self.settings.high_contrast
        self._view: View | None = None
        self._layout: Layout | None = None
        self._dirty = True
        self._phase = -1
        self._pin = bytearray(PIN_DIGITS)
        self._pin_len = 0
        self._options: dict[str, Any] = {}
        self._copies: int | None = None
        self._text: dict[str, str] = {}  # the form's fields as typed, before "Next"
        self._field = ""
        self._kana_mode = MODE_HIRAGANA
        self._languages_open = False
        self._pointer_down = False
        self._down_id: str | None = None
        self._ignore_up = False

    @classmethod
    def open(cls, size: tuple[int, int] = BASE_SIZE, fullscreen: bool = False,
             settings: UiSection | None = None, speaker: Speaker | None = None) -> KioskUI:
        """Open the display window (fullscreen: the whole screen, no mouse pointer)."""
        return cls(_open_display(size, fullscreen), settings, speaker=speaker)

    @classmethod
    def headless(cls, size: tuple[int, int] = BASE_SIZE, settings: UiSection | None = None,
                 seed: int | None = None, speaker: Speaker | None = None) -> KioskUI:
        """Draw off screen only (replay, screenshots, tests)."""
        return cls(pygame.Surface(size), settings, seed, speaker)

    # --- state -------------------------------------------------------------------------------
    @property
    def view(self) -> View | None:
        return self._view

    @property
    def pin_length(self) -> int:
        """How many PIN digits are typed (the digits themselves are never exposed)."""
        return self._pin_len

    @property
    def keypad(self) -> tuple[str, ...]:
        """The digit keys in the order the PIN screen shows them."""
        return self._order

    def ui_state(self) -> UiState:
        return UiState(pin_length=self._pin_len, options=tuple(self._options.items()),
                       copies=self._copies, languages_open=self._languages_open,
                       large_text=self._large_text, high_contrast=self._high_contrast,
                       dpi=self.settings.dpi, keypad=self._order,
                       text=tuple(self._text.items()), field=self._field,
                       kana_mode=self._kana_mode,
                       focus=(self.guidance.focus or "") if self.guidance.guided else "",
                       cancel_asked=self._cancel_asked,
                       audio_private=self.settings.audio_private)

    def _visit_seed(self) -> int:
        return self._seed if self._seed is not None else secrets.randbits(64)

    def _new_visit(self) -> None:
        """Back to idle: the resident's choices go, the next visit gets a new keypad seed."""
        self._large_text = self.settings.large_text
        self._high_contrast = self.settings.high_contrast
        self._rng = random.Random(self._visit_seed())
        self.guidance.new_visit()

    def show(self, view: View) -> None:
        """Make ``view`` current; a new screen wipes the PIN and forgets pending edits."""
        if view == self._view:
            return
        new_screen = self._view is None or view.screen != self._view.screen or \
            view.language != self._view.language
        if self._view is None or view.screen != self._view.screen:
            if view.screen == "idle" and self._view is not None:
                self._new_visit()
            if view.screen == "pin_entry" and self.settings.shuffle_keypad:
                order = list(DIGITS)
                self._rng.shuffle(order)
                self._order = tuple(order)
            self.wipe_pin()
            self._options.clear()
            self._copies = None
            self._text = {f.key: f.value for f in view.fields}
            self._field = view.fields[0].key if view.fields else ""
            self._kana_mode = MODE_HIRAGANA
            self._languages_open = False
            self._ignore_up = self._pointer_down
            self._down_id = None
            self._cancel_asked = False
            self.guidance.focus = None
        self._view = view
        self._changed()
        if self.guidance.guided:
            self.guidance.shown(self.layout_for(), translator(view.language), new_screen)

    def wipe_pin(self) -> None:
        """Overwrite the typed digits and forget them."""
        for i in range(len(self._pin)):
            self._pin[i] = 0
        if self._pin_len:
            self._pin_len = 0
            self._changed()

    def _changed(self) -> None:
        self._layout = None
        self._dirty = True

    def layout_for(self, view: View | None = None) -> Layout:
        """The layout of ``view`` (default: the current one) at this surface's size."""
        if view is not None and view != self._view:
            return build_layout(view, translator(view.language), self.surface.get_size(),
                                UiState(large_text=self._large_text,
                                        high_contrast=self._high_contrast,
                                        dpi=self.settings.dpi))
        if self._view is None:
            raise RuntimeError("no view shown yet")
        if self._layout is None:
            self._layout = build_layout(self._view, translator(self._view.language),
                                        self.surface.get_size(), self.ui_state())
        return self._layout

    # --- input -------------------------------------------------------------------------------
    def handle(self, event: pygame.event.Event) -> events.Event | None:
        """One pygame event in; the kiosk event it means (or None) out."""
        if self._view is None:
            return None
        kind = event.type
        if kind in (pygame.WINDOWEXPOSED, pygame.VIDEOEXPOSE):
            self._dirty = True
            return None
        if kind == pygame.MOUSEBUTTONDOWN and event.button == 1 and not _is_touch(event):
            self._down(event.pos)
        elif kind == pygame.FINGERDOWN:
            self._down(self._finger_pos(event))
        elif kind == pygame.MOUSEBUTTONUP and event.button == 1 and not _is_touch(event):
            return self._up(event.pos)
        elif kind == pygame.FINGERUP:
            return self._up(self._finger_pos(event))
        elif kind == pygame.KEYDOWN:
            return self._key(event.key, getattr(event, "mod", 0))
        return None

    def tap(self, widget_id: str) -> events.Event | None:
        """Tap a widget of the current view by id, as replay files do (``{"tap": "pay.cancel"}``).

        None when there is no such widget, it is disabled, or the UI keeps the action itself
        (keypad digits, option switches, copies +/-).
        """
        widget = self.layout_for().find(widget_id)
        if widget is None or widget.action is None:
            return None
        return self._activate(widget)

    def press(self, pos: tuple[float, float]) -> events.Event | None:
        """A whole tap (down and up) at a screen position."""
        self._down(pos)
        return self._up(pos)

    def _finger_pos(self, event: pygame.event.Event) -> tuple[float, float]:
        w, h = self.surface.get_size()
        return event.x * w, event.y * h

    def _down(self, pos: tuple[float, float]) -> None:
        widget = self.layout_for().hit(pos)
        self._pointer_down, self._ignore_up = True, False
        self._down_id = widget.id if widget else None

    def _up(self, pos: tuple[float, float]) -> events.Event | None:
        was_down, down_id = self._pointer_down, self._down_id
        self._pointer_down, self._down_id = False, None
        if self._ignore_up:  # the press began on a screen that is gone
            self._ignore_up = False
            return None
        widget = self.layout_for().hit(pos)
        if widget is None or (was_down and widget.id != down_id):
            return None
        return self._activate(widget)

    def _key(self, key: int, mod: int = 0) -> events.Event | None:
        if key == pygame.K_o and mod & pygame.KMOD_CTRL and mod & pygame.KMOD_ALT:
            return events.OperatorKey()  # the service keyboard's combination (staff)
        name = keypad.key_name(key, mod)
        return self.key(name) if name is not None else None

    def _activate(self, widget: Widget) -> events.Event | None:
        assert self._view is not None
        action = widget.action
        if self._view.busy and not isinstance(
                action, events.ChooseLanguage | ShowLanguages | ToggleStyle | events.StopVoice):
            return None
        if isinstance(action, events.Cancel) and not self._cancel_asked:
            self._cancel_asked = True  # Cancel asks first ("Cancel? The ¥… will be returned")
            self._changed()
            return None
        if isinstance(action, events.Cancel):
            self._cancel_asked = False
            self._changed()
        if isinstance(action, events.StopVoice):
            self.guidance.stop()
        if isinstance(action, LocalAction):
            return self._local(action)
        if isinstance(action, events.ChooseLanguage) and self._languages_open:
            self._languages_open = False
            self._changed()
        return action

    def _local(self, action: LocalAction) -> events.Event | None:
        if isinstance(action, KeyPress):
            return self._keypad(action.key)
        if isinstance(action, TypeKey):
            self._type(action.key)
        elif isinstance(action, FocusField):
            self._field = action.key
        elif isinstance(action, EditOption):
            self._options[action.key] = action.value
        elif isinstance(action, EditCopies):
            self._copies = action.copies
        elif isinstance(action, ShowLanguages):
            self._languages_open = action.open
        elif isinstance(action, AskCancel):
            self._cancel_asked = action.open
        elif isinstance(action, ToggleStyle):
            if action.name == "large_text":
                self._large_text = not self._large_text
            elif action.name == "high_contrast":
                self._high_contrast = not self._high_contrast
        self._changed()
        return None

    def _type(self, key: str) -> None:
        """A key of the kana keyboard, into the field being typed (never past its limit)."""
        if key in (MODE_HIRAGANA, MODE_KATAKANA):
            self._kana_mode = key
            return
        field = next((f for f in self._view.fields if f.key == self._field), None) \
            if self._view else None
        if field is None:
            return
        text = self._text.get(field.key, "")
        if key == "delete":
            self._text[field.key] = text[:-1]
            return
        typed = type_key(text, key, self._kana_mode)
        if len(typed) <= field.limit:
            self._text[field.key] = typed

    def _keypad(self, key: str) -> events.Event | None:
        if key.isdigit() and len(key) == 1:
            if self._pin_len < PIN_DIGITS:
                self._pin[self._pin_len] = ord(key)
                self._pin_len += 1
                self._changed()
        elif key == "backspace" and self._pin_len:
            self._pin_len -= 1
            self._pin[self._pin_len] = 0
            self._changed()
        elif key == "clear":
            self.wipe_pin()
        elif key == "ok" and self._pin_len == PIN_DIGITS:
            pin = bytearray(self._pin)
            self.wipe_pin()
            return events.EnterPin(pin)
        return None

    # --- output ------------------------------------------------------------------------------
    def render(self, view: View | None = None, now: float | None = None) -> bool:
        """Draw the current view if it (or the UI) changed, or a spinner moved; True if drawn."""
        if view is not None:
            self.show(view)
        if self.guidance.speaker is not None:
            self.guidance.speaker.pump()  # a phrase made meanwhile starts now
        if self._view is None:
            return False
        layout = self.layout_for()
        phase = 0
        if any(w.kind == "spinner" for w in layout.widgets):
            phase = int((time.monotonic() if now is None else now) * _SPINNER_STEPS)
            phase %= _SPINNER_STEPS
        if not self._dirty and phase == self._phase:
            return False
        draw_layout(self.surface, layout, phase)
        self.guidance.draw(self.surface, layout)
        self._dirty, self._phase = False, phase
        if self.surface is pygame.display.get_surface():
            pygame.display.flip()
        return True

    def screenshot(self, path: str | Path) -> Path:
        """Save the current screen as a PNG."""
        self._dirty = True
        self.render()
        path = Path(path)
        pygame.image.save(self.surface, str(path))
        return path


def _open_display(size: tuple[int, int], fullscreen: bool) -> pygame.Surface:
    pygame.display.init()
    surface = pygame.display.set_mode((0, 0) if fullscreen else size,
                                      pygame.FULLSCREEN if fullscreen else 0)
    pygame.display.set_caption("kiosk")
    if fullscreen:
        pygame.mouse.set_visible(False)  # a touch screen: no pointer
    return surface


def _is_touch(event: pygame.event.Event) -> bool:
    """Mouse events SDL synthesises from touches (the FINGER events are handled instead)."""
    return bool(getattr(event, "touch", False))
