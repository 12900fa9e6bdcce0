"""One text size per row or group of buttons: buttons side by side (same top and height) or
stacked alike (same left, width and height) set each text of one role at the smallest size any
of them needs, so a row never mixes sizes."""

from __future__ import annotations

from screens.layout import Layout, Widget
from screens.textfit import Fit, fit
from screens.widgets import TextSlot, text_slots

GROUPED = ("button", "key", "toggle")
Fitted = list[list[tuple[int, TextSlot, Fit]]]  # per widget: (slot index, slot, fit)
Key = tuple[int, int, str]  # (group, slot index, role)


def groups(widgets: tuple[Widget, ...]) -> list[int]:
    """For each widget, its group's number: buttons of one row or one column share one; any
    other widget is alone."""
    parent = list(range(len(widgets)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen: dict[tuple[str, int, int, int], int] = {}
    for i, w in enumerate(widgets):
        if w.kind not in GROUPED:
            continue
        r = w.rect
        for key in (("row", r.y, r.h, 0), ("col", r.x, r.w, r.h)):
            if key in seen:
                parent[root(i)] = root(seen[key])
            else:
                seen[key] = i
    return [root(i) for i in range(len(widgets))]


def _alone_and_least(layout: Layout, s: float) -> tuple[Fitted, list[int], dict[Key, int]]:
    """Each text fitted alone; each widget's group; the smallest size per group, slot, role."""
    style, lang, scale = layout.style, layout.lang, layout.style.text_scale
    alone: Fitted = [[(i, t, fit(t.text, t.role, t.rect.w, t.rect.h, s, lang, scale))
                      for i, t in enumerate(text_slots(w, s, style))
                      if t.text and t.rect.w > 0 and t.rect.h > 0] for w in layout.widgets]
    numbers = groups(layout.widgets)
    least: dict[Key, int] = {}
    for g, texts in zip(numbers, alone, strict=True):
        for i, t, f in texts:
            least[(g, i, t.role)] = min(f.size, least.get((g, i, t.role), f.size))
    return alone, numbers, least


def fitted(layout: Layout, s: float, grouped: bool = True) -> Fitted:
    """Every text of every widget, fitted as it is painted (``grouped``: buttons' texts at their
    group's size)."""
    alone, numbers, least = _alone_and_least(layout, s)
    if not grouped:
        return alone
    lang, scale = layout.lang, layout.style.text_scale
    return [[(i, t, fit(t.text, t.role, t.rect.w, t.rect.h, s, lang, scale,
                        least[(g, i, t.role)]) if least[(g, i, t.role)] < f.size else f)
             for i, t, f in texts] for g, texts in zip(numbers, alone, strict=True)]


def group_sizes(layout: Layout, s: float) -> dict[tuple[str, int], int]:
    """(widget id, slot index) -> px for the buttons' texts their group sets smaller than they
    would be alone (the others are drawn as fitted alone: one cache entry per text)."""
    alone, numbers, least = _alone_and_least(layout, s)
    return {(w.id, i): least[(g, i, t.role)]
            for w, g, texts in zip(layout.widgets, numbers, alone, strict=True)
            if w.kind in GROUPED for i, t, f in texts if least[(g, i, t.role)] < f.size}
