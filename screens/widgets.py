"""The widget kit: constructors for the widgets screens use, and the painters that draw them."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import pygame

from screens import shapes, theme
from screens.actions import Action
from screens.layout import Layout, Rect, Widget
from screens.pictograms import draw_pictogram
from screens.textfit import draw_text


# --- constructors (pure) -------------------------------------------------------------------------
def panel(wid: str, rect: Rect, tone: str) -> Widget:
    """A plain coloured block behind other widgets."""
    return Widget(wid, rect, "panel", tone=tone)


def label(wid: str, rect: Rect, text: str, role: str = "body", tone: str = "",
          align: str = "left") -> Widget:
    return Widget(wid, rect, "label", text, role=role, tone=tone, align=align)


def button(wid: str, rect: Rect, text: str, action: Action | None, tone: str = "secondary",
           detail: str = "", role: str = "button", align: str = "center") -> Widget:
    """A button; without an action it is drawn disabled and ignores taps."""
    return Widget(wid, rect, "button", text, action, detail=detail, role=role,
                  tone=tone if action is not None else "disabled", align=align)


def key(wid: str, rect: Rect, text: str, action: Action | None, tone: str = "card") -> Widget:
    """A keypad key."""
    return Widget(wid, rect, "key", text, action, role="key",
                  tone=tone if action is not None else "disabled")


def toggle(wid: str, rect: Rect, text: str, state: str, on: bool, action: Action) -> Widget:
    """A yes/no switch: ``text`` names it, ``state`` says its value in words."""
    return Widget(wid, rect, "toggle", text, action, detail=state, role="button", tone="card",
                  align="left", value=on)


def progress_bar(wid: str, rect: Rect, done: int, total: int) -> Widget:
    return Widget(wid, rect, "progress", value=(done, total))


def pin_boxes(wid: str, rect: Rect, typed: int, digits: int) -> Widget:
    """The masked PIN: one box per digit, "●" in those typed. Never the digits themselves."""
    return Widget(wid, rect, "pin", "●" * typed, role="key", value=(typed, digits))


def spinner(wid: str, rect: Rect) -> Widget:
    return Widget(wid, rect, "spinner")


def icon(wid: str, rect: Rect, name: str) -> Widget:
    """A pictogram: card, phone, paper, coins, check, warning."""
    return Widget(wid, rect, "icon", value=name)


# --- where each widget's texts go (shared by the painters and the overflow check) -----------------
class TextSlot(NamedTuple):
    rect: Rect
    text: str
    role: str
    align: str
    color: theme.Color


def _inset(rect: Rect, dx: int, dy: int = 0) -> Rect:
    return Rect(rect.x + dx, rect.y + dy, rect.w - 2 * dx, rect.h - 2 * dy)


def _pill(w: Widget, s: float) -> tuple[Rect, Rect]:
    """A toggle's inner area and its switch."""
    inner = _inset(w.rect, round(20 * s), round(8 * s))
    pill_w = min(round(240 * s), inner.w // 2)
    return inner, Rect(inner.right - pill_w, inner.y + round(4 * s), pill_w,
                       inner.h - round(8 * s))


def text_slots(w: Widget, s: float, style: theme.Style = theme.DEFAULT_STYLE) -> list[TextSlot]:
    """The boxes ``w``'s texts are drawn into, with their role, alignment and colour."""
    pal, tones = style.palette, style.tones
    _, color, _ = tones.get(w.tone, tones[""])
    if w.kind == "label" and w.text:
        fill = tones[w.tone][0]
        pad = round(16 * s) if fill is not None and w.tone != "header" else 0
        return [TextSlot(_inset(w.rect, pad, pad // 2), w.text, w.role, w.align, color)]
    if w.kind in ("button", "key"):
        inner = _inset(w.rect, min(round(20 * s), w.rect.w // 12), round(6 * s))
        if not w.detail:
            return [TextSlot(inner, w.text, w.role, w.align, color)]
        detail_w = round(inner.w * (0.38 if len(w.detail) > 8 else 0.25))
        main = Rect(inner.x, inner.y, inner.w - detail_w - round(12 * s), inner.h)
        return [TextSlot(main, w.text, w.role, "left", color),
                TextSlot(Rect(main.right + round(12 * s), inner.y, detail_w, inner.h), w.detail,
                         "body", "right", color)]
    if w.kind == "toggle":
        inner, pill = _pill(w, s)
        on = bool(w.value)
        text_rect = (Rect(pill.x + round(16 * s), pill.y, pill.w - pill.h - round(16 * s), pill.h)
                     if on else Rect(pill.x + pill.h, pill.y, pill.w - pill.h - round(16 * s),
                                     pill.h))
        on_color = theme.BLACK if style.high_contrast else theme.TEXT_ON_DARK
        return [TextSlot(Rect(inner.x, inner.y, inner.w - pill.w - round(16 * s), inner.h),
                         w.text, "body", "left", pal.text),
                TextSlot(text_rect, w.detail, "button", "center", on_color if on else pal.text)]
    if w.kind == "steps" and w.text:
        text_h = round(w.rect.h * 0.55)
        return [TextSlot(Rect(w.rect.x, w.rect.y + round(6 * s), w.rect.w, text_h - round(6 * s)),
                         w.text, w.role, "center", color)]
    return []


# --- painters ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Paint:
    """What every painter needs: the scale, the style, the language and the spinner phase."""

    s: float
    style: theme.Style
    lang: str
    phase: int = 0
    most: dict[tuple[str, int], int] = field(default_factory=dict)  # (widget id, slot): px

    @property
    def pal(self) -> theme.Palette:
        return self.style.palette

    def text(self, surface: pygame.Surface, slot: TextSlot, most: int = 0) -> None:
        draw_text(surface, slot.rect, slot.text, slot.role, slot.color, slot.align, self.s,
                  self.lang, self.style.text_scale, most)


def _pg(rect: Rect) -> pygame.Rect:
    return pygame.Rect(*rect)


def _box(surface: pygame.Surface, rect: Rect, tone: str, radius: int, c: Paint,
         width: int = 2) -> None:
    fill, _, border = c.style.tones[tone]
    shapes.box(surface, _pg(rect), fill, border, radius, width)


def _texts(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    for i, slot in enumerate(text_slots(w, c.s, c.style)):
        c.text(surface, slot, c.most.get((w.id, i), 0))


def _draw_panel(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    rounded = w.tone in ("card", "dialog")
    _box(surface, w.rect, w.tone, round(theme.RADIUS * c.s) if rounded else 0, c,
         width=max(2, round((6 if w.tone == "dialog" else 2) * c.s)))


@lru_cache(maxsize=4)
def _shade(size: tuple[int, int], high_contrast: bool) -> pygame.Surface:
    dim = pygame.Surface(size, pygame.SRCALPHA)
    dim.fill((0, 0, 0, 215 if high_contrast else 150))
    return dim


def _draw_shade(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    surface.blit(_shade((w.rect.w, w.rect.h), c.style.high_contrast), (w.rect.x, w.rect.y))


def _draw_label(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    fill = c.style.tones[w.tone][0]
    if fill is not None and w.tone != "header":
        _box(surface, w.rect, w.tone, round(theme.RADIUS * c.s), c)
    _texts(surface, w, c)


def _draw_button(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    # Cancel (the danger tone) is square-cornered with a doubled border: told from Back by its
    # shape too, not by its colour alone
    danger = w.tone == "danger"
    width = max(2, round(3 * c.s))
    _box(surface, w.rect, w.tone, 0 if danger else round(theme.RADIUS * c.s), c, width=width)
    if danger:
        fill, _, border = c.style.tones[w.tone]
        inset = _pg(w.rect).inflate(-3 * width, -3 * width)
        shapes.box(surface, inset, fill, border, 0, max(1, width // 2))
    _texts(surface, w, c)


def _draw_toggle(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    s, pal = c.s, c.pal
    _box(surface, w.rect, "card", round(theme.RADIUS * s), c)
    _inner, pill = _pill(w, s)
    on = bool(w.value)
    shapes.box(surface, _pg(pill), pal.primary if on else pal.track,
               pal.border if c.style.high_contrast else None, pill.h // 2, max(2, round(2 * s)))
    knob_r = pill.h // 2 - round(6 * s)
    cx = pill.right - pill.h // 2 if on else pill.x + pill.h // 2
    knob = theme.BLACK if c.style.high_contrast and on else theme.WHITE
    shapes.circle(surface, knob, (cx, pill.y + pill.h // 2), knob_r)
    _texts(surface, w, c)


def _draw_pin(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    s, pal = c.s, c.pal
    typed, digits = w.value
    gap = round(20 * s)
    side = min(w.rect.h, (w.rect.w - gap * (digits - 1)) // digits)
    x = w.rect.x + (w.rect.w - (side * digits + gap * (digits - 1))) // 2
    for i in range(digits):
        box = Rect(x + i * (side + gap), w.rect.y + (w.rect.h - side) // 2, side, side)
        current = i == typed
        shapes.box(surface, _pg(box), pal.surface, pal.primary if current else pal.border,
                   round(8 * s), max(2, round((5 if current else 2) * s)))
        if i < typed:
            shapes.circle(surface, pal.text, (box.x + side // 2, box.y + side // 2), side // 5)


def _draw_progress(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    done, total = w.value
    r = w.rect.h // 2
    shapes.box(surface, _pg(w.rect), c.pal.track, None, r)
    if total > 0 and done > 0:
        fill_w = max(w.rect.h, round(w.rect.w * min(1.0, done / total)))
        shapes.box(surface, pygame.Rect(w.rect.x, w.rect.y, fill_w, w.rect.h), c.pal.primary,
                   None, r)


def _draw_steps(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    s = c.s
    n, total = w.value
    _, color, _ = c.style.tones[w.tone]
    _texts(surface, w, c)
    text_h = round(w.rect.h * 0.55)
    r, gap = round(8 * s), round(14 * s)
    span = total * 2 * r + (total - 1) * gap
    if span > w.rect.w:  # too many steps for dots: the text says it
        return
    x = w.rect.x + (w.rect.w - span) // 2 + r
    cy = w.rect.y + text_h + (w.rect.h - text_h) // 2 - round(4 * s)
    for i in range(1, total + 1):
        shapes.circle(surface, color, (x, cy), r, 0 if i <= n else max(1, round(2 * s)))
        x += 2 * r + gap


def _draw_spinner(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    cx, cy = w.rect.x + w.rect.w // 2, w.rect.y + w.rect.h // 2
    radius = min(w.rect.w, w.rect.h) // 2
    dot = max(3, radius // 6)
    for i in range(12):
        angle = 2 * math.pi * i / 12 - math.pi / 2
        shade = (i - c.phase) % 12
        color = tuple(int(p + (t - p) * shade / 12)
                      for p, t in zip(c.pal.primary, c.pal.track, strict=True))
        pos = (cx + round((radius - dot) * math.cos(angle)),
               cy + round((radius - dot) * math.sin(angle)))
        shapes.circle(surface, (color[0], color[1], color[2]), pos, dot)


def _draw_icon(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    r, name, s, pal = w.rect, w.value, c.s, c.pal
    line = max(2, round(4 * s))
    base = pal.border if c.style.high_contrast else pal.header
    if name in ("card", "phone"):
        reader = Rect(r.x, r.y + r.h * 2 // 3, r.w, r.h // 3)
        shapes.box(surface, _pg(reader), base, None, round(10 * s))
        if name == "card":
            body = Rect(r.x + r.w // 8, r.y, r.w * 3 // 4, r.h * 3 // 4)
        else:
            body = Rect(r.x + r.w // 3, r.y, r.w // 3, r.h * 4 // 5)
        shapes.box(surface, _pg(body), pal.surface, pal.primary, round(10 * s), line)
        chip = Rect(body.x + body.w // 8, body.y + body.h // 3, body.w // 5, body.h // 4)
        if name == "card":
            shapes.box(surface, _pg(chip), pal.gold, None, round(4 * s))
    elif name == "paper":
        tray = Rect(r.x, r.y + r.h * 3 // 4, r.w, r.h // 4)
        sheet = Rect(r.x + r.w // 5, r.y, r.w * 3 // 5, r.h * 5 // 6)
        pygame.draw.rect(surface, pal.surface, _pg(sheet))
        pygame.draw.rect(surface, pal.border, _pg(sheet), width=line)
        for i in range(1, 5):
            y = sheet.y + sheet.h * i // 6
            pygame.draw.line(surface, pal.border, (sheet.x + sheet.w // 6, y),
                             (sheet.right - sheet.w // 6, y), line)
        shapes.box(surface, _pg(tray), base, None, round(10 * s))
    elif name == "coins":
        cr = min(r.w, r.h) // 4
        for i, dx in enumerate((-cr, cr // 2, 2 * cr)):
            pos = (r.x + r.w // 2 + dx - cr // 2, r.y + r.h // 2 + (i % 2) * cr // 2)
            shapes.circle(surface, pal.gold, pos, cr)
            shapes.circle(surface, pal.gold_dark, pos, cr, line)
    elif name in ("check", "warning"):
        color = pal.ok if name == "check" else pal.danger
        mark = theme.BLACK if c.style.high_contrast else pal.surface
        cx, cy, rad = r.x + r.w // 2, r.y + r.h // 2, min(r.w, r.h) // 2
        shapes.circle(surface, color, (cx, cy), rad)
        if name == "check":
            pts = [(cx - rad / 2, cy), (cx - rad / 8, cy + rad * 3 / 8),
                   (cx + rad / 2, cy - rad * 3 / 8)]
            shapes.stroke(surface, mark, pts, max(3, rad // 6))
        else:
            shapes.stroke(surface, mark, [(cx, cy - rad / 2), (cx, cy + rad / 8)],
                          max(3, rad // 6))
            shapes.circle(surface, mark, (cx, cy + rad * 3 // 8), max(3, rad // 10))


_PAINTERS = {
    "panel": _draw_panel,
    "shade": _draw_shade,
    "label": _draw_label,
    "button": _draw_button,
    "key": _draw_button,
    "toggle": _draw_toggle,
    "pin": _draw_pin,
    "progress": _draw_progress,
    "steps": _draw_steps,
    "spinner": _draw_spinner,
    "icon": _draw_icon,
    "pictogram": draw_pictogram,
}


def draw(surface: pygame.Surface, widget: Widget, phase: int = 0,
         style: theme.Style = theme.DEFAULT_STYLE, lang: str = "ja") -> None:
    """Paint one widget; ``phase`` (0..11) animates spinners."""
    _PAINTERS[widget.kind](surface, widget,
                           Paint(theme.scale(surface.get_size()), style, lang, phase))


def draw_layout(surface: pygame.Surface, layout: Layout, phase: int = 0) -> None:
    """Paint a whole screen."""
    from screens.groups import group_sizes

    s = theme.scale(surface.get_size())
    c = Paint(s, layout.style, layout.lang, phase, group_sizes(layout, s))
    surface.fill(c.pal.background)
    for widget in layout.widgets:
        _PAINTERS[widget.kind](surface, widget, c)
