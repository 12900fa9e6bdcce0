"""What a screen is made of: widgets with ids, rects, texts and actions; and the common frame.

Building a layout is pure (no drawing, no fonts): ``screens/<state>.build()`` returns a Layout
that ``widgets.draw`` paints and that ``Layout.hit`` turns taps into actions.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from kiosk.i18n import Translator, available_languages
from kiosk.services.registry import all_states
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.actions import Action, ShowLanguages, ToggleStyle
from screens.texts import LANGUAGE_NAMES
from screens.town_hall import notices


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


DIGITS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0")


@dataclass(frozen=True)
class UiState:
    """What the UI holds between events and screens must show: never the PIN, only its length."""

    pin_length: int = 0
    options: tuple[tuple[str, Any], ...] = ()  # edits of the options screen, before "Next"
    copies: int | None = None  # the copies picked, before "Next"
    languages_open: bool = False  # the list of all languages covers the screen
    large_text: bool = False
    high_contrast: bool = False
    dpi: float = theme.DPI
    keypad: tuple[str, ...] = DIGITS  # the digit keys in keypad order (shuffled or not)
    text: tuple[tuple[str, str], ...] = ()  # the form's fields as typed so far, before "Next"
    field: str = ""  # the field the keyboard types into
    kana_mode: str = "かな"  # the keyboard's mode: かな (hiragana) or カナ (katakana)
    focus: str = ""  # the widget the keypad's focus is on ("": none, or guidance is off)
    cancel_asked: bool = False  # the question "Cancel?" covers the screen
    audio_private: bool = False  # voice guidance goes to a handset ([ui] audio_private)

    @property
    def style(self) -> theme.Style:
        return theme.Style(self.large_text, self.high_contrast, self.dpi)


NO_UI = UiState()
PIN_DIGITS = 4
LANGUAGE_COLUMNS = 4  # the big language buttons (idle screen, language list), per row
BAR_LANGUAGES = 4  # more than this: the bar shows a few and a button for the full list
# Screens that wait on the resident and end when the time is up: "Need more time?" before
DIALOG_SCREENS = frozenset(name for name, info in all_states().items() if info.cancellable)


@dataclass(frozen=True)
class Widget:
    """One thing on screen. ``kind`` picks the painter; a widget with an action is tappable.

    A ``shade`` widget (the dim behind a dialog) takes every tap under it: the dialog is modal.
    """

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
    style: theme.Style = theme.DEFAULT_STYLE
    lang: str = "ja"  # the language of the texts (picks the fonts)

    def find(self, widget_id: str) -> Widget | None:
        return next((w for w in self.widgets if w.id == widget_id), None)

    def hit(self, pos: tuple[float, float]) -> Widget | None:
        """The topmost tappable widget at ``pos`` (a disabled button has no action)."""
        for widget in reversed(self.widgets):
            if widget.rect.contains(pos):
                if widget.action is not None:
                    return widget
                if widget.kind == "shade":
                    return None
        return None

    def in_view(self) -> list[Widget]:
        """The widgets a resident can reach, top to bottom then left to right (reading order):
        under a modal dialog (a shade widget), only the dialog's own."""
        shades = [i for i, w in enumerate(self.widgets) if w.kind == "shade"]
        widgets = self.widgets[shades[-1] + 1:] if shades else self.widgets
        return sorted(widgets, key=lambda w: (w.rect.y, w.rect.x))

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
    """Title bar, step indicator, banners, Back/Cancel, the bottom bar; ``body`` is the rest.

    The bottom bar holds the languages, large text, high contrast and "stop voice" on every
    screen; "Need more time?" covers the screen shortly before a waiting screen times out.
    """

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
        self.style = self.ui.style
        self.touch = self.style.min_touch  # the smallest touch target side, px
        w, h = self.size
        m, gap = self.px(theme.MARGIN), self.px(theme.GAP)
        header_h = self.px(theme.HEADER_H)
        self.bar_top = h - max(self.px(theme.LANG_BAR_H), self.touch + self.px(16))
        nav_h = self.tpx(theme.NAV_H)
        self.nav = Rect(m, self.bar_top - gap - nav_h, w - 2 * m, nav_h)
        top = header_h + self.px(24)
        self._header(m, header_h)
        top = self._banners(Rect(m, top, w - 2 * m, self.px(theme.BANNER_H)), gap)
        self.body = Rect(m, top, w - 2 * m, self.nav.y - gap - top)
        self._chrome = len(self.widgets)  # header and banners: kept over the language list
        self._grid_placed = False
        self._nav_buttons()

    def px(self, v: float) -> int:
        """Design pixels to screen pixels."""
        return round(v * self.s)

    def tpx(self, v: float) -> int:
        """Design pixels to screen pixels for a touch target side: never under 15 mm."""
        return max(self.px(v), self.touch)

    def add(self, widget: Widget) -> Widget:
        self.widgets.append(widget)
        return widget

    def below_body(self) -> Rect:
        """The body down to the bottom bar, for screens without a Back/Cancel row."""
        return Rect(self.body.x, self.body.y, self.body.w,
                    self.bar_top - self.px(theme.GAP) - self.body.y)

    def _header(self, m: int, header_h: int) -> None:
        w = self.size[0]
        self.add(Widget("frame.header", Rect(0, 0, w, header_h), "panel", tone="header"))
        steps_w = self.px(300) if self.view.steps > 0 else 0
        # the handset mode says so in the header: the voice is in the resident's ear
        handset_w = self.px(200) if self.ui.audio_private else 0
        title_w = w - 2 * m - steps_w - handset_w - self.px(theme.GAP) * (
            bool(steps_w) + bool(handset_w))
        self.add(Widget("frame.title", Rect(m, 0, title_w, header_h), "label", self.title,
                        role="title", tone="header", align="left"))
        if handset_w:
            x = w - m - steps_w - (self.px(theme.GAP) if steps_w else 0) - handset_w
            self.add(Widget("frame.handset", Rect(x, 0, handset_w, header_h), "label",
                            self.tr.gettext("Voice: handset"), role="small", tone="header"))
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
        if text is not None:
            self.add(Widget("frame.alarm", row, "label", text, role="heading", tone="alarm"))
        return notices(self, row._replace(y=row.bottom + gap) if text else row, gap)

    def _nav_buttons(self) -> None:
        """Back at the left edge; Cancel (red, ends the visit) far from it: in the middle of
        the room between Back's place and the main button's, whichever of them a screen has,
        so that a finger meant for one never lands on the other."""
        v, nav, bw, gap = self.view, self.nav, self.tpx(theme.NAV_BUTTON_W), self.px(theme.GAP)
        if v.can_back:
            self.add(Widget("nav.back", Rect(nav.x, nav.y, bw, nav.h), "button",
                            self.tr.gettext("Back"), events.Back(), role="button",
                            tone="secondary"))
        if v.can_cancel or self.always_cancel:
            left = nav.x + bw + gap  # Back's place, kept clear even where there is no Back
            right = nav.right - self.tpx(theme.PRIMARY_W) - gap  # the main button's
            x = max(left, left + (right - left - bw) // 2)
            self.add(Widget(self.cancel_id, Rect(x, nav.y, bw, nav.h), "button",
                            self.tr.gettext("Cancel"), events.Cancel(), role="button",
                            tone="danger"))

    def primary(self, widget_id: str, text: str, action: Action | None) -> Widget:
        """The screen's main button, bottom right (disabled when ``action`` is None)."""
        pw = self.tpx(theme.PRIMARY_W)
        rect = Rect(self.nav.right - pw, self.nav.y, pw, self.nav.h)
        tone = "primary" if action is not None else "disabled"
        return self.add(Widget(widget_id, rect, "button", text, action, role="button", tone=tone))

    def languages(self, area: Rect) -> None:
        """Every language (``lang.<code>``), big, in ``area`` (the bar then shows none)."""
        self._grid_placed = True
        self._language_grid(area, available_languages(), big=True)

    def _bar(self) -> None:
        """The bottom bar: languages (or "Language"), large text, high contrast, stop voice."""
        w, h = self.size
        m, gap = self.px(theme.MARGIN), self.px(theme.GAP)
        bar = Rect(0, self.bar_top, w, h - self.bar_top)
        self.add(Widget("frame.langbar", bar, "panel", tone="langbar"))
        bh = min(bar.h, self.tpx(theme.LANG_BUTTON_H))
        y = bar.y + (bar.h - bh) // 2
        x = w - m
        for wid, text, action, on, width in (
                ("voice.stop", self.tr.gettext("Stop voice"), events.StopVoice(), False,
                 theme.BAR_BUTTON_W),
                ("ui.high_contrast", self.tr.gettext("High contrast"),
                 ToggleStyle("high_contrast"), self.style.high_contrast, theme.BAR_BUTTON_W),
                ("ui.large_text", self.tr.gettext("Large text"), ToggleStyle("large_text"),
                 self.style.large_text, theme.BAR_BUTTON_W)):
            bw = self.tpx(width)
            x -= bw
            self.add(Widget(wid, Rect(x, y, bw, bh), "button", text, action, role="small",
                            tone="selected" if on else "secondary"))
            x -= gap
        if self._grid_placed:
            return
        row = Rect(m, y, x - m, bh)
        langs = available_languages()
        if len(langs) <= BAR_LANGUAGES:
            self._language_grid(row, langs, big=False)
            return
        few = tuple(dict.fromkeys(c for c in ("ja", "en", self.view.language) if c in langs))
        more_w = self.tpx(theme.BAR_BUTTON_W)
        self._language_grid(Rect(row.x, row.y, row.w - more_w - gap, row.h), few, big=False)
        self.add(Widget("lang.more", Rect(row.right - more_w, row.y, more_w, row.h), "button",
                        self.tr.gettext("Language"), ShowLanguages(True), role="small",
                        tone="secondary"))

    def _language_grid(self, area: Rect, langs: tuple[str, ...], big: bool) -> None:
        gap = self.px(theme.GAP)
        n = max(1, len(langs))
        if big:
            cols = min(n, max(columns_for(n, area, self.tpx(88), gap, LANGUAGE_COLUMNS),
                              min(n, LANGUAGE_COLUMNS if area.w > self.px(800) else 2)))
        else:
            cols = n
        cell_w = min(self.px(240 if big else 200), (area.w - gap * (cols - 1)) // cols)
        rows = -(-n // cols)
        row_h = min(self.tpx(88 if big else theme.LANG_BUTTON_H),
                    (area.h - gap * (rows - 1)) // rows)
        row_h = max(row_h, min(self.touch, area.h))
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
        close_w, close_h = self.tpx(theme.PRIMARY_W), self.tpx(theme.NAV_H)
        close = Rect(w - m - close_w, h - m - close_h, close_w, close_h)
        grid_top = top + self.px(56) + gap
        self._language_grid(Rect(m, grid_top, w - 2 * m, close.y - gap - grid_top),
                            available_languages(), big=True)
        self.add(Widget("frame.languages.close", close, "button", self.tr.gettext("Close"),
                        ShowLanguages(False), role="button", tone="secondary"))

    def _dialog(self) -> None:
        """ "Need more time?": a modal panel with the seconds left and a big "More time"."""
        v = self.view
        secs = v.seconds_left
        if (secs is None or secs > theme.WARN_SECONDS or v.busy
                or v.screen not in DIALOG_SCREENS):
            return
        gap = self.px(theme.GAP)
        inner = self.modal("frame.dialog", 840)
        button_h = min(self.tpx(140), inner.h // 2)
        text_h = (inner.h - button_h - gap) // 2
        self.add(Widget("frame.dialog.title", Rect(inner.x, inner.y, inner.w, text_h), "label",
                        self.tr.gettext("Need more time?"), role="hero"))
        self.add(Widget("frame.time", Rect(inner.x, inner.y + text_h, inner.w, text_h), "label",
                        self.tr.gettext("%(n)d seconds left") % {"n": max(0, int(secs))},
                        role="hero"))
        self.add(Widget("frame.more_time", Rect(inner.x, inner.bottom - button_h, inner.w,
                                                button_h),
                        "button", self.tr.gettext("More time"), events.MoreTime(), role="hero",
                        tone="primary"))

    def modal(self, wid: str, width: int) -> Rect:
        """A dialog over the whole screen: the shade that takes every tap under it, the panel
        (``width`` design px wide, at most the screen's); returns the panel's inside."""
        w, h = self.size
        m = self.px(theme.MARGIN)
        self.add(Widget(f"{wid}.shade", Rect(0, 0, w, h), "shade"))
        box_w, box_h = min(w - 2 * m, self.px(width)), min(h - 2 * m, self.px(480))
        box = Rect((w - box_w) // 2, (h - box_h) // 2, box_w, box_h)
        self.add(Widget(wid, box, "panel", tone="dialog"))
        pad = self.px(32)
        return Rect(box.x + pad, box.y + pad // 2, box.w - 2 * pad, box.h - pad - pad // 2)

    def layout(self) -> Layout:
        self._bar()
        if self.ui.languages_open and self.find("lang.more") is not None:
            self._language_list()
        elif self.ui.cancel_asked:
            from screens.dialogs import cancel_question  # it builds on this frame

            cancel_question(self)
        else:
            self._dialog()
        return Layout(self.view.screen, self.size, tuple(self.widgets), self.style,
                      self.tr.lang)

    def find(self, widget_id: str) -> Widget | None:
        return next((w for w in self.widgets if w.id == widget_id), None)
