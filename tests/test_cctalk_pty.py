"""The ccTalk drivers against emulated devices over a real pseudo-terminal (pyserial)."""

from __future__ import annotations

import pytest
from cctalk_kit import wire

from drivers.payment.cctalk import (
    CoinAcceptor,
    CoinError,
    CommunicationLost,
    Credit,
    EventsLost,
    Hopper,
    HopperEmpty,
    HopperEvent,
    HopperJammed,
    Payout,
)
from drivers.payment.cctalk_frame import CREDIT_SENSOR_BLOCKED, INHIBITED_COIN, DeviceRefused
from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice

ALL_COINS = {10, 50, 100, 500}


def accepting(acceptor: CoinAcceptor, coins: set[int] = ALL_COINS) -> None:
    assert acceptor.poll() == []  # the baseline counter
    acceptor.set_inhibits(coins)
    acceptor.set_master(True)


def until_done(hopper: Hopper, polls: int = 20) -> list[HopperEvent]:
    for _ in range(polls):  # the emulated hopper pays one coin per status request
        events = hopper.poll()
        if events:
            return events
    raise AssertionError("the payout never ended")


def test_the_acceptor_answers_poll_category_and_coin_ids() -> None:
    with wire(CoinAcceptorDevice()) as bus:
        acceptor = CoinAcceptor(bus)
        acceptor.ping()
        assert acceptor.category() == "Coin Acceptor"
        assert acceptor.coin_id(3) == "JP100A"


def test_coins_are_credited_with_their_event_counters() -> None:
    device = CoinAcceptorDevice()
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor)
        device.hand("insert 100")
        device.hand("insert 500")
        assert acceptor.poll() == [Credit(100, 1), Credit(500, 2)]
        device.hand("insert 10")
        assert acceptor.poll() == [Credit(10, 3)]
        assert acceptor.poll() == []


def test_a_counter_gap_beyond_the_buffer_is_reported_as_lost_events() -> None:
    device = CoinAcceptorDevice()
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor)
        for _ in range(7):
            device.hand("insert 50")
        events = acceptor.poll()
        assert events[0] == EventsLost(2, 7)
        assert events[1:] == [Credit(50, n) for n in range(3, 8)]


def test_the_counter_wraps_from_255_to_1_without_losing_coins() -> None:
    device = CoinAcceptorDevice()
    device.counter = 253
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor)
        for _ in range(4):
            device.hand("insert 100")
        assert acceptor.poll() == [Credit(100, n) for n in (254, 255, 1, 2)]


def test_an_inhibited_coin_is_rejected_and_master_inhibit_stops_all() -> None:
    device = CoinAcceptorDevice()
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor, {100})
        device.hand("insert 500")
        device.hand("insert 100")
        assert acceptor.poll() == [CoinError(INHIBITED_COIN, 1), Credit(100, 2)]
        acceptor.set_master(False)
        device.hand("insert 100")
        assert acceptor.poll() == [CoinError(INHIBITED_COIN, 3)]


def test_a_jam_is_a_typed_error_and_ok_clears_it() -> None:
    device = CoinAcceptorDevice()
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor)
        device.hand("jam")
        device.hand("insert 100")  # falls through the jammed acceptor: no credit
        events = acceptor.poll()
        assert events == [CoinError(CREDIT_SENSOR_BLOCKED, 1)]
        assert isinstance(events[0], CoinError) and events[0].name == "credit sensor blocked"
        device.hand("ok")
        device.hand("insert 100")
        assert acceptor.poll() == [Credit(100, 2)]


def test_an_unplugged_acceptor_is_communication_lost_and_ok_recovers_its_events() -> None:
    device = CoinAcceptorDevice()
    with wire(device) as bus:
        acceptor = CoinAcceptor(bus)
        accepting(acceptor)
        device.hand("insert 100")
        device.hand("unplug")
        with pytest.raises(CommunicationLost):
            acceptor.poll()
        device.hand("ok")
        assert acceptor.poll() == [Credit(100, 1)]


def test_the_hopper_pays_n_coins() -> None:
    device = HopperDevice(coins=10)
    with wire(device) as bus:
        hopper = Hopper(bus)
        hopper.enable()
        hopper.dispense(3)
        assert until_done(hopper) == [Payout(3, 0)]
        assert device.coins == 7


def test_a_disabled_hopper_refuses_to_pay() -> None:
    with wire(HopperDevice(coins=10)) as bus:
        with pytest.raises(DeviceRefused):
            Hopper(bus).dispense(1)


def test_the_hopper_running_empty_mid_payout_reports_paid_unpaid_and_empty() -> None:
    device = HopperDevice(coins=10)
    with wire(device) as bus:
        hopper = Hopper(bus)
        hopper.enable()
        hopper.dispense(5)
        assert hopper.poll() == [] and hopper.poll() == []  # two coins out
        device.hand("empty")
        assert until_done(hopper) == [Payout(2, 3), HopperEmpty(3)]


def test_a_hopper_with_too_few_coins_pays_what_it_has() -> None:
    with wire(HopperDevice(coins=2)) as bus:
        hopper = Hopper(bus)
        hopper.enable()
        hopper.dispense(5)
        assert until_done(hopper) == [Payout(2, 3), HopperEmpty(3)]


def test_a_hopper_jam_is_a_typed_fault_and_ok_recovers() -> None:
    device = HopperDevice(coins=10)
    with wire(device) as bus:
        hopper = Hopper(bus)
        hopper.enable()
        hopper.dispense(4)
        assert hopper.poll() == []
        device.hand("jam")
        events = until_done(hopper)
        assert events[0] == Payout(1, 3) and isinstance(events[1], HopperJammed)
        device.hand("ok")
        hopper.dispense(2)
        assert until_done(hopper) == [Payout(2, 0)]


def test_an_unplugged_hopper_is_communication_lost_and_ok_recovers_the_payout() -> None:
    device = HopperDevice(coins=10)
    with wire(device) as bus:
        hopper = Hopper(bus)
        hopper.enable()
        hopper.dispense(2)
        device.hand("unplug")
        with pytest.raises(CommunicationLost):
            hopper.poll()
        device.hand("ok")
        assert until_done(hopper) == [Payout(2, 0)]


def test_acceptor_and_hopper_share_one_wire_by_address() -> None:
    coins, payout = CoinAcceptorDevice(address=2), HopperDevice(address=3, coins=5)
    with wire(coins, payout) as bus:
        acceptor, hopper = CoinAcceptor(bus, 2), Hopper(bus, 3)
        hopper.ping()
        assert acceptor.category() == "Coin Acceptor"
        accepting(acceptor)
        hopper.enable()
        coins.hand("insert 500")
        hopper.dispense(1)
        assert acceptor.poll() == [Credit(500, 1)]
        assert until_done(hopper) == [Payout(1, 0)]
