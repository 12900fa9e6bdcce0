"""The session's rules, driven through the real in-process parts (emulated card, local center,
SQLite journal on disk, simulated cash unit and tray, spool printer) on a virtual clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.app import Kiosk
from kiosk.services.registry import all_states, installed_services
from kiosk.session.table import TRANSITIONS
from kiosk.vocabulary import events as ev


def act(k: Kiosk, *events: ev.Event) -> None:
    for e in events:
        k.post(e)
        k.pump()


def sign_in(k: Kiosk, resident: str = "r001", pin: str = "1234") -> None:
    act(k, ev.Start(), ev.Agree())
    k.place_card(resident)
    k.pump()
    act(k, ev.EnterPin(bytearray(pin.encode())))
    assert k.session.state == "remove_card"
    k.remove_card()
    k.pump()
    assert k.session.state == "choose_municipality"


def to_payment(k: Kiosk, cert: str = "juminhyo", copies: int = 1) -> None:
    sign_in(k)
    act(k, ev.ChooseMunicipality("131130"), ev.ChooseCertificate(cert), ev.SetOptions({}),
        ev.SetCopies(copies), ev.Confirm())
    assert k.session.state == "payment"


def test_every_architecture_state_is_declared_in_the_table() -> None:
    named = {"closed", "out_of_service", "maintenance", "idle", "terms", "await_card",
             "reading_card", "pin_entry", "authenticating", "remove_card", "choose_municipality",
             "choose_certificate", "choose_options", "choose_copies", "confirm", "requesting",
             "payment", "printing", "collect", "thanks", "refunding", "error", "phone_confirm",
             "ticket"}
    states = all_states()
    certificates = {name for name, info in states.items() if info.service in ("", "certificates")}
    assert certificates == named
    used = {t.dest for t in TRANSITIONS} | {s.entry for s in installed_services()} | {
        t.dest for s in installed_services() for t in s.transitions}
    assert set(states) - {"idle"} <= used  # every state can be reached


def test_happy_path_prints_two_pages_and_pays_change(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(1000)
    kiosk.pump()
    assert kiosk.session.state == "collect"
    assert kiosk.tray.sheets == 1 and kiosk.tray.coins == 800
    kiosk.tray.take("paper")
    kiosk.tray.take("change")
    kiosk.pump()
    assert kiosk.session.state == "thanks"
    t = kiosk.journal.totals()
    assert (t.paid, t.fees, t.change, t.printed_documents, t.printed_pages) == (1000, 200, 800,
                                                                                 1, 2)
    assert len(list(kiosk.printer.directory.glob("*.pdf"))) == 1


@pytest.mark.parametrize("state", ["terms", "await_card", "pin_entry", "choose_municipality",
                                   "choose_certificate", "choose_options", "choose_copies",
                                   "confirm", "payment"])
def test_cancel_from_every_resident_state_ends_the_visit_and_returns_money(
        kiosk: Kiosk, state: str) -> None:
    steps = {
        "terms": [ev.Start()], "await_card": [ev.Agree()],
        "choose_certificate": [ev.ChooseMunicipality("131130")],
        "choose_options": [ev.ChooseCertificate("juminhyo")],
        "choose_copies": [ev.SetOptions({})], "confirm": [ev.SetCopies(1)],
        "payment": [ev.Confirm()],
    }
    order = ["terms", "await_card", "pin_entry", "choose_municipality", "choose_certificate",
             "choose_options", "choose_copies", "confirm", "payment"]
    for s in order[: order.index(state) + 1]:
        if s == "pin_entry":
            kiosk.place_card("r001")
            kiosk.pump()
        elif s == "choose_municipality":
            act(kiosk, ev.EnterPin(bytearray(b"1234")))
            kiosk.remove_card()
            kiosk.pump()
        else:
            act(kiosk, *steps[s])
    assert kiosk.session.state == state
    if state == "payment":
        kiosk.cash.insert(100)
        kiosk.pump()
    act(kiosk, ev.Cancel())
    if state == "pin_entry":  # the card is still on the reader: it must come back first
        assert kiosk.session.state == "remove_card"
        kiosk.remove_card()
        kiosk.pump()
    if state == "payment":
        assert kiosk.session.state == "refunding"
        assert kiosk.tray.coins == 100
        kiosk.tray.take("change")
        kiosk.pump()
        t = kiosk.journal.totals()
        assert (t.paid, t.refunded, t.orders_voided) == (100, 100, 1)
    assert kiosk.session.state == "idle"


def test_wrong_pin_counts_down_then_locks(kiosk: Kiosk) -> None:
    act(kiosk, ev.Start(), ev.Agree())
    kiosk.place_card("r002")  # two tries left on the card
    kiosk.pump()
    assert kiosk.session.view().tries_left == 2
    act(kiosk, ev.EnterPin(bytearray(b"0000")))
    view = kiosk.session.view()
    assert (view.screen, view.tries_left, view.message) == ("pin_entry", 1, "pin-wrong")
    assert view.last_try_warning
    act(kiosk, ev.EnterPin(bytearray(b"0000")))
    assert (kiosk.session.state, kiosk.session.view().message) == ("error", "pin-locked")
    kiosk.remove_card()
    kiosk.pump()
    assert kiosk.session.state == "idle"


def test_the_pin_buffer_is_wiped_after_verify(kiosk: Kiosk) -> None:
    act(kiosk, ev.Start(), ev.Agree())
    kiosk.place_card("r001")
    kiosk.pump()
    pin = bytearray(b"1234")
    act(kiosk, ev.EnterPin(pin))
    assert pin == bytearray(4)


def test_payment_timeout_refunds_everything_inserted(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(50)
    kiosk.cash.insert(10)
    kiosk.pump()
    kiosk.advance_to(kiosk.clock.now() + timedelta(seconds=kiosk.config.timeouts.payment + 1))
    assert kiosk.session.state == "refunding"
    assert kiosk.session.view().message == "timeout"
    assert kiosk.tray.coins == 60
    t = kiosk.journal.totals()
    assert (t.paid, t.refunded, t.orders_voided, t.printed_documents) == (60, 60, 1, 0)


def test_forgotten_card_alarm_sounds_until_the_card_is_lifted(kiosk: Kiosk) -> None:
    act(kiosk, ev.Start(), ev.Agree())
    kiosk.place_card("r001")
    kiosk.pump()
    act(kiosk, ev.EnterPin(bytearray(b"1234")))
    assert kiosk.session.state == "remove_card" and kiosk.session.alarm == "none"
    kiosk.advance_to(kiosk.clock.now() + timedelta(seconds=11))
    assert kiosk.session.alarm == "forgotten-card"
    assert kiosk.alarm.sounding == "forgotten-card"
    kiosk.remove_card()
    kiosk.pump()
    assert kiosk.session.alarm == "none" and kiosk.alarm.sounding is None
    assert kiosk.session.state == "choose_municipality"


def test_forgotten_paper_alarm_sounds_until_the_paper_is_taken(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(100)
    kiosk.cash.insert(100)
    kiosk.pump()
    assert kiosk.session.state == "collect"
    kiosk.advance_to(kiosk.clock.now() + timedelta(seconds=11))
    assert kiosk.session.alarm == "forgotten-paper"
    kiosk.tray.take("paper")
    kiosk.pump()
    assert kiosk.session.alarm == "none"
    assert kiosk.session.state == "thanks"


def test_money_inserted_outside_payment_is_given_back(kiosk: Kiosk) -> None:
    sign_in(kiosk)
    taken = kiosk.cash.insert(100)  # the unit is not taking money: it drops into the tray
    kiosk.pump()
    assert not taken and kiosk.tray.coins == 100
    assert kiosk.journal.totals().paid == 0


def test_options_outside_the_certificates_list_are_refused(kiosk: Kiosk) -> None:
    sign_in(kiosk)
    act(kiosk, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("inkan"),
        ev.SetOptions({"mynumber": True}))
    assert kiosk.session.state == "choose_options"


def test_copies_beyond_the_municipalitys_maximum_are_refused(kiosk: Kiosk) -> None:
    sign_in(kiosk)
    act(kiosk, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
        ev.SetOptions({}), ev.SetCopies(11))
    assert kiosk.session.state == "choose_copies"
    act(kiosk, ev.SetCopies(10))
    assert kiosk.session.state == "confirm"
    assert kiosk.session.view().fee == 2000


def test_the_visit_is_counted_for_the_operators_metrics(kiosk: Kiosk) -> None:
    to_payment(kiosk)
    kiosk.cash.insert(100)
    kiosk.cash.insert(100)
    kiosk.pump()
    registry = kiosk.session.ports.metrics.registry  # type: ignore[union-attr]
    assert registry.get_sample_value("kiosk_sessions_total") == 1
    assert registry.get_sample_value("kiosk_certificates_total", {"type": "juminhyo"}) == 1


def test_the_closed_screen_says_when_the_kiosk_opens_next(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    from conftest import make_kiosk

    from kiosk.clock import JST

    k = make_kiosk(tmp_path, start=datetime(2026, 12, 30, 10, 0, tzinfo=JST))
    try:
        k.tick()
        view = k.session.view()
        assert (view.screen, view.message) == ("closed", "closed-day")
        assert view.opens_at == "2027-01-04T06:30+09:00"  # after the 12/29-1/3 holidays
    finally:
        k.close()


def test_recovery_returns_money_of_an_order_voided_just_before_the_power_went(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from conftest import make_kiosk

    k = make_kiosk(tmp_path)
    to_payment(k)
    k.cash.insert(100)
    k.cash.insert(50)
    k.pump()
    order_id = k.session.visit.order.order_id  # type: ignore[union-attr]
    k.journal.order_voided(order_id, "cancelled")  # the cut: voided, its refund not yet due
    k.journal.close()
    again = make_kiosk(tmp_path)  # a new start on the same journal recovers
    try:
        assert again.journal.held(order_id) == 0
        assert again.journal.check() == []
        report = again.journal.report()
        assert report.totals.refunded == 150 and report.totals.outstanding == 0
    finally:
        again.close()


def test_cancel_pressed_while_a_job_runs_ends_the_visit_when_it_reports(kiosk: Kiosk) -> None:
    """Cancel on a busy screen (reading the card, signing in, making the order) is acted on
    when the job reports: the visit ends there, never stuck on the busy screen."""
    k = kiosk
    act(k, ev.Start(), ev.Agree())
    k.place_card("r001")
    k.post(ev.Cancel())  # before the card's reading has reported
    k.pump()
    assert k.session.state == "remove_card" and k.session.visit.message == "cancelled"
    k.remove_card()
    k.pump()
    assert k.session.state == "idle"
    act(k, ev.Start(), ev.Agree())
    k.place_card("r001")
    k.pump()
    k.post(ev.EnterPin(bytearray(b"1234")))
    k.post(ev.Cancel())  # before the sign-in has reported
    k.pump()
    assert k.session.state == "remove_card"
    k.remove_card()
    k.pump()
    sign_in(k)
    act(k, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"), ev.SetOptions({}),
        ev.SetCopies(1))
    k.post(ev.Confirm())
    k.post(ev.Cancel())  # before the order has come back from the center
    k.pump()
    assert k.session.state == "idle"
    assert k.journal._rows("SELECT state FROM orders") == [("voided",)]
    assert k.journal.check() == []
