"""The fee, what is paid and what is still due; cancel returns what was inserted."""

from __future__ import annotations

from kiosk.i18n import Translator
from kiosk.vocabulary import events
from kiosk.vocabulary.view import View
from screens import theme
from screens.common import intro
from screens.layout import NO_UI, Frame, Layout, Rect, UiState
from screens.pictograms import where
from screens.texts import reason
from screens.widgets import button, icon, label, panel


def build(view: View, tr: Translator, size: tuple[int, int], ui: UiState = NO_UI) -> Layout:
    frame = Frame(view, tr, size, tr._("Payment"), cancel_id="pay.cancel", always_cancel=True,
                  ui=ui)
    area = intro(frame, "pay", tr._("Please insert the fee."))
    px, gap = frame.px, frame.px(theme.GAP)
    fee = view.fee or 0
    due = max(0, fee - view.paid)
    icon_w = px(240)
    if "cash" in view.methods:  # where the coins and bills go on this copier
        where(frame, "pay", Rect(area.x, area.y, icon_w, px(72) * 3 + px(32)),
              ("coin_slot", "note_slot"), view.places)
    else:
        frame.add(icon("pay.icon", Rect(area.x, area.y + px(20), icon_w, px(180)), "coins"))
    table = Rect(area.x + icon_w + px(40), area.y, area.w - icon_w - px(40), px(72) * 3 + px(32))
    frame.add(panel("pay.card", table, "card"))
    # the amount still due in large type; the fee and what is in above it, smaller
    rows = (("fee", tr._("Fee"), fee, "body", 56), ("paid", tr._("Paid"), view.paid, "body", 56),
            ("due", tr._("Still to pay"), due, "big", 104))
    name_w = table.w // 2
    y = table.y + px(16)
    for rid, name, yen, role, row_h in rows:
        frame.add(label(f"pay.{rid}.label", Rect(table.x + px(24), y, name_w - px(24),
                                                 px(row_h)),
                        name, role="heading" if role == "big" else role, tone="muted"))
        frame.add(label(f"pay.{rid}", Rect(table.x + name_w, y, table.w - name_w - px(24),
                                           px(row_h)), tr.yen(yen), role=role, align="right"))
        y += px(row_h)
    y = table.bottom + gap
    if view.message:
        what, _todo = reason(tr, view.message)
        frame.add(label("pay.message", Rect(area.x, y, area.w, px(48)), what, role="body",
                        tone="alarm", align="center"))
        y += px(48) + gap
    note_w = area.w
    if "emoney" in view.methods and not view.paid:
        note_w = area.w - px(theme.NAV_BUTTON_W) * 2 - gap
        frame.add(button("pay.emoney", Rect(area.x + note_w + gap, y, area.right - note_w - gap
                                            - area.x, frame.tpx(72)), tr._("Pay by e-money"),
                         events.PayEmoney(), tone="secondary"))
    if view.accepted:  # what the cash unit takes: "Coins: ¥10 ¥50 …  Bills: ¥1,000"
        accepted_h = px(48 * min(frame.style.text_scale, 1.2))
        frame.add(label("pay.accepted", Rect(area.x, y, note_w, accepted_h),
                        accepted_text(tr, view.accepted), role="body", align="center"))
        y += accepted_h + gap // 2
    if area.bottom - y >= px(64) * frame.style.text_scale:  # else the cancel question says it
        frame.add(label("pay.note", Rect(area.x, y, note_w, area.bottom - y),
                        tr._("Insert coins or bills. Your change is returned after printing. "
                             "If you cancel, the money you inserted is returned."),
                        role="small", tone="muted", align="center"))
    return frame.layout()


def accepted_text(tr: Translator, accepted: tuple[int, ...]) -> str:
    """The coins and the bills the cash unit takes, each group in one line of text."""
    coins = " ".join(tr.yen(y) for y in sorted(accepted) if y < 1000)
    bills = " ".join(tr.yen(y) for y in sorted(accepted) if y >= 1000)
    parts = ([tr._("Coins: %(list)s") % {"list": coins}] if coins else []) + (
        [tr._("Bills: %(list)s") % {"list": bills}] if bills else [])
    return "  ·  ".join(parts)
