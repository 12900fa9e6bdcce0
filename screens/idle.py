"""The welcome screen: the language, big, and the one service."""

from __future__ import annotations

from kiosk import events
from kiosk.i18n import Translator, available_languages
from kiosk.view import View
from screens import theme
from screens.layout import LANGUAGE_COLUMNS, NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import button, label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Certificate issuance service"), ui=ui)
    px, body = frame.px, frame.body
    gap = px(theme.GAP)
    rows = -(-max(1, len(available_languages())) // LANGUAGE_COLUMNS)
    langs_h = rows * px(88) + (rows - 1) * gap
    bottom = size[1] - px(theme.MARGIN)
    content_h = px(100) + gap + px(120) + px(24) + px(44) + gap // 2 + langs_h
    y = body.y + max(0, (bottom - body.y - content_h) // 3)
    frame.add(label("idle.welcome", Rect(body.x, y, body.w, px(100)),
                    tr._("Get official certificates with your My Number card."),
                    role="hero", align="center"))
    y += px(100) + gap
    start_w = min(body.w, px(640))
    frame.add(button("idle.start", Rect(body.x + (body.w - start_w) // 2, y, start_w, px(120)),
                     tr._("Get a certificate"), events.Start("certificates"), tone="primary",
                     role="hero"))
    y += px(120) + px(24)
    frame.add(label("idle.language", Rect(body.x, y, body.w, px(44)), tr._("Language"),
                    role="small", tone="muted", align="center"))
    y += px(44) + gap // 2
    frame.languages(Rect(body.x, y, body.w, min(langs_h, bottom - y)), big=True)
    return frame.layout()
