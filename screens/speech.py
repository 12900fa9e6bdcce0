"""What the kiosk says to a resident who uses the keypad: made from what the screen shows.

A new screen is read as a whole (its title, step, alarm and every text that is not a button:
the fee, the total, tries left, the amount still due, the change, an error's reason and what
to do); the focused button with what matters about it (a certificate and its fee, a switch and
its state); a text that changes on the same screen (the amount inserted, a copy count and its
total) as it changes. Everything is said in the screen's language, as displayed.

Never said: the PIN (its boxes carry no digit; a typed digit is "one digit entered"). On the
loudspeaker (``[ui] audio_private = false``) the resident's own words on the registration
screens are left out too; with a handset they are read.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import N_, Translator
from screens.layout import Layout, Widget

PERSONAL_SCREENS = frozenset({"registration_form", "registration_confirm"})
QUIET = frozenset({"frame.time"})  # read when it appears, not at every change (a countdown)
_CHROME = ("frame.langbar", "frame.header", "lang.", "ui.", "voice.", "frame.languages")
SYMBOLS = {"−": N_("Fewer"), "-": N_("Fewer"), "+": N_("More"), "✓": N_("Done")}
KEY_HELP = N_("Arrow keys or Tab: move. Enter: choose. Back: one step back. Cancel: stop. "
              "Help: hear this again. Plus and minus: volume.")


@dataclass(frozen=True)
class Utterance:
    """One thing to say: its text in ``language``; ``personal`` keeps it off the loudspeaker."""

    text: str
    language: str
    personal: bool = False


def is_personal(widget: Widget, screen: str) -> bool:
    """A resident's own words: a registration field's value (not its name, not a key)."""
    return screen in PERSONAL_SCREENS and widget.id.count(".") == 1 and \
        widget.kind in ("label", "button") and not widget.id.endswith((".ok", ".next"))


def _spoken(widget: Widget, tr: Translator) -> list[str]:
    texts = [tr.gettext(SYMBOLS[t]) if t in SYMBOLS else t for t in widget.texts]
    return [t for t in texts if t.strip()]


def _readable(widget: Widget, screen: str, private: bool) -> bool:
    if widget.kind in ("pin", "shade", "panel", "spinner") or widget.id.startswith(_CHROME):
        return False
    return private or not is_personal(widget, screen)


def _no_repeats(parts: list[str]) -> list[str]:
    """The texts without a text said twice in a row (a label and a caption that match); the
    same amount in two places (the fee, and all of it still due) is said both times."""
    return [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]


def summary(layout: Layout, tr: Translator, private: bool) -> str:
    """The screen read as a whole: every text that is not a button, in reading order."""
    parts: list[str] = []
    for w in layout.in_view():
        if w.action is None and w.kind not in ("button", "key") and \
                _readable(w, layout.screen, private):
            parts.extend(_spoken(w, tr))
    return "\n".join(_no_repeats(parts))


def item(widget: Widget, layout: Layout, tr: Translator, private: bool) -> str:
    """The focused widget: its words, its state, whether it is the one chosen."""
    if not _readable(widget, layout.screen, private) and not widget.id.startswith(
            ("lang.", "ui.", "voice.", "nav.")):
        return tr.gettext("Entered")
    words = _spoken(widget, tr)
    if widget.tone == "selected":
        words.append(tr.gettext("selected"))
    return ", ".join(words)


def changes(before: Layout, after: Layout, tr: Translator, private: bool) -> str:
    """What is new in the texts of the same screen (a countdown only when it appears)."""
    old = {w.id: w.texts for w in before.widgets}
    parts: list[str] = []
    for w in after.in_view():
        if w.action is not None or w.kind in ("button", "key") or \
                not _readable(w, after.screen, private):
            continue
        if w.id not in old or (old[w.id] != w.texts and w.id not in QUIET):
            parts.extend(_spoken(w, tr))
    return "\n".join(_no_repeats(parts))
