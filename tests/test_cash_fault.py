"""A cash device's fault (``CashChanged``) takes the kiosk out of service with every yen
accounted: a visit before payment is cancelled, one in payment gives back what went in (a
voucher for what the unit cannot pay), one already paid finishes first; staff see why (operator
status, metrics) and clear it from operator mode. The last test runs over the emulated devices."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import make_kiosk
from test_session import act, sign_in, to_payment

from kiosk.app import Kiosk
from kiosk.field.operator_pin import hash_pin
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.ports import FaultyCash, PaymentPort
from kiosk.vocabulary.reasons import Reason

JAM = "bills: a note is jammed in the acceptor: open the head and clear it"


class FaultyUnit:
    """The simulated unit with device faults of its own, posted as the serial unit posts them;
    ``short``: it can pay nothing back (a jammed hopper)."""

    def __init__(self, unit: Any, post: Any) -> None:
        self.unit, self.post = unit, post
        self.faults: dict[str, str] = {}
        self.short = False
        self.begun: list[int] = []
        self.cleared = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unit, name)

    @property
    def fault(self) -> str | None:
        return "; ".join(f"{d}: {r}" for d, r in sorted(self.faults.items())) or None

    def fail(self, device: str, reason: str) -> None:
        self.faults[device] = reason
        self.post(ev.CashChanged(self.fault))

    def clear_faults(self) -> None:
        self.cleared += 1
        self.faults.clear()
        self.post(ev.CashChanged(None))

    def begin(self, fee: int) -> None:
        self.begun.append(fee)
        self.unit.begin(fee)

    def dispense(self, yen: int) -> int:
        return 0 if self.short else int(self.unit.dispense(yen))

    def levels(self) -> str:
        text = str(self.unit.levels())
        return f"{text}; FAULT {self.fault}" if self.fault else text


@pytest.fixture
def k(tmp_path: Path) -> Iterator[Kiosk]:
    kiosk = make_kiosk(tmp_path, operator={"pin_hash": hash_pin("2468")})
    unit = FaultyUnit(kiosk.cash, kiosk.post)
    kiosk.session.ports.payment = unit
    kiosk.session.till.payment = unit
    assert isinstance(unit, FaultyCash) and isinstance(unit, PaymentPort)
    yield kiosk
    kiosk.close()


def unit(k: Kiosk) -> FaultyUnit:
    payment = k.session.ports.payment
    assert isinstance(payment, FaultyUnit)
    return payment


def jam(k: Kiosk) -> None:
    unit(k).fail("bills", JAM.removeprefix("bills: "))
    k.pump()


def metric(k: Kiosk, name: str, **labels: str) -> float | None:
    registry = k.session.ports.metrics.registry  # type: ignore[union-attr]
    value = registry.get_sample_value(name, labels)
    return None if value is None else float(value)


def out_of_service_for_cash(k: Kiosk) -> None:
    s = k.session
    assert s.state == "out_of_service" and s.faults == {"cash": Reason.CASH_FAULT}
    assert s.view().message == "cash-fault"
    assert k.journal.check() == []
    assert metric(k, "kiosk_cash_fault") == 1 and metric(k, "kiosk_out_of_service") == 1


def test_an_idle_kiosk_goes_out_of_service_and_back_when_the_unit_is_well(k: Kiosk) -> None:
    jam(k)
    out_of_service_for_cash(k)
    unit(k).fail("hopper", "the hopper is empty (3 coins unpaid): refill it")  # a second one
    k.pump()
    assert metric(k, "kiosk_errors_total", reason="cash-fault") == 1  # counted once
    act(k, ev.Start())
    assert k.session.state == "out_of_service"  # no visit while the fault stands
    unit(k).clear_faults()
    k.pump()
    assert k.session.state == "idle" and not k.session.faults
    assert metric(k, "kiosk_cash_fault") == 0 and metric(k, "kiosk_out_of_service") == 0
    act(k, ev.Start())
    assert k.session.state == "terms"


def test_another_fault_keeps_the_kiosk_out_when_the_cash_unit_is_well(k: Kiosk) -> None:
    jam(k)
    k.session.faults["reader"] = Reason.READER_UNAVAILABLE
    unit(k).clear_faults()
    k.pump()
    assert k.session.state == "out_of_service" and set(k.session.faults) == {"reader"}


@pytest.mark.parametrize("state", ["terms", "await_card", "pin_entry", "choose_municipality",
                                   "confirm"])
def test_a_visit_before_payment_is_cancelled_with_cash_fault(k: Kiosk, state: str) -> None:
    steps: dict[str, list[ev.Event]] = {"terms": [ev.Start()], "await_card": [ev.Start(),
                                                                              ev.Agree()]}
    if state in steps:
        act(k, *steps[state])
    elif state == "pin_entry":
        act(k, ev.Start(), ev.Agree())
        k.place_card("r001")
        k.pump()
    else:
        sign_in(k)
        if state == "confirm":
            act(k, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
                ev.SetOptions({}), ev.SetCopies(1))
    assert k.session.state == state
    jam(k)
    if state == "pin_entry":  # the card comes back first, the screen says why
        assert k.session.state == "remove_card" and k.session.view().message == "cash-fault"
        k.remove_card()
        k.pump()
    out_of_service_for_cash(k)
    assert unit(k).begun == [] and k.journal.totals().paid == 0


def test_signed_in_on_remove_card_the_card_comes_off_then_the_visit_ends(k: Kiosk) -> None:
    act(k, ev.Start(), ev.Agree())
    k.place_card("r001")
    k.pump()
    act(k, ev.EnterPin(bytearray(b"1234")))
    assert k.session.state == "remove_card"
    jam(k)
    assert k.session.state == "remove_card" and k.session.view().message == "cash-fault"
    k.remove_card()
    k.pump()
    out_of_service_for_cash(k)


def test_in_payment_what_went_in_is_refunded_then_out_of_service(k: Kiosk) -> None:
    to_payment(k)
    k.cash.insert(100)
    k.pump()
    jam(k)
    assert k.session.state == "refunding" and k.session.view().message == "cash-fault"
    assert k.tray.coins == 100 and k.session.view().refund == 100
    k.tray.take("change")
    k.pump()
    out_of_service_for_cash(k)
    t = k.journal.totals()
    assert (t.paid, t.fees, t.refunded, t.orders_voided) == (100, 0, 100, 1)
    assert k.journal.report().totals.outstanding == 0


def test_in_payment_what_the_unit_cannot_pay_goes_on_a_voucher(k: Kiosk) -> None:
    to_payment(k)
    k.cash.insert(100)
    k.pump()
    unit(k).short = True  # the hopper jams too: nothing comes out
    jam(k)
    view = k.session.view()
    assert k.session.state == "refunding" and (view.refund, view.refund_owed) == (0, 100)
    assert k.tray.coins == 0 and any("could not be paid out" in a for a in k.session.alerts)
    k.take("change")  # read what could not be returned
    k.pump()
    out_of_service_for_cash(k)
    totals = k.journal.report().totals
    assert (totals.money_in, totals.refunded, totals.vouchers, totals.outstanding) == (
        100, 100, 100, 0)


def test_in_payment_with_nothing_in_the_visit_just_ends(k: Kiosk) -> None:
    to_payment(k)
    jam(k)
    out_of_service_for_cash(k)
    t = k.journal.totals()
    assert (t.paid, t.orders_voided) == (0, 1)


def test_after_payment_the_visit_finishes_then_out_of_service(k: Kiosk) -> None:
    to_payment(k)
    k.cash.insert(500)
    k.pump()
    assert k.session.state == "collect"
    jam(k)
    assert k.session.state == "collect"  # the certificate and change are the resident's
    k.tray.take("paper")
    k.tray.take("change")
    k.pump()
    assert k.session.state == "thanks"
    k.advance_to(k.clock.now() + timedelta(minutes=2))
    out_of_service_for_cash(k)
    t = k.journal.totals()
    assert (t.paid, t.fees, t.change, t.orders_completed) == (500, 200, 300, 1)


def test_a_standing_cash_fault_takes_no_money_at_payment(k: Kiosk) -> None:
    sign_in(k)
    act(k, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
        ev.SetOptions({}), ev.SetCopies(1))
    k.session.faults["cash"] = Reason.CASH_FAULT  # (came while the order was being made)
    act(k, ev.Confirm())
    assert unit(k).begun == []
    assert k.session.state == "out_of_service" and k.session.view().message == "cash-fault"
    t = k.journal.totals()
    assert (t.paid, t.orders_voided) == (0, 1) and k.journal.check() == []


def test_a_fault_while_the_order_is_being_made_ends_the_visit_before_payment(k: Kiosk) -> None:
    sign_in(k)
    act(k, ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
        ev.SetOptions({}), ev.SetCopies(1))
    k.post(ev.Confirm())  # the order job's answer comes after the fault
    unit(k).fail("hopper", "a coin is jammed in the hopper (1 coins unpaid): clear it")
    k.pump()
    assert unit(k).begun == []
    out_of_service_for_cash(k)
    t = k.journal.totals()
    assert (t.paid, t.orders_voided) == (0, 1)


def test_staff_see_the_fault_and_clear_it_from_operator_mode(k: Kiosk) -> None:
    jam(k)
    act(k, ev.OperatorKey(), ev.EnterPin(bytearray(b"2468")))
    status = k.session.view().operator.status  # type: ignore[union-attr]
    assert f"cash fault: {JAM}" in status and "in service: no (cash)" in status
    assert any(line.startswith("cash: ") and line.endswith(f"FAULT {JAM}") for line in status)
    act(k, ev.OperatorAction(ev.Operation.CLEAR_FAULT))
    assert unit(k).cleared == 1 and "cash" not in k.session.faults
    status = k.session.view().operator.status  # type: ignore[union-attr]
    assert not any(line.startswith("cash fault") for line in status)
    assert ("clear_cash_fault", JAM) in [(a, d) for a, d, _ in k.journal.operator_log()]
    act(k, ev.OperatorAction(ev.Operation.LEAVE))
    assert k.session.state == "idle" and metric(k, "kiosk_cash_fault") == 0


# --- over the emulated devices on real ptys ------------------------------------------------------
def serial_config(tmp_path: Path, devices: Any) -> Any:
    from kiosk.config import from_data

    return from_data({"payment": {"unit": "serial", "accept": [100, 1000],
                                  "change": {"100": 20},
                                  "cash": {"bills": devices.bills, "coins": devices.coins,
                                           "hopper": devices.changer}},
                      "printer": {"uri": f"spool:{tmp_path / 'printed'}"},
                      "journal": {"path": str(tmp_path / "journal.sqlite")}})


def test_doctor_asks_each_cash_device_without_taking_money(tmp_path: Path) -> None:
    from serial_cash_kit import bench

    from kiosk.field.doctor_cash import check_cash

    (tmp_path / "well").mkdir()
    with bench(tmp_path / "well") as devices:
        status, detail = check_cash(serial_config(tmp_path, devices))
        assert status == "ok", detail
        assert detail.count("answers") == 3 and "Coin Acceptor" in detail and "Payout" in detail
    (tmp_path / "faulty").mkdir()  # (a pty set to 8E1 once refuses it again: fresh ones)
    with bench(tmp_path / "faulty") as devices:
        devices.validator.hand("jam")
        devices.acceptor.hand("jam")
        devices.hopper.hand("unplug")
        config = serial_config(tmp_path, devices)
        status, detail = check_cash(config)
        assert status == "fail", detail
        assert "bills fail:" in detail and "FAULT a note is jammed in the acceptor" in detail
        assert "coins warn:" in detail and "last event: credit sensor blocked" in detail
        assert "hopper fail:" in detail and "not answering" in detail
        assert devices.validator.stacked == [] and devices.hopper.coins == 20  # nothing moved
    status, detail = check_cash(config)  # the devices gone: each said so, bounded
    assert status == "fail" and detail.count(" fail: ") == 3, detail


def test_the_validator_jams_mid_payment_over_the_emulated_devices(tmp_path: Path) -> None:
    from serial_cash_kit import bench, until

    from drivers.sensors.tray import SimulatedTray
    from kiosk.app import build_kiosk
    from kiosk.clock import JST, VirtualClock

    with bench(tmp_path, hopper_coins=20) as devices:
        clock = VirtualClock(datetime(2026, 11, 21, 10, 0, tzinfo=JST))
        k = build_kiosk(serial_config(tmp_path, devices), clock, inline=True)
        try:
            to_payment(k)
            devices.acceptor.hand("insert 100")
            until(lambda: k.session.till.inserted == 100, then=k.pump)
            devices.validator.hand("jam")  # a note stuck in the head while paying
            until(lambda: k.session.state != "payment", then=k.pump)
            assert k.session.state == "refunding", k.session.state
            assert k.session.view().message == "cash-fault"
            tray = k.tray
            assert isinstance(tray, SimulatedTray)
            until(lambda: tray.coins == 100, then=k.pump)  # the hopper gave the coin back
            tray.take("change")
            k.pump()
            assert k.session.state == "out_of_service" and "cash" in k.session.faults
            t = k.journal.totals()
            assert (t.paid, t.fees, t.refunded, t.orders_voided) == (100, 0, 100, 1)
            assert k.journal.check() == [] and k.journal.report().totals.outstanding == 0
            assert devices.hopper.coins == 19
            registry = k.session.ports.metrics.registry  # type: ignore[union-attr]
            assert registry.get_sample_value("kiosk_cash_fault") == 1
        finally:
            k.close()


def test_a_fault_while_staff_are_in_operator_mode_keeps_them_there(k: Kiosk) -> None:
    act(k, ev.OperatorKey(), ev.EnterPin(bytearray(b"2468")))
    jam(k)  # (the note cassette taken out to empty it)
    assert k.session.state == "maintenance"
    assert f"cash fault: {JAM}" in k.session.view().operator.status  # type: ignore[union-attr]
    act(k, ev.OperatorAction(ev.Operation.LEAVE))
    out_of_service_for_cash(k)


def test_a_fault_while_the_card_is_read_cancels_once_it_is_read(k: Kiosk) -> None:
    act(k, ev.Start(), ev.Agree())
    k.place_card("r001")  # reading_card: its job's answer comes after the fault
    unit(k).fail("coins", "the coin acceptor was reset or lost power: reconcile the coin box")
    k.pump()
    assert k.session.state == "remove_card" and k.session.view().message == "cash-fault"
    k.remove_card()
    k.pump()
    out_of_service_for_cash(k)
