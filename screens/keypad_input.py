"""The physical keypad's keys as KioskUI takes them: focus, Enter, Back, Cancel, Help, volume,
and the PIN's digits (said as "one digit entered", never which)."""

from __future__ import annotations

from typing import Protocol

from kiosk.i18n import Translator, translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import keypad
from screens.actions import KeyPress, LocalAction, TypeKey
from screens.guidance import Guidance
from screens.layout import PIN_DIGITS, Layout, Widget

# The screens where the keypad types a PIN: the sign-in's, the PIN reset's new PIN, and the
# forms service's text-helper PIN.
PIN_SCREENS = ("pin_entry", "pin_reset_new_pin", "pin_reset_pin_again", "forms_pin")

CANCEL_IDS = ("cancel.yes", "pay.cancel", "nav.cancel")


class _Host(Protocol):
    """What the keypad needs of KioskUI."""

    _view: View | None
    _pin_len: int
    guidance: Guidance

    def layout_for(self, view: View | None = None) -> Layout: ...
    def _activate(self, widget: Widget) -> events.Event | None: ...
    def _local(self, action: LocalAction) -> events.Event | None: ...
    def _changed(self) -> None: ...
    def _typing_pin(self: _Host) -> bool: ...
    def _pin_key(self, name: str, tr: Translator) -> tuple[bool, events.Event | None]: ...
    def _press(self: _Host, widget: Widget, tr: Translator) -> events.Event | None: ...


class KeypadInput:
    """KioskUI's keypad (a mixin over ``_Host``)."""

    def key(self: _Host, name: str) -> events.Event | None:
        """A key of the physical keypad by name (``keypad.KEYS``, or "backspace"); the event
        it means, if any. The first key of a visit turns voice guidance on."""
        if self._view is None:
            return None
        tr = translator(self._view.language)
        layout = self.layout_for()
        if self.guidance.start() and not (self._typing_pin() and name in keypad.DIGIT_KEYS):
            self.guidance.read_all(layout, tr, keys=name == "help")
            self._changed()  # the focus ring appears
            return None  # the first key wakes the voice and does nothing else
        if self._typing_pin():
            handled, event = self._pin_key(name, tr)
            if handled:
                return event
        if name in keypad.MOVES:
            self.guidance.move(layout, keypad.MOVES[name], tr)
        elif name == "enter":
            widget = self.guidance.focused(layout)
            return self._press(widget, tr) if widget is not None else None
        elif name == "backspace" and self._view.screen == "registration_form":
            return self._local(TypeKey("delete"))  # the field's last character
        elif name in ("back", "backspace"):
            back = layout.find("cancel.no") or next(
                (w for w in keypad.focus_order(layout) if isinstance(w.action, events.Back)),
                None)
            return self._press(back, tr) if back is not None else None
        elif name == "cancel":
            cancel = next((w for w in map(layout.find, CANCEL_IDS) if w is not None), None)
            return self._press(cancel, tr) if cancel is not None else None
        elif name == "help":  # the screen read again, and "call staff" (issue 16)
            self.guidance.read_all(layout, tr, keys=True)
            self._changed()
            return events.HelpCall()
        elif name in ("volume-up", "volume-down"):
            self.guidance.louder(1 if name == "volume-up" else -1, tr)
        elif name in keypad.DIGIT_KEYS:
            self.guidance.choose(layout, name, tr)
        self._changed()
        return None

    def _typing_pin(self: _Host) -> bool:
        assert self._view is not None
        operator_pin = (self._view.screen == "maintenance" and self._view.operator is not None
                        and self._view.operator.pin_needed)
        return self._view.screen in PIN_SCREENS or operator_pin

    def _pin_key(self: _Host, name: str, tr: Translator) -> tuple[bool, events.Event | None]:
        """A key on a PIN screen: digits, correction and OK (False: not a PIN key). The voice
        says a digit was entered, never which. (False, None): not a PIN key."""
        lang = tr.lang
        if name in keypad.DIGIT_KEYS:
            if self._pin_len < PIN_DIGITS:
                self.guidance.say(tr.gettext("One digit entered"), lang)
            return True, self._local(KeyPress(name))
        if name == "backspace":
            if self._pin_len:
                self.guidance.say(tr.gettext("One digit deleted"), lang)
            return True, self._local(KeyPress("backspace"))
        if name == "enter" and self._pin_len < PIN_DIGITS:
            left = PIN_DIGITS - self._pin_len
            self.guidance.say(tr.ngettext("%(n)d more digit, please", "%(n)d more digits, please",
                                          left) % {"n": left}, lang)
            return True, None
        if name == "enter":
            return True, self._local(KeyPress("ok"))
        return False, None

    def _press(self: _Host, widget: Widget, tr: Translator) -> events.Event | None:
        """Activate ``widget`` from the keypad; what it changed on the screen is read."""
        event = self._activate(widget)
        if event is None and self._view is not None and self.guidance.guided:
            layout = self.layout_for()
            self.guidance.shown(layout, tr, new_screen=False)
            if self.guidance.focused(layout) is not None:
                self.guidance.move(layout, 0, tr)  # its new state, or a dialog's first button
        return event

