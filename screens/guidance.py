"""Voice guidance for KioskUI: the keypad's focus, and the voice that reads the screen to it.

Guidance starts with the first key of the keypad in a visit (a resident who can see the screen
and touches it hears only the prompts) and ends when the kiosk returns to idle. While it is on,
a new screen is read as a whole and then its focused item; a moved focus reads its item; a text
that changes on the screen (money inserted, a copy count) is read as it changes; Help reads the
screen again with the keys. The session's own recorded prompts are muted meanwhile
(``on_guidance``), so that two voices never talk at once.

Every utterance is kept in ``said`` (the visit's last few, in memory only) for the replay
harness's ``{"expect": {"said": …}}``; none is logged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import pygame

from kiosk.config import MAX_VOLUME, UiSection
from kiosk.i18n import Translator
from kiosk.vocabulary.view import LANGUAGES
from screens import keypad, speech
from screens.layout import Layout, Widget
from screens.speech import Utterance

KEPT = 64  # utterances kept for the harness


class Speaker(Protocol):
    """What says the words (drivers.audio.speech.RuntimeSpeech; a test's recorder)."""

    def say(self, text: str, language: str, personal: bool = False) -> None: ...
    def stop(self) -> None: ...
    def set_volume(self, level: int) -> None: ...
    def pump(self) -> bool: ...


class Guidance:
    """The focus and the voice of one kiosk's screen."""

    def __init__(self, settings: UiSection, speaker: Speaker | None = None,
                 on_guidance: Callable[[bool], None] | None = None) -> None:
        self.settings = settings
        self.speaker = speaker
        self.on_guidance = on_guidance
        self.guided = False
        self.focus: str | None = None
        self.volume = settings.volume
        self.said: list[Utterance] = []
        self._read: Layout | None = None  # the layout last read aloud

    @property
    def private(self) -> bool:
        return self.settings.audio_private

    def new_visit(self) -> None:
        """Back at idle: guidance off, the volume as configured, nothing said kept."""
        if self.guided and self.on_guidance is not None:
            self.on_guidance(False)
        self.guided, self.focus, self._read = False, None, None
        self.volume = self.settings.volume
        self.said.clear()

    def start(self) -> bool:
        """A key of the keypad was pressed: guidance on (True if it was off)."""
        if self.guided:
            return False
        self.guided = True
        if self.on_guidance is not None:
            self.on_guidance(True)
        if self.speaker is not None:
            self.speaker.set_volume(self.volume)
        return True

    def say(self, text: str, language: str, personal: bool = False) -> None:
        if not text.strip():
            return
        self.said.append(Utterance(text, language, personal))
        del self.said[:-KEPT]
        if self.speaker is not None:
            self.speaker.say(text, language, personal)

    def stop(self) -> None:
        if self.speaker is not None:
            self.speaker.stop()

    # --- the focus ---------------------------------------------------------------------------
    def focused(self, layout: Layout) -> Widget | None:
        """The focused widget of ``layout``: the one focused before if it is still a stop."""
        order = keypad.focus_order(layout)
        found = next((w for w in order if w.id == self.focus), None)
        if found is None:
            found = keypad.first_stop(order)
            self.focus = found.id if found else None
        return found

    def move(self, layout: Layout, step: int, tr: Translator) -> None:
        widget = keypad.moved(keypad.focus_order(layout), self.focus, step)
        self._focus_on(widget, layout, tr)

    def choose(self, layout: Layout, digit: str, tr: Translator) -> None:
        """A digit away from the PIN: the focus to the screen's n-th choice."""
        widget = keypad.nth_choice(keypad.focus_order(layout), digit)
        if widget is not None:
            self._focus_on(widget, layout, tr)

    def _focus_on(self, widget: Widget | None, layout: Layout, tr: Translator) -> None:
        self.focus = widget.id if widget else None
        if widget is not None:
            # a language's button is said in that language ("English", "Tiếng Việt")
            code = widget.id.removeprefix("lang.")
            language = code if widget.id.startswith("lang.") and code in LANGUAGES else tr.lang
            self.say(speech.item(widget, layout, tr, self.private), language,
                     speech.is_personal(widget, layout.screen))

    def draw(self, surface: pygame.Surface, layout: Layout) -> None:
        """The focus ring, while guidance is on."""
        widget = self.focused(layout) if self.guided else None
        if widget is not None:
            keypad.draw_ring(surface, widget.rect, layout.style,
                             min(layout.size[0] / 1280, layout.size[1] / 800))

    # --- reading -----------------------------------------------------------------------------
    def shown(self, layout: Layout, tr: Translator, new_screen: bool) -> None:
        """The screen (or what changed on it) read aloud; called while guidance is on."""
        before, self._read = self._read, layout
        if new_screen or before is None or before.screen != layout.screen:
            self.read_all(layout, tr)
            return
        text = speech.changes(before, layout, tr, self.private)
        self.say(text, tr.lang, layout.screen in speech.PERSONAL_SCREENS)

    def read_all(self, layout: Layout, tr: Translator, keys: bool = False) -> None:
        """The whole screen, then the focused item (and the keys, for Help)."""
        self._read = layout
        parts = [speech.summary(layout, tr, self.private)]
        widget = self.focused(layout)
        if widget is not None:
            parts.append(speech.item(widget, layout, tr, self.private))
        if keys:
            parts.append(tr.gettext(speech.KEY_HELP))
        self.say("\n".join(p for p in parts if p), tr.lang,
                 layout.screen in speech.PERSONAL_SCREENS)

    def louder(self, step: int, tr: Translator) -> None:
        self.volume = max(0, min(MAX_VOLUME, self.volume + step))
        if self.speaker is not None:
            self.speaker.set_volume(self.volume)
        self.say(tr.gettext("Volume %(n)d of %(m)d") % {"n": self.volume, "m": MAX_VOLUME},
                 tr.lang)
