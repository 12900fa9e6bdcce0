"""What the certificate shows: yes/no switches and picks; edits stay in the UI until "Next"."""

from __future__ import annotations

from typing import Any

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import OptionField, View
from screens import theme
from screens.actions import EditOption
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, Rect, UiState, grid, stack
from screens.texts import option_name, option_value
from screens.widgets import button, label, panel, toggle


def current_options(view: View, ui: UiState) -> dict[str, Any]:
    """The options as the resident has set them so far: the view's, then the UI's edits."""
    values = {f.key: f.value for f in view.options}
    values.update({k: v for k, v in ui.options if k in values})
    return values


def _as_value(choice: str, current: Any) -> Any:
    """A choice (always text in the view) as the type the session keeps: the year is an int."""
    if isinstance(current, int) and not isinstance(current, bool) and str(choice).isdigit():
        return int(choice)
    return choice


def _choice_row(frame: Frame, tr: Translator, f: OptionField, value: Any, row: Rect) -> None:
    pad, inset = frame.px(20), frame.px(6)
    name_w = row.w * 2 // 5
    frame.add(panel(f"choose_options.{f.key}.row", row, "card"))
    frame.add(label(f"choose_options.{f.key}.label",
                    Rect(row.x + pad, row.y, name_w - pad, row.h), option_name(tr, f.key)))
    dy = min(inset, (row.h - frame.touch) // 2) if row.h > frame.touch else 0
    area = Rect(row.x + name_w, row.y + dy, row.w - name_w - inset, row.h - 2 * dy)
    cells = grid(area, len(f.choices), max(1, len(f.choices)), area.h, frame.px(8))
    for choice, rect in zip(f.choices, cells, strict=True):
        chosen = str(choice) == str(value)
        frame.add(button(f"choose_options.{f.key}.{choice}", rect,
                         option_value(tr, f.key, choice),
                         EditOption(f.key, _as_value(choice, value)),
                         tone="selected" if chosen else "secondary", role="body"))


def _rows(frame: Frame, area: Rect, n: int) -> list[Rect]:
    """One column of rows, or two when one column would make them too low to touch or read."""
    gap = frame.px(12)
    want = frame.tpx(theme.LIST_ROW_H * min(frame.style.text_scale, 1.2))
    low = max(frame.touch + frame.px(12), frame.px(72))
    row_h = min(want, (area.h - gap * (n - 1)) // n)
    if row_h >= low or n == 1:
        return stack(area, [row_h] * n, gap)
    return grid(area, n, 2, want, gap)


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Choose what to include"), ui=ui)
    area = intro(frame, "choose_options", tr._("Choose what the certificate shows."))
    values = current_options(view, ui)
    for f, row in zip(view.options, _rows(frame, area, max(1, len(view.options))),
                      strict=False):
        value = values[f.key]
        if f.kind == "bool":
            frame.add(toggle(f"choose_options.{f.key}", row, option_name(tr, f.key),
                             option_value(tr, f.key, bool(value)), bool(value),
                             EditOption(f.key, not value)))
        else:
            _choice_row(frame, tr, f, value, row)
    frame.primary("choose_options.next", tr._("Next"), events.SetOptions(values))
    return frame.layout()
