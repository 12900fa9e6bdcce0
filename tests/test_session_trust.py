"""The moments that decide trust, in the session: the refund shown is the refund given, a
cancel says so, the collect screen knows what was taken, Back before money, the accepted coins
and notes, and a certificate outside its hours refused on the certificate list."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import make_kiosk
from test_session import act, sign_in, to_payment

from kiosk.app import Kiosk
from kiosk.center.protocol import Hours
from kiosk.clock import JST
from kiosk.session.hours import first_closed, issued_now
from kiosk.session.machine import NOTICE_SECONDS
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import CenterError, Reason

KAWASAKI_WORLD = str(Path(__file__).parent / "worlds" / "with-kawasaki-register.toml")
FRIDAY_EVENING = datetime(2026, 11, 20, 18, 30, tzinfo=JST)
MONDAY_MORNING = datetime(2026, 11, 23, 10, 0, tzinfo=JST)


def kawasaki(tmp_path: Path, start: datetime) -> Kiosk:
    k = make_kiosk(tmp_path, start, center={"uri": "local:", "world": KAWASAKI_WORLD})
    sign_in_r012(k)
    return k


def sign_in_r012(k: Kiosk) -> None:
    act(k, ev.Start(), ev.Agree())
    k.place_card("r012")
    k.pump()
    act(k, ev.EnterPin(bytearray(b"1470")))
    k.remove_card()
    k.pump()
    act(k, ev.ChooseMunicipality("141305"))
    assert k.session.state == "choose_certificate"


def test_the_refund_screen_shows_what_came_back_not_zero(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(100)
    kiosk.pump()
    act(kiosk, ev.Cancel())
    assert kiosk.session.state == "refunding"
    view = kiosk.session.view()
    assert (view.refund, view.refund_owed, view.message) == (100, 0, "cancelled")
    assert kiosk.tray.coins == 100  # and it is there


def test_a_refund_the_unit_could_not_give_in_full_shows_the_shortfall(kiosk: Kiosk) -> None:
    till = kiosk.session.till
    till.refund(600)
    till.refund_given(500)
    assert (till.refunding, till.refund_short, till.refund_due) == (500, 100, 0)
    till.refund(300)
    till.refund_given(0)
    assert (till.refunding, till.refund_short) == (0, 300)


def test_a_cancel_says_cancelled_on_the_idle_screen_for_a_while(kiosk: Kiosk) -> None:
    sign_in(kiosk)
    act(kiosk, ev.Cancel())
    assert kiosk.session.state == "idle"
    assert kiosk.session.view().message == "cancelled"
    assert kiosk.session.next_deadline() is not None
    kiosk.advance_to(kiosk.clock.now() + timedelta(seconds=NOTICE_SECONDS))
    assert kiosk.session.view().message is None


def test_the_next_resident_does_not_see_the_last_ones_cancel(kiosk: Kiosk) -> None:
    act(kiosk, ev.Start(), ev.Cancel())
    assert kiosk.session.view().message == "cancelled"
    act(kiosk, ev.Start())
    assert kiosk.session.state == "terms" and kiosk.session.view().message is None


def test_a_finished_visit_leaves_no_notice(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    for _ in range(2):
        kiosk.cash.insert(100)
        kiosk.pump()
    kiosk.tray.take("paper")
    kiosk.pump()
    assert kiosk.session.state == "thanks"
    kiosk.advance_to(kiosk.clock.now() + timedelta(seconds=30))
    assert kiosk.session.state == "idle" and kiosk.session.view().message is None


def test_the_collect_screen_marks_each_thing_as_it_is_taken(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(500)
    kiosk.pump()
    assert kiosk.session.state == "collect"
    assert kiosk.session.view().taken == ("card",)
    kiosk.tray.take("change")
    kiosk.pump()
    assert set(kiosk.session.view().taken) == {"change", "card"}
    kiosk.tray.take("paper")
    kiosk.pump()
    assert kiosk.session.state == "thanks" and kiosk.session.view().taken == ()


def test_the_payment_screen_lists_what_the_cash_unit_takes(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    view = kiosk.session.view()
    assert view.accepted == kiosk.cash.accepted() == (10, 50, 100, 500, 1000)


def test_back_from_payment_before_money_voids_the_order(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    order = kiosk.session.visit.order
    assert order is not None and kiosk.session.view().can_back
    act(kiosk, ev.Back())
    assert kiosk.session.state == "confirm" and kiosk.session.visit.order is None
    assert kiosk.journal.totals().orders_voided == 1
    kiosk.cash.insert(100)  # the slot no longer takes money: it goes back to the tray
    kiosk.pump()
    assert kiosk.session.till.inserted == 0
    act(kiosk, ev.Confirm())
    assert kiosk.session.state == "payment"
    assert kiosk.session.visit.order is not None
    assert kiosk.session.visit.order.order_id != order.order_id


def test_no_back_from_payment_once_money_is_in(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(100)
    kiosk.pump()
    assert not kiosk.session.view().can_back
    act(kiosk, ev.Back())
    assert kiosk.session.state == "payment" and kiosk.session.till.inserted == 100
    assert kiosk.journal.totals().orders_voided == 0


def test_a_register_after_office_hours_is_refused_on_the_certificate_list(
        tmp_path: Path) -> None:
    k = kawasaki(tmp_path, FRIDAY_EVENING)
    try:
        choices = {c.id: c for c in k.session.view().certificates}
        assert choices["koseki-zenbu"].closed == "closed-hours"
        assert choices["koseki-zenbu"].hours == ("09:00", "17:00", True)
        assert choices["juminhyo"].closed is None
        act(k, ev.ChooseCertificate("koseki-zenbu"))
        assert k.session.state == "choose_certificate"
        assert k.session.view().message == "closed-hours"
        act(k, ev.ChooseCertificate("juminhyo"))
        assert k.session.state == "choose_options" and k.session.view().message is None
    finally:
        k.close()


def test_a_register_in_office_hours_is_offered(tmp_path: Path) -> None:
    k = kawasaki(tmp_path, MONDAY_MORNING)
    try:
        assert all(c.closed is None for c in k.session.view().certificates)
        act(k, ev.ChooseCertificate("koseki-zenbu"))
        assert k.session.state == "choose_options"
    finally:
        k.close()


def test_the_catalog_is_fetched_once_a_day_and_its_absence_is_no_failure(
        tmp_path: Path) -> None:
    k = make_kiosk(tmp_path)
    try:
        calls: list[str] = []
        center = k.session.ports.center
        real = center.catalog

        def counted() -> object:
            calls.append("catalog")
            return real()

        center.catalog = counted  # type: ignore[method-assign]
        sign_in(k)
        assert calls == ["catalog"] and "131130" in k.session.catalog_hours
        act(k, ev.Cancel())
        sign_in(k)
        assert calls == ["catalog"]  # the same day: known

        def down() -> object:
            raise CenterError("down", Reason.CENTER_UNAVAILABLE)

        center.catalog = down  # type: ignore[method-assign]
        k.session.catalog_day = None
        act(k, ev.Cancel())
        sign_in(k)  # the sign-in goes on; the hours are checked at the order
        assert k.session.state == "choose_municipality"
    finally:
        k.close()


def test_hours_are_read_as_the_center_reads_them() -> None:
    office = Hours("09:00", "17:00", weekdays_only=True)
    assert issued_now(office, MONDAY_MORNING) is None
    assert issued_now(office, FRIDAY_EVENING) == Reason.CLOSED_HOURS
    assert issued_now(office, datetime(2026, 11, 21, 10, 0, tzinfo=JST)) == Reason.CLOSED_DAY
    assert issued_now(office, MONDAY_MORNING.replace(hour=17, minute=0)) == Reason.CLOSED_HOURS
    town = Hours("06:30", "23:00")
    late = MONDAY_MORNING.replace(hour=23, minute=30)
    assert first_closed((town, office), late) == (Reason.CLOSED_HOURS, town)
    assert first_closed((None, office), FRIDAY_EVENING) == (Reason.CLOSED_HOURS, office)
    assert first_closed((town, None), MONDAY_MORNING) is None


def test_a_refund_the_tubes_cannot_pay_alerts_staff_and_stays_owed(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(100)
    kiosk.pump()
    kiosk.cash.tubes = dict.fromkeys(kiosk.cash.tubes, 0)  # the coin is stuck in the unit
    act(kiosk, ev.Cancel())
    assert kiosk.session.state == "refunding"  # it says what it could not give back
    view = kiosk.session.view()
    assert (view.refund, view.refund_owed) == (0, 100)
    assert any("¥100 of a refund" in a for a in kiosk.session.alerts)
    totals = kiosk.journal.report().totals
    assert (totals.money_in, totals.refunded, totals.vouchers) == (100, 100, 100)  # owed
    act(kiosk, ev.Take("change"))  # the resident has read it
    assert kiosk.session.state == "idle"
