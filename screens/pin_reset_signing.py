"""The PIN reset's new signing password (署名用電子証明書の暗証番号): 6 to 16 capital letters and
digits on an on-screen keyboard, shown only as dots; first entry (and, from
``pin_reset_signing_again``, the second). The typing stays in the UI until "Next"."""

from __future__ import annotations

import re

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.keyboard import DIGITS, LATIN
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import TypeKey
from screens.layout import NO_UI, Frame, Layout, Rect, UiState, grid
from screens.texts import reason
from screens.widgets import key, label

FIELD = "signing_password"
DELETE = "delete"
KEYS = (*LATIN, *DIGITS, DELETE)
COLUMNS = 10
_ACCEPTABLE = re.compile(r"[A-Z0-9]{6,16}")


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    again = view.screen == "pin_reset_signing_again"
    p = view.screen  # the widgets' prefix: this state's name
    frame = Frame(view, tr, size, tr._("Enter it again") if again
                  else tr._("Enter the new signing password"), ui=ui)
    body, px = frame.body, frame.px
    gap = px(theme.GAP)
    typed = dict(ui.text).get(FIELD, "")
    prompt = (tr._("Enter the same signing password once more.") if again
              else tr._("Choose a signing password of 6 to 16 capital letters and digits."))
    # the text on the left, the keyboard (10 columns, 4 rows) on the right: keys stay large
    kb_w = min(body.w * 2 // 3, px(10 * 96))
    left = Rect(body.x, body.y, body.w - kb_w - gap, body.h)
    y = left.y
    prompt_h = min(px(150), left.h // 3)
    frame.add(label(f"{p}.prompt", Rect(left.x, y, left.w, prompt_h), prompt, role="heading"))
    y += prompt_h + gap // 2
    frame.add(label(f"{p}.field", Rect(left.x, y, left.w, px(56)),
                    "●" * len(typed) + "▏", align="left"))
    y += px(56) + gap // 2
    if view.message == "pin-mismatch" and left.bottom - y >= px(48):
        frame.add(label(f"{p}.notice", Rect(left.x, y, left.w, left.bottom - y),
                        "\n".join(reason(tr, "pin-mismatch")), tone="warning", align="left"))
    area = Rect(body.right - kb_w, body.y, kb_w, body.h)
    names = {DELETE: tr._("Delete")}
    for name, rect in zip(KEYS, grid(area, len(KEYS), COLUMNS, area.h, px(8)), strict=True):
        frame.add(key(f"{p}.key.{name}", rect, names.get(name, name),
                      TypeKey(name)))
    frame.primary(f"{p}.next", tr._("Next"),
                  events.SetText({FIELD: typed}) if _ACCEPTABLE.fullmatch(typed) else None)
    return frame.layout()
