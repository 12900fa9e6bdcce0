"""Body layouts several screens share: a message (icon, heading, text) and a list of choices."""

from __future__ import annotations

from screens import theme
from screens.actions import Action
from screens.layout import Frame, Rect, columns_for, grid
from screens.widgets import button, icon, label, spinner


def message(frame: Frame, prefix: str, heading: str, text: str = "", pictogram: str | None = None,
            busy: bool = False, reserve: int = 0, heading_tone: str = "") -> Rect:
    """Icon (or spinner), heading and text down the body; returns the ``reserve`` px left below."""
    body, px = frame.body, frame.px
    gap = px(theme.GAP)
    area = Rect(body.x, body.y, body.w, body.h - (reserve + gap if reserve else 0))
    t = frame.style.text_scale
    heading_h, text_min = px(96 * t), px(96) if text else 0
    side = min(px(150), area.h - heading_h - text_min - 2 * gap)
    y = area.y
    if (busy or pictogram) and side >= px(theme.MIN_TOUCH):
        rect = Rect(body.x + (body.w - side * 4 // 3) // 2, y, side * 4 // 3, side)
        frame.add(spinner(f"{prefix}.spinner", Rect(rect.x + (rect.w - side) // 2, y, side, side))
                  if busy else icon(f"{prefix}.icon", rect, pictogram or ""))
        y += side + gap
    frame.add(label(f"{prefix}.heading", Rect(area.x, y, area.w, heading_h), heading,
                    role="heading", tone=heading_tone, align="center"))
    y += heading_h + gap // 2
    if text and area.bottom - y > px(theme.MIN_TEXT):
        text_h = min(area.bottom - y, px(160 * t))
        frame.add(label(f"{prefix}.text", Rect(area.x, y, area.w, text_h), text,
                        role="body", align="center"))
    return Rect(body.x, body.bottom - reserve, body.w, reserve)


def list_rects(frame: Frame, area: Rect, n: int) -> list[Rect]:
    """Rects for ``n`` list rows in as few columns as fit ``area`` (rows >= the touch minimum)."""
    gap = frame.px(theme.GAP)
    cols = columns_for(n, area, frame.tpx(theme.MIN_TOUCH), gap)
    return grid(area, n, cols, frame.tpx(theme.LIST_ROW_H * 1.3 * frame.style.text_scale), gap)


def intro(frame: Frame, prefix: str, text: str) -> Rect:
    """A one-line instruction at the top of the body; returns the body below it."""
    h, gap = frame.px(64 * min(frame.style.text_scale, 1.2)), frame.px(theme.GAP)
    body = frame.body
    frame.add(label(f"{prefix}.intro", Rect(body.x, body.y, body.w, h), text, role="heading"))
    return Rect(body.x, body.y + h + gap, body.w, body.h - h - gap)


def button_row(frame: Frame, area: Rect, buttons: list[tuple[str, str, Action]]) -> None:
    """Secondary buttons of equal width, centred in ``area``."""
    gap, n = frame.px(theme.GAP), len(buttons)
    if n == 0:
        return
    bw = min(frame.px(420), (area.w - gap * (n - 1)) // n)
    x = area.x + (area.w - bw * n - gap * (n - 1)) // 2
    for i, (wid, text, action) in enumerate(buttons):
        frame.add(button(wid, Rect(x + i * (bw + gap), area.y, bw, area.h), text, action))
