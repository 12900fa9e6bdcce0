"""Staff or an engineer is working on the kiosk: the operator's PIN, status and menu.

This screen is for staff, not residents: its few words are fixed, in Japanese with English,
rather than taken from the residents' catalogs.
"""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import message
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.widgets import button, label

Op = events.Operation
ACTIONS = ((Op.TEST_PRINT, "テスト印刷 / Test print"), (Op.SETTLEMENT, "本日の精算 / Settlement"),
           (Op.COLLECT_CASH, "現金回収 / Collect cash"), (Op.REFILL, "釣銭補充 / Refill change"),
           (Op.CLEAR_FAULT, "障害解除 / Clear fault"),
           (Op.OUT_OF_SERVICE, "休止 / Out of service"),
           (Op.BACK_IN_SERVICE, "再開 / Back in service"), (Op.PRACTICE, "練習 / Practice"),
           (Op.LEAVE, "終了 / Leave"))


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    op = view.operator
    if op is None:
        frame = Frame(view, tr, size, tr._("Maintenance"), ui=ui)
        message(frame, "maintenance", tr._("Maintenance in progress."),
                tr._("Please wait a moment or use another kiosk."))
        return frame.layout()
    frame = Frame(view, tr, size, "運用モード / Operator mode", ui=ui)
    area = frame.body
    px, gap = frame.px, frame.px(theme.GAP)
    line_h = px(40)
    if op.pin_needed:
        frame.add(label("operator.prompt", Rect(area.x, area.y, area.w, px(80)),
                        "運用者PINを入力してください / Enter the operator PIN", role="heading"))
        frame.add(label("operator.last", Rect(area.x, area.y + px(100), area.w, line_h),
                        op.last or "キーボードの数字とEnter / keyboard digits and Enter",
                        role="body", tone="muted"))
        return frame.layout()
    cols = 5
    rows = -(-len(ACTIONS) // cols)
    bw = (area.w - gap * (cols - 1)) // cols
    bh = max(px(72), frame.touch)  # 15 mm at the configured DPI
    for i, (action, text) in enumerate(ACTIONS):
        r, c = divmod(i, cols)
        frame.add(button(f"operator.{action}", Rect(area.x + c * (bw + gap),
                                                     area.y + r * (bh + gap), bw, bh),
                         text, events.OperatorAction(action), role="small"))
    y = area.y + rows * (bh + gap)
    for i, text in enumerate((*op.status, *op.report, op.last)[: max(1, (area.bottom - y)
                                                                    // line_h)]):
        frame.add(label(f"operator.line{i}", Rect(area.x, y + i * line_h, area.w, line_h),
                        text, role="small", align="left"))
    return frame.layout()
