"""What a screen is made of: widgets with ids, rects, texts and actions; and the common frame.

Building a layout is pure (no drawing, no fonts): ``screens/<state>.build()`` returns a Layout
that ``widgets.draw`` paints and that ``Layout.hit`` turns taps into actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kiosk import events
from kiosk.i18n import Translator, available_languages
from kiosk.view import View
from screens import theme
from screens.texts import LANGUAGE_NAMES


class Rect(NamedTuple):
    x: int
    y: int
    w: int
    h: int

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def bottom(self) -> int:
        return self.y + self.h

    def contains(self, pos: tuple[float, float]) -> bool:
        return self.x <= pos[0] < self.right and self.y <= pos[1] < self.bottom

    def inside(self, other: Rect) -> bool:
        return (self.x >= other.x and self.y >= other.y
                and self.right <= other.right and self.bottom <= other.bottom)


# --- actions the UI keeps to itself (the session never sees them) -----------------------------
class LocalAction:
    """An action handled by KioskUI itself: keypad keys and edits before "Next"."""


@dataclass(frozen=True)
class KeyPress(LocalAction):
    key: str  # "0".."9" | "clear" | "ok"


@dataclass(frozen=True)
class EditOption(LocalAction):
    key: str
    value: Any


@dataclass(frozen=True)
class EditCopies(LocalAction):
    copies: int


@dataclass(frozen=True)
class ShowLanguages(LocalAction):
    """Open (or close) the list of every language, when the bar has no room for them all."""

    open: bool = True


Action = events.Event | LocalAction


@dataclass(frozen=True)
class UiState:
    """What the UI holds between events and screens must show: never the PIN, only its length."""

    pin_length: int = 0
    options: tuple[tuple[str, Any], ...] = ()  # edits of the options screen, before "Next"
    copies: int | None = None  # the copies picked, before "Next"
    languages_open: bool = False  # the list of all languages covers the screen


NO_UI = UiState()
PIN_DIGITS = 4
LANGUAGE_COLUMNS = 4  # the big language buttons (idle screen, language list), per row
BAR_LANGUAGES = 6  # more than this: the bar shows a few and a button for the full list


@dataclass(frozen=True)
class Widget:
    """One thing on screen. ``kind`` picks the painter; a widget with an action is tappable."""

    id: str
    rect: Rect
    kind: str  # panel | label | button | key | toggle | pin | progress | steps | spinner | icon
    text: str = ""
    action: Action | None = None
    detail: str = ""  # a second text: a fee, a note
    role: str = "body"  # text size: a key of theme.ROLES
    tone: str = ""  # colours: a key of theme.TONES
    align: str = "center"  # left | center | right, or top-left etc. (else centred vertically)
    value: Any = None  # kind-specific: progress (done, total), steps (n, m), pin (typed, max)

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(t for t in (self.text, self.detail) if t)


@dataclass(frozen=True)
class Layout:
    screen: str
    size: tuple[int, int]
    widgets: tuple[Widget, ...]

    def find(self, widget_id: str) -> Widget | None:
        return next((w for w in self.widgets if w.id == widget_id), None)

    def hit(self, pos: tuple[float, float]) -> Widget | None:
        """The topmost tappable widget at ``pos`` (a disabled button has no action)."""
        for widget in reversed(self.widgets):
            if widget.action is not None and widget.rect.contains(pos):
                return widget
        return None

    def __iter__(self) -> Iterator[Widget]:
        return iter(self.widgets)


# --- geometry helpers --------------------------------------------------------------------------
def grid(area: Rect, n: int, cols: int, row_h: int, gap: int) -> list[Rect]:
    """``n`` cells filled row by row, ``cols`` wide, rows of ``row_h`` (shrunk to fit ``area``)."""
    if n <= 0:
        return []
    rows = -(-n // cols)
    row_h = min(row_h, (area.h - gap * (rows - 1)) // rows)
    col_w = (area.w - gap * (cols - 1)) // cols
    return [Rect(area.x + (i % cols) * (col_w + gap), area.y + (i // cols) * (row_h + gap),
                 col_w, row_h) for i in range(n)]


def columns_for(n: int, area: Rect, min_row_h: int, gap: int, max_cols: int = 3) -> int:
    """The fewest columns that fit ``n`` rows of at least ``min_row_h`` into ``area``."""
    per_col = max(1, (area.h + gap) // (min_row_h + gap))
    return min(max_cols, max(1, -(-n // per_col)))


def stack(area: Rect, heights: Iterable[int], gap: int) -> list[Rect]:
    """Rects of the given heights, top to bottom, full width of ``area``."""
    out, y = [], area.y
    for h in heights:
        out.append(Rect(area.x, y, area.w, h))
        y += h + gap
    return out


# --- the frame every screen shares -------------------------------------------------------------
@dataclass
class Frame:
    """Title bar, step indicator, banners, Back/Cancel, the language bar; ``body`` is the rest."""

    view: View
    tr: Translator
    size: tuple[int, int]
    title: str
    cancel_id: str = "nav.cancel"
    always_cancel: bool = False  # the payment screen always offers its own cancel
    ui: UiState = NO_UI
    widgets: list[Widget] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.s = theme.scale(self.size)
        w, h = self.size
        m, gap = self.px(theme.MARGIN), self.px(theme.GAP)
        header_h = self.px(theme.HEADER_H)
        lang_top = h - self.px(theme.LANG_BAR_H)
        self.nav = Rect(m, lang_top - gap - self.px(theme.NAV_H), w - 2 * m, self.px(theme.NAV_H))
        top = header_h + self.px(24)
        self._header(m, header_h)
        top = self._banners(Rect(m, top, w - 2 * m, self.px(theme.BANNER_H)), gap)
        self.body = Rect(m, top, w - 2 * m, self.nav.y - gap - top)
        self._chrome = len(self.widgets)  # header and banners: kept over the language list
        self._lang_top = lang_top
        self._languages_placed = False
        self._nav_buttons()

    def px(self, v: float) -> int:
        return round(v * self.s)

    def add(self, widget: Widget) -> Widget:
        self.widgets.append(widget)
        return widget

    def _header(self, m: int, header_h: int) -> None:
        w = self.size[0]
        self.add(Widget("frame.header", Rect(0, 0, w, header_h), "panel", tone="header"))
        steps_w = self.px(300) if self.view.steps > 0 else 0
        title_w = w - 2 * m - steps_w - (self.px(theme.GAP) if steps_w else 0)
        self.add(Widget("frame.title", Rect(m, 0, title_w, header_h), "label", self.title,
                        role="title", tone="header", align="left"))
        if steps_w:
            n, total = self.view.step, self.view.steps
            text = self.tr.gettext("Step %(n)d of %(m)d") % {"n": n, "m": total}
            self.add(Widget("frame.steps", Rect(w - m - steps_w, 0, steps_w, header_h), "steps",
                            text, role="small", tone="header", value=(n, total)))

    def _banners(self, row: Rect, gap: int) -> int:
        """The alarm banner (forgotten card or paper), on top of the body; returns the body top."""
        text = {
            "forgotten-card": self.tr.gettext("Your card is still on the reader. Please take it!"),
            "forgotten-paper": self.tr.gettext(
                "Your certificate is still in the tray. Please take it!"),
            "forgotten-change": self.tr.gettext(
                "Your change is still in the tray. Please take it!"),
        }.get(self.view.alarm)
        if text is None:
            return row.y
        self.add(Widget("frame.alarm", row, "label", text, role="heading", tone="alarm"))
        return row.bottom + gap

    def _nav_buttons(self) -> None:
        v, nav, bw, gap = self.view, self.nav, self.px(theme.NAV_BUTTON_W), self.px(theme.GAP)
        x = nav.x
        if v.can_back:
            self.add(Widget("nav.back", Rect(x, nav.y, bw, nav.h), "button",
                            self.tr.gettext("Back"), events.Back(), role="button",
                            tone="secondary"))
            x += bw + gap
        if v.can_cancel or self.always_cancel:
            self.add(Widget(self.cancel_id, Rect(x, nav.y, bw, nav.h), "button",
                            self.tr.gettext("Cancel"), events.Cancel(), role="button",
                            tone="danger"))
            x += bw + gap
        secs = v.seconds_left
        if secs is not None and secs <= theme.WARN_SECONDS and not v.busy:
            more_w = self.px(theme.NAV_BUTTON_W)
            right = nav.right - self.px(theme.PRIMARY_W) - gap
            text = self.tr.gettext("%(n)d seconds left") % {"n": max(0, int(secs))}
            self.add(Widget("frame.time", Rect(x, nav.y, right - more_w - gap - x, nav.h),
                            "label", text, role="small", tone="muted"))
            self.add(Widget("frame.more_time", Rect(right - more_w, nav.y, more_w, nav.h),
                            "button", self.tr.gettext("More time"), events.MoreTime(),
                            role="button", tone="secondary"))

    def primary(self, widget_id: str, text: str, action: Action | None) -> Widget:
        """The screen's main button, bottom right (disabled when ``action`` is None)."""
        pw = self.px(theme.PRIMARY_W)
        rect = Rect(self.nav.right - pw, self.nav.y, pw, self.nav.h)
        tone = "primary" if action is not None else "disabled"
        return self.add(Widget(widget_id, rect, "button", text, action, role="button", tone=tone))

    def languages(self, area: Rect | None = None, big: bool = False) -> None:
        """The language buttons (``lang.<code>``): in the bottom bar, or big in ``area``."""
        self._languages_placed = True
        langs = available_languages()
        if area is not None:
            self._language_grid(area, langs, big)
            return
        w, h = self.size
        m = self.px(theme.MARGIN)
        bar = Rect(0, self._lang_top, w, h - self._lang_top)
        self.add(Widget("frame.langbar", bar, "panel", tone="langbar"))
        bh = self.px(theme.LANG_BUTTON_H)
        voice_w, gap = self.px(theme.NAV_BUTTON_W), self.px(theme.GAP)
        row = Rect(m, bar.y + (bar.h - bh) // 2, w - 2 * m - voice_w - gap, bh)
        self.add(Widget("voice.stop", Rect(row.right + gap, row.y, voice_w, bh), "button",
                        self.tr.gettext("Stop voice"), events.StopVoice(), role="body",
                        tone="secondary"))
        if len(langs) <= BAR_LANGUAGES:
            self._language_grid(row, langs, big=False)
            return
        few = tuple(dict.fromkeys(c for c in ("ja", "en", self.view.language) if c in langs))
        more_w = self.px(theme.NAV_BUTTON_W)
        self._language_grid(Rect(row.x, row.y, row.w - more_w - self.px(theme.GAP), row.h),
                            few, big=False)
        self.add(Widget("lang.more", Rect(row.right - more_w, row.y, more_w, row.h), "button",
                        self.tr.gettext("Language"), ShowLanguages(True), role="body",
                        tone="secondary"))

    def _language_grid(self, area: Rect, langs: tuple[str, ...], big: bool) -> None:
        gap = self.px(theme.GAP)
        n = max(1, len(langs))
        cols = min(n, LANGUAGE_COLUMNS) if big else n
        cell_w = min(self.px(220 if big else 200), (area.w - gap * (cols - 1)) // cols)
        rows = -(-n // cols)
        row_h = min(self.px(88 if big else theme.LANG_BUTTON_H),
                    (area.h - gap * (rows - 1)) // rows)
        x0 = area.x + (area.w - (cell_w * cols + gap * (cols - 1))) // 2
        for i, code in enumerate(langs):
            rect = Rect(x0 + (i % cols) * (cell_w + gap), area.y + (i // cols) * (row_h + gap),
                        cell_w, row_h)
            selected = code == self.view.language
            self.add(Widget(f"lang.{code}", rect, "button", LANGUAGE_NAMES.get(code, code),
                            events.ChooseLanguage(code), role="button" if big else "body",
                            tone="selected" if selected else "secondary"))

    def _language_list(self) -> None:
        """Every language, big, over the screen (the header and alarm stay)."""
        del self.widgets[self._chrome:]
        w, h = self.size
        m, gap = self.px(theme.MARGIN), self.px(theme.GAP)
        top = self.body.y
        self.add(Widget("frame.languages", Rect(0, top - gap, w, h - top + gap), "panel",
                        tone="langbar"))
        self.add(Widget("frame.languages.title", Rect(m, top, w - 2 * m, self.px(56)), "label",
                        self.tr.gettext("Language"), role="heading"))
        close_w = self.px(theme.PRIMARY_W)
        close = Rect(w - m - close_w, h - m - self.px(theme.NAV_H), close_w,
                     self.px(theme.NAV_H))
        grid_top = top + self.px(56) + gap
        self._language_grid(Rect(m, grid_top, w - 2 * m, close.y - gap - grid_top),
                            available_languages(), big=True)
        self.add(Widget("frame.languages.close", close, "button", self.tr.gettext("Close"),
                        ShowLanguages(False), role="button", tone="secondary"))

    def layout(self) -> Layout:
        if not self._languages_placed:
            self.languages()
        if self.ui.languages_open and self.find("lang.more") is not None:
            self._language_list()
        return Layout(self.view.screen, self.size, tuple(self.widgets))

    def find(self, widget_id: str) -> Widget | None:
        return next((w for w in self.widgets if w.id == widget_id), None)
