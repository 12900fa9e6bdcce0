"""The welcome screen: the one service on the left, every language, big, on the right."""

from __future__ import annotations

from kiosk import events
from kiosk.i18n import Translator
from kiosk.view import View
from screens import theme
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import button, label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Certificate issuance service"), ui=ui)
    px, body = frame.px, frame.below_body()
    gap = px(theme.GAP)
    left_w = body.w * 9 // 20
    start_h = min(frame.tpx(140), body.h // 3)
    welcome_h = body.h - start_h - 2 * gap
    frame.add(label("idle.welcome", Rect(body.x, body.y + gap, left_w, welcome_h),
                    tr._("Get official certificates with your My Number card."),
                    role="hero", align="center"))
    frame.add(button("idle.start", Rect(body.x, body.bottom - start_h, left_w, start_h),
                     tr._("Get a certificate"), events.Start("certificates"), tone="primary",
                     role="hero"))
    right = Rect(body.x + left_w + px(48), body.y, body.w - left_w - px(48), body.h)
    label_h = px(44)
    frame.add(label("idle.language", Rect(right.x, right.y, right.w, label_h), tr._("Language"),
                    role="small", tone="muted", align="center"))
    frame.languages(Rect(right.x, right.y + label_h + gap // 2, right.w,
                         right.h - label_h - gap // 2))
    return frame.layout()
