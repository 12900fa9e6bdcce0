"""The trust screens, in every language at every size: the refund shown, the cancelled notice
on the idle screen, certificates out of hours greyed with their hours, the collect marks, the
accepted coins and notes with the amount due in large type, and Cancel far from Back."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from collections.abc import Iterator  # noqa: E402
from dataclasses import replace  # noqa: E402

import pygame  # noqa: E402
import pytest  # noqa: E402
from test_ui_checks import LANGS, SIZES, layout_problems  # noqa: E402

from kiosk.i18n import translator  # noqa: E402
from kiosk.replay.screenshots import base_views  # noqa: E402
from kiosk.vocabulary import events  # noqa: E402
from kiosk.vocabulary.view import View  # noqa: E402
from screens import build_layout, render_view, theme  # noqa: E402
from screens.layout import UiState  # noqa: E402

SIZE = (1280, 800)
ACCEPTED = (10, 50, 100, 500, 1000, 5000, 10000)


def closed_register(view: View) -> View:
    certs = tuple(replace(c, closed="closed-hours", hours=("09:00", "17:00", True))
                  if c.id.startswith("koseki") else c for c in view.certificates)
    return replace(view, certificates=certs, certificate=None)


def variants(lang: str) -> Iterator[tuple[str, View, UiState]]:
    b = base_views(lang)
    plain, large = UiState(), UiState(large_text=True)
    for name, ui in (("", plain), ("-large_text", large)):
        yield f"idle-cancelled{name}", replace(b["idle"], message="cancelled"), ui
        cert = closed_register(b["choose_certificate"])
        yield f"choose_certificate-closed{name}", cert, ui
        yield (f"choose_certificate-closed_chosen{name}",
               replace(cert, message="closed-hours"), ui)
        pay = replace(b["payment"], paid=0, accepted=ACCEPTED, can_back=True)
        yield f"payment-accepted{name}", pay, ui
        yield (f"payment-accepted_emoney{name}",
               replace(pay, methods=("cash", "emoney"), message="exact-amount-only"), ui)
        for taken in (("card",), ("paper", "card"), ("change", "card")):
            yield (f"collect-taken_{'_'.join(taken)}{name}",
                   replace(b["collect"], taken=taken, alarm="none"), ui)
        yield (f"refunding-owed{name}",
               replace(b["refunding"], message="printer-fault", refund=400, refund_owed=100), ui)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lang", LANGS)
def test_the_trust_screens_fit_with_real_glyphs(lang: str, size: tuple[int, int]) -> None:
    pygame.font.init()
    tr, surface, s = translator(lang), pygame.Surface(size), theme.scale(size)
    problems = []
    for name, view, ui in variants(lang):
        layout = render_view(surface, view, tr, ui)  # type: ignore[arg-type]
        problems.extend(f"{name}: {p}" for p in layout_problems(layout, s))
    assert not problems, "\n".join(problems[:40]) + f"\n({len(problems)} problems)"


def _layout(view: View, size: tuple[int, int] = SIZE, ui: UiState | None = None):  # type: ignore[no-untyped-def]
    return build_layout(view, translator(view.language), size, ui or UiState())


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("large", [False, True])
def test_cancel_stands_far_from_back_and_looks_different(size: tuple[int, int],
                                                         large: bool) -> None:
    ui = UiState(large_text=large)
    for screen in ("choose_certificate", "confirm", "await_card", "payment"):
        view = replace(base_views("ja")[screen], can_back=True, paid=0)
        layout = _layout(view, size, ui)
        back = layout.find("nav.back")
        cancel = layout.find("pay.cancel" if screen == "payment" else "nav.cancel")
        assert back is not None and cancel is not None, screen
        gap_mm = (cancel.rect.x - back.rect.right) / ui.dpi * 25.4
        assert gap_mm >= 30, f"{screen}: Cancel {gap_mm:.0f} mm from Back"
        assert cancel.tone != back.tone and cancel.action == events.Cancel()
        assert min(cancel.rect.w, cancel.rect.h) >= ui.style.min_touch
        primary = next((w for w in layout.widgets if w.rect.y == back.rect.y
                        and w.tone in ("primary", "disabled")), None)
        if primary is not None:
            assert cancel.rect.right < primary.rect.x, screen


def test_the_refund_heading_says_the_amount_returned() -> None:
    view = replace(base_views("en")["refunding"], message="cancelled", refund=100)
    texts = [w.text for w in _layout(view).widgets]
    assert "Returning ¥100." in texts
    assert any("The procedure was cancelled." in t for t in texts)
    owed = _layout(replace(view, refund=50, refund_owed=50))
    assert any("¥50 could not be returned" in w.text for w in owed.widgets)


def test_the_idle_screen_says_the_last_visit_was_cancelled() -> None:
    idle = base_views("en")["idle"]
    assert _layout(idle).find("idle.notice") is None
    notice = _layout(replace(idle, message="cancelled")).find("idle.notice")
    assert notice is not None and notice.text == "The procedure was cancelled."


def test_a_certificate_out_of_hours_is_greyed_with_its_hours_and_still_explains() -> None:
    view = closed_register(base_views("en")["choose_certificate"])
    layout = _layout(view)
    koseki = layout.find("choose_certificate.koseki-zenbu")
    assert koseki is not None and koseki.tone == "disabled"
    assert koseki.text.endswith("\nWeekdays only, 09:00–17:00") and not koseki.detail
    assert koseki.action == events.ChooseCertificate("koseki-zenbu")  # a tap explains why not
    juminhyo = layout.find("choose_certificate.juminhyo")
    assert juminhyo is not None and juminhyo.tone == "secondary" and juminhyo.detail == "¥200"
    low = _layout(view, ui=UiState(large_text=True)).find("choose_certificate.koseki-zenbu")
    assert low is not None and low.detail == "09:00–17:00"  # rows too low for two lines
    told = _layout(replace(view, message="closed-hours")).find("choose_certificate.message")
    assert told is not None and "time of day" in told.text


def test_the_collect_screen_checks_off_what_was_taken() -> None:
    collect = replace(base_views("en")["collect"], alarm="none")
    layout = _layout(replace(collect, taken=("card",)))
    paper = layout.find("collect.paper")
    assert paper is not None and paper.action == events.Take("paper")
    assert layout.find("collect.card.taken") is not None
    assert layout.find("collect.paper.taken") is None
    layout = _layout(replace(collect, taken=("paper", "card")))
    paper = layout.find("collect.paper")
    assert paper is not None and paper.action is None and paper.text == "Certificate taken"
    assert layout.find("collect.paper.taken") is not None
    change = layout.find("collect.change")
    assert change is not None and change.action == events.Take("change")


def test_the_payment_screen_shows_the_coins_and_bills_and_the_due_large() -> None:
    pay = replace(base_views("en")["payment"], paid=0, accepted=(10, 50, 100, 500, 1000),
                  can_back=True)
    layout = _layout(pay)
    accepted = layout.find("pay.accepted")
    assert accepted is not None
    assert accepted.text == "Coins: ¥10 ¥50 ¥100 ¥500  ·  Bills: ¥1,000"
    due = layout.find("pay.due")
    assert due is not None and due.role == "big"
    back = layout.find("nav.back")
    assert back is not None and back.action == events.Back()
    assert _layout(replace(pay, accepted=())).find("pay.accepted") is None
    assert _layout(replace(pay, paid=100, can_back=False)).find("nav.back") is None
