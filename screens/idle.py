"""The welcome screen: the services on the left (the main one big), every language on the right."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import ServiceChoice, View
from screens import theme
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.texts import reason
from screens.widgets import button, label


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Certificate issuance service"), ui=ui)
    px, body = frame.px, frame.below_body()
    gap = px(theme.GAP)
    left_w = body.w * 9 // 20
    services = view.services or (ServiceChoice("certificates", "Get a certificate"),)
    start_h = min(frame.tpx(140), body.h // 3)
    more_h = frame.tpx(80)
    more = services[1:]
    welcome_h = body.h - start_h - len(more) * (more_h + gap) - 2 * gap
    top = body.y + gap
    if view.message:  # how the last visit ended ("The procedure was cancelled."), a while
        notice_h = min(px(96), welcome_h // 2)
        frame.add(label("idle.notice", Rect(body.x, top, left_w, notice_h),
                        reason(tr, view.message)[0], role="heading", tone="warning",
                        align="center"))
        top += notice_h + gap
        welcome_h -= notice_h + gap
    frame.add(label("idle.welcome", Rect(body.x, top, left_w, welcome_h),
                    tr._("Get official certificates with your My Number card."),
                    role="hero", align="center"))
    y = top + welcome_h + gap
    first = services[0]  # the main service: the big button
    frame.add(button("idle.start", Rect(body.x, y, left_w, start_h), tr._(first.title),
                     events.Start(first.id), tone="primary", role="hero"))
    for service in more:
        y += (start_h if service is more[0] else more_h) + gap
        frame.add(button(f"idle.start.{service.id}", Rect(body.x, y, left_w, more_h),
                         tr._(service.title), events.Start(service.id)))
    right = Rect(body.x + left_w + px(48), body.y, body.w - left_w - px(48), body.h)
    label_h = px(44)
    frame.add(label("idle.language", Rect(right.x, right.y, right.w, label_h), tr._("Language"),
                    role="small", tone="muted", align="center"))
    frame.languages(Rect(right.x, right.y + label_h + gap // 2, right.w,
                         right.h - label_h - gap // 2))
    return frame.layout()
