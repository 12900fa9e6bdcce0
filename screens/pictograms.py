"""Where things are: a front view of this kiosk's copier with the device a screen asks for
highlighted and an arrow pointing at it (the card reader, the coin and bill slots, the trays).

The places come from the kiosk model's layout (``[layout]``, ``View.places``). ``where`` adds a
``pictogram`` widget, whose text is its accessible label ("Card reader: upper right of the
copier"), and a caption naming the devices under it; ``beside`` puts both in a column at the
right of a screen's body. The drawing is a still picture: it is painted twice as large and
scaled down smoothly (every edge anti-aliased), once per size, layout and contrast, then blitted.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import pygame

from kiosk.i18n import N_, Translator
from kiosk.vocabulary.devices import DeviceLayout
from screens import theme
from screens.layout import Frame, Rect, Widget

if TYPE_CHECKING:
    from screens.widgets import Paint

KIND = "pictogram"
NAMES = {
    "card_reader": N_("Card reader"),
    "coin_slot": N_("Coin slot"),
    "note_slot": N_("Bill slot"),
    "tray": N_("Output tray"),
    "change_tray": N_("Change tray"),
}
PLACE_NAMES = {
    "top-left": N_("upper left of the copier"),
    "top-center": N_("top middle of the copier"),
    "top-right": N_("upper right of the copier"),
    "middle-left": N_("left side of the copier"),
    "middle-center": N_("middle of the copier"),
    "middle-right": N_("right side of the copier"),
    "bottom-left": N_("lower left of the copier"),
    "bottom-center": N_("bottom middle of the copier"),
    "bottom-right": N_("lower right of the copier"),
}
SUPERSAMPLE = 2  # drawn twice as large, then scaled down: anti-aliased edges (2 and 4 keep
# colours exact in smoothscale; 4 costs 13 ms a first drawing at 1280x800, 2 costs 5 ms)
COLUMN_W = 340  # design px: the column ``beside`` takes at the right of the body
CAPTION_LINE_H = 46  # design px per caption line (times the text scale)

Color = theme.Color


# --- building (pure) ---------------------------------------------------------------------------
def caption(tr: Translator, devices: tuple[str, ...]) -> str:
    """The devices' names, one a line."""
    return "\n".join(tr.gettext(NAMES[d]) for d in devices)


def label_text(tr: Translator, devices: tuple[str, ...], places: DeviceLayout) -> str:
    """The accessible label: each device and where it is, in words."""
    return "\n".join(tr.gettext("%(device)s: %(place)s") % {
        "device": tr.gettext(NAMES[d]), "place": tr.gettext(PLACE_NAMES[getattr(places, d)])}
        for d in devices)


def where(frame: Frame, prefix: str, area: Rect, devices: tuple[str, ...],
          places: DeviceLayout) -> Widget:
    """The pictogram ``PREFIX.where`` in ``area`` with its caption ``PREFIX.where.caption``
    below it; returns the pictogram."""
    t = frame.style.text_scale
    caption_h = min(area.h // 2, frame.px(CAPTION_LINE_H * t) * len(devices))
    pic_h = area.h - caption_h - frame.px(theme.GAP) // 2
    pic = frame.add(Widget(f"{prefix}.where", Rect(area.x, area.y, area.w, pic_h), KIND,
                           label_text(frame.tr, devices, places), value=(places, devices)))
    frame.add(Widget(f"{prefix}.where.caption", Rect(area.x, area.bottom - caption_h, area.w,
                                                     caption_h),
                     "label", caption(frame.tr, devices), role="body", align="center"))
    return pic


def beside(frame: Frame, prefix: str, devices: tuple[str, ...], places: DeviceLayout,
           below: int = 0) -> Rect:
    """The pictogram in a column at the right of the body (above ``below`` px kept free at the
    bottom); the frame's body narrows to the rest. Returns the body as it was."""
    body, gap = frame.body, frame.px(theme.GAP)
    col_w = min(frame.px(COLUMN_W), body.w * 3 // 10)
    height = body.h - (below + gap if below else 0)
    where(frame, prefix, Rect(body.right - col_w, body.y, col_w, height), devices, places)
    frame.body = Rect(body.x, body.y, body.w - col_w - gap, body.h)
    return body


# --- painting ----------------------------------------------------------------------------------
def draw_pictogram(surface: pygame.Surface, w: Widget, c: Paint) -> None:
    """The widget's picture: blitted from a cache (drawn once per size, layout and contrast)."""
    places, devices = w.value
    if w.rect.w < 8 or w.rect.h < 8:
        return
    surface.blit(_art(w.rect.w, w.rect.h, places, tuple(devices), c.style.high_contrast),
                 (w.rect.x, w.rect.y))


class _Ink:
    """The picture's colours in one contrast."""

    def __init__(self, high_contrast: bool) -> None:
        pal = theme.HIGH_CONTRAST if high_contrast else theme.NORMAL
        self.background = pal.background
        self.body = theme.BLACK if high_contrast else (226, 231, 236)
        self.line = theme.WHITE if high_contrast else pal.text_muted
        self.plate = theme.BLACK if high_contrast else pal.surface
        self.dark = theme.WHITE if high_contrast else pal.text
        self.lit = pal.primary  # the device asked for and its arrow: blue, or yellow
        self.on_lit = theme.BLACK if high_contrast else theme.WHITE
        self.screen = theme.BLACK if high_contrast else pal.header
        self.glass = (90, 90, 90) if high_contrast else (120, 170, 215)


@lru_cache(maxsize=48)
def _art(w: int, h: int, places: DeviceLayout, devices: tuple[str, ...],
         high_contrast: bool) -> pygame.Surface:
    k = SUPERSAMPLE
    big = pygame.Surface((w * k, h * k))
    ink = _Ink(high_contrast)
    big.fill(ink.background)
    _copier(big, places, devices, ink)
    return pygame.transform.smoothscale(big, (w, h))


def _r(x: float, y: float, w: float, h: float) -> pygame.Rect:
    return pygame.Rect(round(x), round(y), max(1, round(w)), max(1, round(h)))


def _copier(surf: pygame.Surface, places: DeviceLayout, lit: tuple[str, ...], ink: _Ink) -> None:
    """The front of the copier: scanner lid, body, drawers; each device in its place."""
    W, H = surf.get_size()
    ch = H * 0.94
    cw = min(W * 0.6, ch * 0.9)
    x0, y0 = (W - cw) / 2, (H - ch) / 2
    line = max(3, round(min(cw, ch) * 0.018))
    radius = round(cw * 0.04)
    lid = _r(x0 - cw * 0.03, y0, cw * 1.06, ch * 0.1)
    body = _r(x0, y0 + ch * 0.1, cw, ch * 0.86)
    base = _r(x0 + cw * 0.04, body.bottom, cw * 0.92, ch * 0.04)
    for part in (body, lid):
        pygame.draw.rect(surf, ink.body, part, border_radius=radius)
        pygame.draw.rect(surf, ink.line, part, width=line, border_radius=radius)
    pygame.draw.rect(surf, ink.line, base)
    rows = (body.y, body.y + body.h * 0.34, body.y + body.h * 0.66, body.bottom)
    cols = (body.x, body.x + body.w / 3, body.x + body.w * 2 / 3, body.right)
    for y in (rows[2] + body.h * 0.12, rows[2] + body.h * 0.23):  # the paper drawers
        pygame.draw.line(surf, ink.line, (body.x + line * 2, y), (body.right - line * 2, y),
                         max(2, line // 2))
    placed: dict[str, pygame.Rect] = {}
    for device in ("screen", *NAMES):
        row, col = places.cell(device)
        sharing = places.sharing(device)
        cell_h = (rows[row + 1] - rows[row]) / len(sharing)
        cell = _r(cols[col], rows[row] + cell_h * sharing.index(device), cols[col + 1] - cols[col],
                  cell_h)
        box = cell.inflate(-cell.w * 0.18, -cell.h * 0.2)
        placed[device] = box
        _device(surf, device, box, device in lit, ink, line)
    for device in lit:
        _arrow(surf, placed[device], places.cell(device)[1], body, ink, line)


def _device(surf: pygame.Surface, device: str, box: pygame.Rect, lit: bool, ink: _Ink,
            line: int) -> None:
    """One device in ``box``: a plate with its mark (a slit, a card, a cup, a sheet)."""
    fill = ink.lit if lit else ink.plate
    mark = ink.on_lit if lit else ink.dark
    outline = ink.lit if lit else ink.line
    radius = max(2, min(box.w, box.h) // 6)
    if device == "screen":
        pygame.draw.rect(surf, ink.screen, box, border_radius=radius)
        pygame.draw.rect(surf, ink.line, box, width=line, border_radius=radius)
        pygame.draw.rect(surf, ink.glass, box.inflate(-box.w * 0.2, -box.h * 0.3),
                         border_radius=radius // 2)
        return
    if lit:  # a halo: the device stands out even where colour is not seen
        pygame.draw.rect(surf, ink.lit, box.inflate(line * 4, line * 4), width=line,
                         border_radius=radius + line * 2)
    plate = box
    if device == "card_reader":  # a flat reader with a card on it
        plate = _r(box.x, box.y + box.h * 0.45, box.w, box.h * 0.55)
    pygame.draw.rect(surf, fill, plate, border_radius=radius)
    pygame.draw.rect(surf, outline if lit else ink.line, plate, width=line,
                     border_radius=radius)
    cx, cy = plate.centerx, plate.centery
    if device == "card_reader":
        card = _r(box.x + box.w * 0.2, box.y, box.w * 0.6, box.h * 0.66)  # held over it
        pygame.draw.rect(surf, ink.plate, card, border_radius=radius)
        pygame.draw.rect(surf, outline, card, width=line, border_radius=radius)
        chip = _r(card.x + card.w * 0.15, card.y + card.h * 0.28, card.w * 0.28, card.h * 0.3)
        pygame.draw.rect(surf, outline, chip, border_radius=line)
    elif device == "coin_slot":
        slit = _r(cx - plate.w * 0.05, plate.y + plate.h * 0.15, plate.w * 0.1, plate.h * 0.7)
        pygame.draw.rect(surf, mark, slit, border_radius=line)
    elif device == "note_slot":
        slit = _r(plate.x + plate.w * 0.12, cy - plate.h * 0.07, plate.w * 0.76, plate.h * 0.14)
        pygame.draw.rect(surf, mark, slit, border_radius=line)
    elif device == "tray":  # a sheet lying in the tray
        sheet = _r(plate.x + plate.w * 0.18, plate.y + plate.h * 0.15, plate.w * 0.64,
                   plate.h * 0.5)
        pygame.draw.rect(surf, ink.plate if not lit else ink.on_lit, sheet)
        pygame.draw.rect(surf, mark, sheet, width=max(2, line // 2))
    elif device == "change_tray":  # the cup's dark opening
        cup = _r(plate.x + plate.w * 0.15, cy, plate.w * 0.7, plate.h * 0.32)
        pygame.draw.ellipse(surf, mark, cup)


def _arrow(surf: pygame.Surface, box: pygame.Rect, col: int, body: pygame.Rect, ink: _Ink,
           line: int) -> None:
    """A fat arrow from beside the copier to ``box`` (from the right for the right column)."""
    W = surf.get_width()
    shaft = max(line * 2, round(body.w * 0.05))
    head = shaft * 2
    y = box.centery
    if col == 2:
        tip, start, d = box.right + line * 4, W - 2, -1
    else:
        tip, start, d = box.x - line * 4, 2, 1
    neck = tip - d * head * 1.2
    if (neck - start) * d < head * 0.5:  # no room beside the copier: a shorter arrow
        neck = start + d * head * 0.5
    pts = [(start, y - shaft / 2), (neck, y - shaft / 2), (neck, y - head), (tip, y),
           (neck, y + head), (neck, y + shaft / 2), (start, y + shaft / 2)]
    pygame.draw.polygon(surf, ink.lit, pts)
    pygame.draw.polygon(surf, ink.dark if ink.lit != ink.dark else ink.line, pts,
                        width=max(2, line // 2))
