"""The 4-digit PIN of the user-authentication certificate, on a keypad the UI keeps to itself."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import KeyPress
from screens.layout import DIGITS, NO_UI, PIN_DIGITS, Frame, Layout, Rect, UiState, grid
from screens.texts import reason
from screens.widgets import key, label, pin_boxes


def keys(order: tuple[str, ...] = DIGITS) -> tuple[str, ...]:
    """The 12 keys in keypad order: nine digits, Clear, the tenth digit, OK."""
    if sorted(order) != sorted(DIGITS):
        order = DIGITS
    return (*order[:9], "clear", order[9], "ok")


def keypad(frame: Frame, tr: Translator, area: Rect, typed: int, order: tuple[str, ...],
           prefix: str) -> None:
    """The PIN keypad of every PIN screen; its widgets' ids start with ``prefix``."""
    names = keys(order)
    for name, rect in zip(names, grid(area, len(names), 3, area.h, frame.px(12)), strict=True):
        if name == "clear":
            frame.add(key(f"{prefix}.clear", rect, tr._("Clear"),
                          KeyPress("clear") if typed else None))
        elif name == "ok":
            frame.add(key(f"{prefix}.ok", rect, tr._("OK"),
                          KeyPress("ok") if typed == PIN_DIGITS else None, tone="primary"))
        else:
            frame.add(key(f"{prefix}.key{name}", rect, name,
                          KeyPress(name) if typed < PIN_DIGITS else None))


def _notice(view: View, tr: Translator) -> str:
    parts: list[str] = []
    if view.message == "pin-wrong":
        parts.extend(reason(tr, "pin-wrong"))
    if view.last_try_warning:
        parts.append(tr._("This is your last try. If the PIN is wrong again, it will be locked."))
    return "\n".join(parts)


def pin_screen(view: View, tr: Translator, size: tuple[int, int], ui: UiState, prefix: str,
               title: str, prompt: str, notice: str, tries: bool = True) -> Layout:
    """A PIN screen: the keypad on the right; on the left the prompt, the dots typed, the
    tries left (``tries``, when the view has them) and ``notice`` (if there is room)."""
    frame = Frame(view, tr, size, title, ui=ui)
    px, body = frame.px, frame.body
    gap = px(theme.GAP)
    pad_w = min(px(480), body.w // 2)
    keypad(frame, tr, Rect(body.right - pad_w, body.y, pad_w, body.h), ui.pin_length, ui.keypad,
           prefix)
    left = Rect(body.x, body.y, body.w - pad_w - px(40), body.h)
    y, prompt_h = left.y, px(110 * frame.style.text_scale)
    frame.add(label(f"{prefix}.prompt", Rect(left.x, y, left.w, prompt_h), prompt,
                    role="heading"))
    y += prompt_h + gap
    frame.add(pin_boxes(f"{prefix}.display", Rect(left.x, y, left.w, px(90)), ui.pin_length,
                        PIN_DIGITS))
    y += px(90) + gap
    if tries and view.tries_left is not None:
        left_n = tr.ngettext("%(n)d try left", "%(n)d tries left", view.tries_left)
        frame.add(label(f"{prefix}.tries", Rect(left.x, y, left.w, px(48)),
                        left_n % {"n": view.tries_left}, tone="muted", align="center"))
        y += px(48) + gap
    if notice and left.bottom - y >= px(48):
        frame.add(label(f"{prefix}.notice", Rect(left.x, y, left.w, left.bottom - y), notice,
                        tone="warning", align="left"))
    return frame.layout()


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    if view.card_kind == "smartphone":
        prompt = tr._("Enter the PIN (4 digits) of your smartphone's user certificate.")
    elif view.card_kind == "card-ap":  # the town's own AP on the card: its own PIN
        prompt = tr._("Enter the PIN (4 digits) of your municipality's card service.")
    else:
        prompt = tr._("Please enter your PIN (4 digits).")
    return pin_screen(view, tr, size, ui, "pin_entry", tr._("Enter your PIN"), prompt,
                      _notice(view, tr))
