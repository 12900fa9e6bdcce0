"""The widget kit: constructors for the widgets screens use, and the painters that draw them."""

from __future__ import annotations

import math
import re
from functools import lru_cache

import pygame

from screens import fonts, theme
from screens.layout import Action, Layout, Rect, Widget


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


# --- text ----------------------------------------------------------------------------------------
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff01-\uff60\u3000-\u303f"
_NO_START = ("、。，．・：；？！ー）」』】〕〉ぁぃぅぇぉっゃゅょゎ"
             "ァィゥェォッャュョヮヵヶ々…‥～,.:;!?)")
_OPEN = "（「『【〔〈("
_NS = re.escape(_NO_START)
_TOKEN = re.compile(rf"\s+|[{_OPEN}]*[{_CJK}][{_NS}]*|[^\s{_CJK}]+[{_NS}]*")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text) or [text]


def _break_word(word: str, font: pygame.font.Font, width: int) -> list[str]:
    parts, cur = [], ""
    for ch in word:
        if cur and font.size(cur + ch)[0] > width:
            parts.append(cur)
            cur = ch
        else:
            cur += ch
    return parts + [cur] if cur else parts


def wrap(text: str, font: pygame.font.Font, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width``: at spaces, or between CJK characters."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for tok in _tokens(para):
            if tok.isspace():
                line = line + " " if line else line
                continue
            if font.size(line + tok)[0] <= width:
                line += tok
                continue
            if line.strip():
                lines.append(line.rstrip())
            pieces = _break_word(tok, font, width) if font.size(tok)[0] > width else [tok]
            lines.extend(pieces[:-1])
            line = pieces[-1]
        lines.append(line.rstrip())
    return lines


def _line_step(size: int) -> int:
    return round(size * 1.3)


def _orphan(lines: list[str], font: pygame.font.Font, width: int) -> bool:
    """The last line is a stub (a few characters left over from the line before)."""
    return font.size(lines[-1])[0] < width // 8


@lru_cache(maxsize=2048)
def fit(text: str, role: str, width: int, height: int, s: float) -> tuple[int, bool, tuple]:
    """(size, bold, lines): the largest size of the role, down to MIN_TEXT, that fits the box
    without breaking a word (words are broken only at the smallest size)."""
    base, bold = theme.ROLES[role]
    size, smallest = max(1, round(base * s)), max(1, round(theme.MIN_TEXT * s))
    while True:
        font = fonts.font(size, bold, text)
        lines = wrap(text, font, width)
        whole_words = max(font.size(t)[0] for t in _tokens(text)) <= width
        if (len(lines) * _line_step(size) <= height and whole_words) or size <= smallest:
            break
        size = max(smallest, int(size * 0.9))
    if len(lines) > 1 and size > smallest and _orphan(lines, fonts.font(size, bold, text), width):
        smaller = max(smallest, int(size * 0.92))
        fewer = wrap(text, fonts.font(smaller, bold, text), width)
        if len(fewer) < len(lines):
            size, lines = smaller, fewer
    room = max(1, height // _line_step(size))
    if len(lines) > room:
        lines = lines[:room]
        lines[-1] = lines[-1].rstrip() + "…"
    return size, bold, tuple(lines)


@lru_cache(maxsize=2048)
def _rendered(text: str, size: int, bold: bool, color: theme.Color, face: str) -> pygame.Surface:
    return fonts.font(size, bold, face).render(text, True, color)


def draw_text(surface: pygame.Surface, rect: Rect, text: str, role: str, color: theme.Color,
              align: str, s: float) -> None:
    """Draw ``text`` wrapped and shrunk to fit ``rect``, centred vertically unless "top-…"."""
    if not text or rect.w <= 0 or rect.h <= 0:
        return
    size, bold, lines = fit(text, role, rect.w, rect.h, s)
    step = _line_step(size)
    top, align = align.startswith("top-"), align.removeprefix("top-")
    y = rect.y if top else rect.y + (rect.h - step * len(lines)) // 2
    for line in lines:
        img = _rendered(line, size, bold, color, text)
        if align == "left":
            x = rect.x
        elif align == "right":
            x = rect.right - img.get_width()
        else:
            x = rect.x + (rect.w - img.get_width()) // 2
        surface.blit(img, (x, y + (step - img.get_height()) // 2))
        y += step


# --- painters ------------------------------------------------------------------------------------
def _pg(rect: Rect) -> pygame.Rect:
    return pygame.Rect(*rect)


def _box(surface: pygame.Surface, rect: Rect, tone: str, radius: int, width: int = 2) -> None:
    fill, _, border = theme.TONES[tone]
    if fill is not None:
        pygame.draw.rect(surface, fill, _pg(rect), border_radius=radius)
    if border is not None:
        pygame.draw.rect(surface, border, _pg(rect), width=width, border_radius=radius)


def _inset(rect: Rect, dx: int, dy: int = 0) -> Rect:
    return Rect(rect.x + dx, rect.y + dy, rect.w - 2 * dx, rect.h - 2 * dy)


def _draw_panel(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    _box(surface, w.rect, w.tone, round(theme.RADIUS * s) if w.tone == "card" else 0)


def _draw_label(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    fill, color, _ = theme.TONES[w.tone]
    pad = 0
    if fill is not None and w.tone != "header":
        _box(surface, w.rect, w.tone, round(theme.RADIUS * s))
        pad = round(16 * s)
    draw_text(surface, _inset(w.rect, pad, pad // 2), w.text, w.role, color, w.align, s)


def _draw_button(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    radius = round(theme.RADIUS * s)
    _box(surface, w.rect, w.tone, radius, width=max(2, round(3 * s)))
    _, color, _ = theme.TONES[w.tone]
    inner = _inset(w.rect, min(round(20 * s), w.rect.w // 12), round(6 * s))
    if not w.detail:
        draw_text(surface, inner, w.text, w.role, color, w.align, s)
        return
    detail_w = round(inner.w * 0.38)
    main = Rect(inner.x, inner.y, inner.w - detail_w - round(12 * s), inner.h)
    draw_text(surface, main, w.text, w.role, color, "left", s)
    draw_text(surface, Rect(main.right + round(12 * s), inner.y, detail_w, inner.h), w.detail,
              "body", color, "right", s)


def _draw_toggle(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    _box(surface, w.rect, "card", round(theme.RADIUS * s))
    inner = _inset(w.rect, round(20 * s), round(8 * s))
    pill_w = min(round(240 * s), inner.w // 2)
    pill = Rect(inner.right - pill_w, inner.y + round(4 * s), pill_w, inner.h - round(8 * s))
    draw_text(surface, Rect(inner.x, inner.y, inner.w - pill_w - round(16 * s), inner.h),
              w.text, "body", theme.TEXT, "left", s)
    on = bool(w.value)
    pygame.draw.rect(surface, theme.PRIMARY if on else theme.TRACK, _pg(pill),
                     border_radius=pill.h // 2)
    knob_r = pill.h // 2 - round(6 * s)
    cx = pill.right - pill.h // 2 if on else pill.x + pill.h // 2
    pygame.draw.circle(surface, theme.SURFACE, (cx, pill.y + pill.h // 2), knob_r)
    text_rect = (Rect(pill.x + round(16 * s), pill.y, pill.w - pill.h - round(16 * s), pill.h)
                 if on else Rect(pill.x + pill.h, pill.y, pill.w - pill.h - round(16 * s), pill.h))
    draw_text(surface, text_rect, w.detail, "button",
              theme.TEXT_ON_DARK if on else theme.TEXT, "center", s)


def _draw_pin(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    typed, digits = w.value
    gap = round(20 * s)
    side = min(w.rect.h, (w.rect.w - gap * (digits - 1)) // digits)
    x = w.rect.x + (w.rect.w - (side * digits + gap * (digits - 1))) // 2
    for i in range(digits):
        box = Rect(x + i * (side + gap), w.rect.y + (w.rect.h - side) // 2, side, side)
        current = i == typed
        pygame.draw.rect(surface, theme.SURFACE, _pg(box), border_radius=round(8 * s))
        pygame.draw.rect(surface, theme.PRIMARY if current else theme.BORDER, _pg(box),
                         width=max(2, round((5 if current else 2) * s)),
                         border_radius=round(8 * s))
        if i < typed:
            pygame.draw.circle(surface, theme.TEXT, (box.x + side // 2, box.y + side // 2),
                               side // 5)


def _draw_progress(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    done, total = w.value
    r = w.rect.h // 2
    pygame.draw.rect(surface, theme.TRACK, _pg(w.rect), border_radius=r)
    if total > 0 and done > 0:
        fill_w = max(w.rect.h, round(w.rect.w * min(1.0, done / total)))
        pygame.draw.rect(surface, theme.PRIMARY, pygame.Rect(w.rect.x, w.rect.y, fill_w,
                                                             w.rect.h), border_radius=r)


def _draw_steps(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    n, total = w.value
    _, color, _ = theme.TONES[w.tone]
    text_h = round(w.rect.h * 0.55)
    draw_text(surface, Rect(w.rect.x, w.rect.y + round(6 * s), w.rect.w, text_h - round(6 * s)),
              w.text, w.role, color, "center", s)
    r, gap = round(8 * s), round(14 * s)
    span = total * 2 * r + (total - 1) * gap
    if span > w.rect.w:  # too many steps for dots: the text says it
        return
    x = w.rect.x + (w.rect.w - span) // 2 + r
    cy = w.rect.y + text_h + (w.rect.h - text_h) // 2 - round(4 * s)
    for i in range(1, total + 1):
        if i <= n:
            pygame.draw.circle(surface, color, (x, cy), r)
        else:
            pygame.draw.circle(surface, color, (x, cy), r, width=max(1, round(2 * s)))
        x += 2 * r + gap


def _draw_spinner(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    cx, cy = w.rect.x + w.rect.w // 2, w.rect.y + w.rect.h // 2
    radius = min(w.rect.w, w.rect.h) // 2
    dot = max(3, radius // 6)
    for i in range(12):
        angle = 2 * math.pi * i / 12 - math.pi / 2
        shade = (i - phase) % 12
        c = tuple(int(p + (t - p) * shade / 12) for p, t in zip(theme.PRIMARY, theme.TRACK,
                                                                  strict=True))
        pos = (cx + round((radius - dot) * math.cos(angle)),
               cy + round((radius - dot) * math.sin(angle)))
        pygame.draw.circle(surface, c, pos, dot)


def _draw_icon(surface: pygame.Surface, w: Widget, s: float, phase: int) -> None:
    r, name = w.rect, w.value
    line = max(2, round(4 * s))
    if name in ("card", "phone"):
        reader = Rect(r.x, r.y + r.h * 2 // 3, r.w, r.h // 3)
        pygame.draw.rect(surface, theme.HEADER, _pg(reader), border_radius=round(10 * s))
        if name == "card":
            body = Rect(r.x + r.w // 8, r.y, r.w * 3 // 4, r.h * 3 // 4)
        else:
            body = Rect(r.x + r.w // 3, r.y, r.w // 3, r.h * 4 // 5)
        pygame.draw.rect(surface, theme.SURFACE, _pg(body), border_radius=round(10 * s))
        pygame.draw.rect(surface, theme.PRIMARY, _pg(body), width=line,
                         border_radius=round(10 * s))
        chip = Rect(body.x + body.w // 8, body.y + body.h // 3, body.w // 5, body.h // 4)
        if name == "card":
            pygame.draw.rect(surface, (212, 175, 55), _pg(chip), border_radius=round(4 * s))
    elif name == "paper":
        tray = Rect(r.x, r.y + r.h * 3 // 4, r.w, r.h // 4)
        sheet = Rect(r.x + r.w // 5, r.y, r.w * 3 // 5, r.h * 5 // 6)
        pygame.draw.rect(surface, theme.SURFACE, _pg(sheet))
        pygame.draw.rect(surface, theme.BORDER, _pg(sheet), width=line)
        for i in range(1, 5):
            y = sheet.y + sheet.h * i // 6
            pygame.draw.line(surface, theme.BORDER, (sheet.x + sheet.w // 6, y),
                             (sheet.right - sheet.w // 6, y), line)
        pygame.draw.rect(surface, theme.HEADER, _pg(tray), border_radius=round(10 * s))
    elif name == "coins":
        cr = min(r.w, r.h) // 4
        for i, dx in enumerate((-cr, cr // 2, 2 * cr)):
            pos = (r.x + r.w // 2 + dx - cr // 2, r.y + r.h // 2 + (i % 2) * cr // 2)
            pygame.draw.circle(surface, (212, 175, 55), pos, cr)
            pygame.draw.circle(surface, (150, 115, 20), pos, cr, width=line)
    elif name in ("check", "warning"):
        color = theme.OK if name == "check" else theme.DANGER
        cx, cy, rad = r.x + r.w // 2, r.y + r.h // 2, min(r.w, r.h) // 2
        pygame.draw.circle(surface, color, (cx, cy), rad)
        if name == "check":
            pts = [(cx - rad // 2, cy), (cx - rad // 8, cy + rad * 3 // 8),
                   (cx + rad // 2, cy - rad * 3 // 8)]
            pygame.draw.lines(surface, theme.SURFACE, False, pts, max(3, rad // 6))
        else:
            pygame.draw.line(surface, theme.SURFACE, (cx, cy - rad // 2), (cx, cy + rad // 8),
                             max(3, rad // 6))
            pygame.draw.circle(surface, theme.SURFACE, (cx, cy + rad * 3 // 8), max(3, rad // 10))


_PAINTERS = {
    "panel": _draw_panel,
    "label": _draw_label,
    "button": _draw_button,
    "key": _draw_button,
    "toggle": _draw_toggle,
    "pin": _draw_pin,
    "progress": _draw_progress,
    "steps": _draw_steps,
    "spinner": _draw_spinner,
    "icon": _draw_icon,
}


def draw(surface: pygame.Surface, widget: Widget, phase: int = 0) -> None:
    """Paint one widget; ``phase`` (0..11) animates spinners."""
    _PAINTERS[widget.kind](surface, widget, theme.scale(surface.get_size()), phase)


def draw_layout(surface: pygame.Surface, layout: Layout, phase: int = 0) -> None:
    """Paint a whole screen."""
    surface.fill(theme.BACKGROUND)
    for widget in layout.widgets:
        draw(surface, widget, phase)
