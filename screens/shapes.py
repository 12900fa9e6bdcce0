"""Anti-aliased shapes: rounded boxes, circles, rings and thick strokes with smooth edges.

A box's corners are quarter discs whose pixels carry their exact coverage as alpha (computed once
per radius, tinted once per colour, then blitted); circles and strokes are ``pygame.gfxdraw``'s
anti-aliased outlines over its fill. Nothing is drawn larger and scaled: a frame costs what it did.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache

import pygame
import pygame.gfxdraw

Color = tuple[int, int, int]
Point = tuple[float, float]


@lru_cache(maxsize=64)
def _coverage(r: int) -> pygame.Surface:
    """The top-left quarter of a disc of radius ``r``: white, each pixel's alpha the part of it
    inside the disc (4x4 samples on the edge)."""
    mask = pygame.Surface((r, r), pygame.SRCALPHA)
    mask.fill((255, 255, 255, 0))
    for y in range(r):
        for x in range(r):
            near = math.hypot(max(0, r - x - 1), max(0, r - y - 1))
            if math.hypot(r - x, r - y) <= r:
                inside = 16
            elif near >= r:
                inside = 0
            else:
                inside = sum(math.hypot(r - x - (i + 0.5) / 4, r - y - (j + 0.5) / 4) <= r
                             for i in range(4) for j in range(4))
            if inside:
                mask.set_at((x, y), (255, 255, 255, inside * 255 // 16))
    return mask


@lru_cache(maxsize=256)
def _corners(r: int, color: Color) -> tuple[pygame.Surface, ...]:
    """The four corners (top-left, top-right, bottom-left, bottom-right) of a box of ``color``."""
    tl = pygame.Surface((r, r), pygame.SRCALPHA)
    tl.fill((*color, 255))
    tl.blit(_coverage(r), (0, 0), special_flags=pygame.BLEND_RGBA_MULT)
    return (tl, pygame.transform.flip(tl, True, False), pygame.transform.flip(tl, False, True),
            pygame.transform.flip(tl, True, True))


def _rounded(surface: pygame.Surface, rect: pygame.Rect, color: Color, r: int) -> None:
    """A filled box whose corners are anti-aliased quarter discs of radius ``r``."""
    if r < 2:
        pygame.draw.rect(surface, color, rect)
        return
    pygame.draw.rect(surface, color, (rect.x, rect.y + r, rect.w, rect.h - 2 * r))
    pygame.draw.rect(surface, color, (rect.x + r, rect.y, rect.w - 2 * r, r))
    pygame.draw.rect(surface, color, (rect.x + r, rect.bottom - r, rect.w - 2 * r, r))
    tl, tr, bl, br = _corners(r, color)
    surface.blit(tl, (rect.x, rect.y))
    surface.blit(tr, (rect.right - r, rect.y))
    surface.blit(bl, (rect.x, rect.bottom - r))
    surface.blit(br, (rect.right - r, rect.bottom - r))


def box(surface: pygame.Surface, rect: pygame.Rect, fill: Color | None, border: Color | None,
        radius: int, width: int = 2) -> None:
    """A box with rounded corners: ``fill`` inside, a ``border`` of ``width`` px around."""
    r = max(0, min(radius, rect.w // 2, rect.h // 2))
    if fill is None:
        if border is not None:
            pygame.draw.rect(surface, border, rect, width=width, border_radius=r)
        return
    if border is None:
        _rounded(surface, rect, fill, r)
        return
    _rounded(surface, rect, border, r)
    inner = rect.inflate(-2 * width, -2 * width)
    if inner.w > 0 and inner.h > 0:
        _rounded(surface, inner, fill, max(0, min(r - width, inner.w // 2, inner.h // 2)))


def circle(surface: pygame.Surface, color: Color, center: tuple[int, int], r: int,
           width: int = 0) -> None:
    """A disc (``width`` 0) or a ring ``width`` px wide, edges smoothed."""
    x, y = center
    if r < 1:
        return
    if width <= 0 or width >= r:
        pygame.gfxdraw.filled_circle(surface, x, y, r, color)
        pygame.gfxdraw.aacircle(surface, x, y, r, color)
        return
    pygame.draw.circle(surface, color, center, r, width=width)
    pygame.gfxdraw.aacircle(surface, x, y, r, color)
    pygame.gfxdraw.aacircle(surface, x, y, r - width + 1, color)


def stroke(surface: pygame.Surface, color: Color, points: Sequence[Point], width: int) -> None:
    """A thick polyline with round joints and ends (a ✓, an exclamation mark's bar)."""
    half = width / 2
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        angle = math.atan2(y2 - y1, x2 - x1)
        dx, dy = math.sin(angle) * half, -math.cos(angle) * half
        quad = [(x1 + dx, y1 + dy), (x2 + dx, y2 + dy), (x2 - dx, y2 - dy), (x1 - dx, y1 - dy)]
        pygame.gfxdraw.aapolygon(surface, quad, color)
        pygame.gfxdraw.filled_polygon(surface, quad, color)
    for px, py in points:
        circle(surface, color, (round(px), round(py)), max(1, round(half) - 1))
