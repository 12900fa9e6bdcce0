"""The register's address and its head, typed on the kana keyboard (no kanji conversion).

The address starts with the prefecture and town picked on the screen before; the resident types
the rest (町名, 丁目, 番地, 号). The typing stays in the UI until "Next".
"""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.keyboard import (
    DAKUTEN,
    DIGITS,
    HANDAKUTEN,
    HYPHEN,
    LONG,
    MODE_HIRAGANA,
    MODE_KATAKANA,
    SMALL,
    SPACE,
    WORDS,
)
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import FocusField, TypeKey
from screens.layout import NO_UI, Frame, Layout, Rect, UiState, grid
from screens.registration_municipality import town_name
from screens.widgets import button, key, label

DELETE = "delete"
# The kana in 五十音 columns, top to bottom (a space: no key there).
COLUMNS = ("あいうえお", "かきくけこ", "さしすせそ", "たちつてと", "なにぬねの", "はひふへほ",
           "まみむめも", "や ゆ よ", "らりるれろ", "わ を ん")
SIDE_KEYS = (*DIGITS, HYPHEN, *WORDS, DAKUTEN, HANDAKUTEN, SMALL, LONG, SPACE, DELETE)


def field_names(tr: Translator) -> dict[str, str]:
    return {"honseki": tr._("Family register address (honseki)"),
            "hittousha": tr._("Head of the family register (hittousha)")}


def typed(view: View, ui: UiState) -> dict[str, str]:
    """The fields as the UI holds them (what the view had, until the resident types)."""
    values = {f.key: f.value for f in view.fields}
    values.update(dict(ui.text))
    return values


def _shown(text: str, mode: str) -> str:
    if text == SPACE:
        return "␣"
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" and mode == MODE_KATAKANA else c
                   for c in text)


KEY_ROWS = 5


def _keyboard(frame: Frame, tr: Translator, area: Rect, ui: UiState, gap: int) -> None:
    kana_w = area.w * 10 // 15
    cells = grid(Rect(area.x, area.y, kana_w, area.h), 50, 10, area.h, gap)
    for col, column in enumerate(reversed(COLUMNS)):  # あ on the right, as on paper
        for row, ch in enumerate(column):
            if ch != " ":
                frame.add(key(f"registration_form.key.{ch}", cells[row * 10 + col],
                              _shown(ch, ui.kana_mode), TypeKey(ch)))
    side = Rect(area.x + kana_w + gap * 2, area.y, area.w - kana_w - gap * 2, area.h)
    names = {SPACE: tr._("Space"), DELETE: tr._("Delete")}
    mode = MODE_KATAKANA if ui.kana_mode == MODE_HIRAGANA else MODE_HIRAGANA
    keys = (*SIDE_KEYS, mode)
    for name, rect in zip(keys, grid(side, len(keys), 5, side.h, gap), strict=True):
        frame.add(key(f"registration_form.key.{name}", rect, names.get(name, name),
                      TypeKey(name), tone="primary" if name == mode else "card"))


def _field_rects(frame: Frame, stacked: bool, row_h: int) -> list[tuple[Rect | None, Rect]]:
    """(label, field) rects: one under the other with labels, or side by side without."""
    body, gap = frame.body, frame.px(theme.GAP)
    if stacked:
        return [(Rect(body.x, body.y + i * (row_h + gap // 2), body.w * 3 // 10, row_h),
                 Rect(body.x + body.w * 3 // 10, body.y + i * (row_h + gap // 2),
                      body.w * 7 // 10, row_h)) for i in range(2)]
    w = (body.w - gap) // 2
    return [(None, Rect(body.x + i * (w + gap), body.y, w if i == 0 else body.w - w - gap,
                        row_h)) for i in range(2)]


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Type your family register"), ui=ui)
    body, px = frame.body, frame.px
    gap, key_gap = px(theme.GAP), px(8)
    row_h = max(px(64), frame.touch)
    keys_h = KEY_ROWS * frame.touch + (KEY_ROWS - 1) * key_gap
    # A small screen: the fields side by side (their names as placeholders), keys closer
    stacked = body.h >= 2 * row_h + gap + keys_h
    if not stacked:
        key_gap = max(2, min(key_gap, (body.h - row_h - gap // 2 - KEY_ROWS * frame.touch)
                             // (KEY_ROWS - 1)))
    values = typed(view, ui)
    current = ui.field or "honseki"
    prefix = town_name(translator_ja(), view.municipality) if view.municipality else ""
    for (name, title), (label_rect, rect) in zip(field_names(tr).items(),
                                                 _field_rects(frame, stacked, row_h),
                                                 strict=True):
        if label_rect is not None:
            frame.add(label(f"registration_form.{name}.label", label_rect, title, role="small",
                            tone="muted"))
        value = values.get(name, "")
        shown = (prefix + value) if name == "honseki" else value
        if not stacked and not value:
            shown = title
        frame.add(button(f"registration_form.{name}", rect,
                         shown + ("▏" if name == current else ""), FocusField(name),
                         tone="selected" if name == current else "secondary", align="left"))
    top = body.y + (2 * (row_h + gap // 2) if stacked else row_h) + gap // 2
    _keyboard(frame, tr, Rect(body.x, top, body.w, body.bottom - top), ui, key_gap)
    complete = all(values.get(k, "").strip() for k in ("honseki", "hittousha"))
    frame.primary("registration_form.next", tr._("Next"),
                  events.SetText({k: values.get(k, "") for k in ("honseki", "hittousha")})
                  if complete else None)
    return frame.layout()


def translator_ja() -> Translator:
    """Addresses are written in Japanese whatever the screen's language."""
    from kiosk.i18n import translator

    return translator("ja")
