"""The serial cash unit (notes by ID-003, coins and change by ccTalk) against the emulated
devices over real pseudo-terminals and pyserial: escrow until keep(), refunds, coins credited
once, change coin by coin, faults that never raise."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from pathlib import Path

import pytest
from serial_cash_kit import Bench, bench, until

from drivers.payment.cctalk_frame import FrameReader as CctalkReader
from drivers.payment.id003_frame import Command, Frame, FrameReader, Status, decode, encode
from drivers.payment.serial_cash import SerialCashUnit
from drivers.payment.serial_cash_open import open_unit
from kiosk.lab.cash.id003_device import ESCROW_POLLS, Id003Device, Phase
from kiosk.vocabulary.events import CashChanged, Event, MoneyInserted, MoneyRejected

Kit = tuple[SerialCashUnit, "queue.SimpleQueue[Event]", Bench]


@pytest.fixture
def kit(tmp_path: Path) -> Iterator[Kit]:
    with bench(tmp_path, hopper_coins=20) as devices:
        posted: queue.SimpleQueue[Event] = queue.SimpleQueue()
        unit = open_unit(devices.bills, devices.coins, {100: devices.changer}, posted.put,
                         accept=[10, 50, 100, 500, 1000], counts={100: 20})
        try:
            yield unit, posted, devices
        finally:
            unit.close()


def drain(posted: queue.SimpleQueue[Event]) -> list[Event]:
    """The money events posted so far (a fault's CashChanged is the session's business)."""
    out = []
    while not posted.empty():
        event = posted.get_nowait()
        if not isinstance(event, CashChanged):
            out.append(event)
    return out


def next_event(posted: queue.SimpleQueue[Event]) -> Event:
    """The next money event (bounded wait)."""
    while isinstance(event := posted.get(timeout=5), CashChanged):
        pass
    return event


def test_a_note_is_posted_in_escrow_and_stacked_only_at_keep(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(400)
    assert "escrow" in devices.validator.hand("insert 1000")
    assert next_event(posted) == MoneyInserted(1000, "bills")
    assert devices.validator.phase is Phase.ESCROW and unit.note == 1000
    until(lambda: devices.validator.phase is Phase.ESCROW and len(devices.wire) > 20)
    assert drain(posted) == [] and devices.validator.stacked == []  # posted once, still held
    unit.end()
    unit.keep()
    until(lambda: devices.validator.stacked == [1000])
    assert unit.note == 0 and unit.cashbox == {1000: 1} and unit.fault is None
    assert drain(posted) == []


def test_the_note_stays_in_escrow_after_end_and_the_refund_gives_it_back(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(400)
    devices.validator.hand("insert 1000")
    assert next_event(posted) == MoneyInserted(1000, "bills")
    unit.end()
    assert devices.validator.phase is Phase.ESCROW  # a refund is journaled before it goes back
    assert unit.dispense(1000) == 1000
    until(lambda: devices.validator.returned == [1000])
    assert devices.validator.stacked == [] and unit.cashbox == {} and unit.tubes == {100: 20}
    assert devices.hopper.coins == 20


def test_a_note_while_not_taking_money_is_refused_by_the_validator(kit: Kit) -> None:
    unit, posted, devices = kit
    assert "rejected" in devices.validator.hand("insert 1000")  # inhibited until begin()
    until(lambda: devices.validator.phase is Phase.IDLE)
    assert drain(posted) == [] and devices.validator.returned == [1000]


def test_coins_are_credited_once_each_by_their_counter(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(300)
    for _ in range(3):
        assert "credited" in devices.acceptor.hand("insert 100")
    assert [next_event(posted) for _ in range(3)] == [MoneyInserted(100, "coins", n)
                                                       for n in (1, 2, 3)]
    until(lambda: unit.coin_counter == 3)
    assert drain(posted) == [] and unit.cashbox == {100: 3}
    unit.end()
    assert "inhibited" in devices.acceptor.hand("insert 100")  # master inhibit on again
    assert next_event(posted) == MoneyRejected(0)  # back in the cup
    until(lambda: unit.coin_counter == 4)
    assert drain(posted) == [] and unit.fault is None


def test_lost_coin_events_become_a_fault_for_the_staff(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(1000)
    with unit._lock:  # the poller waits while seven coins go in (the buffer holds five)
        for _ in range(7):
            devices.acceptor.hand("insert 100")
    until(lambda: unit.coin_counter == 7)
    assert [next_event(posted) for _ in range(5)] == [MoneyInserted(100, "coins", n)
                                                       for n in range(3, 8)]
    assert unit.fault is not None and "2 coin events were lost" in unit.fault
    assert "reconcile" in unit.levels() and unit.history[-1].device == "coins"


def test_the_hopper_pays_change_coin_by_coin(kit: Kit) -> None:
    unit, _, devices = kit
    assert unit.can_change(400) and unit.dispense(600) == 600
    assert devices.hopper.coins == 14 and unit.tubes == {100: 14}
    assert unit.dispense(650) == 600  # no ¥50 coins: the ¥50 is the session's voucher
    assert unit.fault is None and "hoppers ¥100×8" in unit.levels()


def test_an_empty_hopper_reports_what_it_could_not_pay(kit: Kit) -> None:
    unit, _, devices = kit
    devices.hopper.coins = 3  # the count says 20; the hopper has 3
    assert unit.dispense(800) == 300
    assert unit.tubes == {100: 0} and not unit.can_change(400)
    assert unit.fault is not None and "empty" in unit.fault
    assert unit.refill({100: 20}) == 2000 and unit.can_change(400)
    assert "FAULT" not in unit.levels() and unit.faults == {}  # a refill clears it


def test_a_jammed_hopper_is_a_fault_not_an_exception(kit: Kit) -> None:
    unit, _, devices = kit
    devices.hopper.hand("jam")
    assert unit.dispense(300) == 0
    assert unit.fault is not None and "jammed" in unit.fault


def test_a_validator_jam_becomes_a_fault_and_clears(kit: Kit) -> None:
    unit, posted, devices = kit
    devices.validator.hand("jam")
    until(lambda: unit.fault is not None)
    assert "jammed in the acceptor" in str(unit.fault) and "FAULT" in unit.levels()
    devices.validator.hand("ok")
    until(lambda: unit.fault is None)
    unit.begin(1000)
    devices.validator.hand("insert 1000")
    assert next_event(posted) == MoneyInserted(1000, "bills")  # the poll thread lived through it


def test_a_pulled_cable_is_a_fault_and_the_refund_comes_from_the_hopper(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(400)
    devices.validator.hand("insert 1000")
    assert next_event(posted) == MoneyInserted(1000, "bills")
    devices.validator.hand("unplug")
    until(lambda: unit.fault is not None)
    assert "bills" in str(unit.fault)
    assert unit.dispense(1000) == 1000  # the note cannot come back: ten ¥100 coins do
    assert devices.hopper.coins == 10 and devices.validator.returned == []
    assert unit.note == 1000 and "¥1000 in escrow" in unit.levels()  # for the staff to count
    assert unit.total_held() == 1000 + 10 * 100


def test_a_note_waiting_in_escrow_is_held_past_the_validators_timeout(kit: Kit) -> None:
    unit, posted, devices = kit
    unit.begin(2000)  # more than the note: it waits in escrow for the rest of the fee
    devices.validator.hand("insert 1000")
    assert next_event(posted) == MoneyInserted(1000, "bills")
    start = len(devices.wire)
    until(lambda: len(devices.wire) > start + 3 * ESCROW_POLLS)  # three timeouts' worth
    assert devices.validator.phase is Phase.ESCROW and devices.validator.returned == []
    assert any(Command.HOLD in [f.code for f in FrameReader().feed(w)] for w in devices.wire)
    assert unit.dispense(1000) == 1000  # the resident's own note, still there to give back
    until(lambda: devices.validator.returned == [1000])


def test_the_validator_gives_a_note_back_at_its_escrow_timeout_without_hold() -> None:
    device = Id003Device()
    for frame in (Frame(Command.RESET), Frame(Command.SET_INHIBIT, b"\x00")):
        device.feed(encode(frame))
    device.feed(encode(Frame(Command.STATUS_REQUEST)))  # initializing -> idle
    assert "escrow" in device.hand("insert 1000")
    answers = [decode(device.feed(encode(Frame(Command.STATUS_REQUEST)))).code
               for _ in range(ESCROW_POLLS + 3)]
    assert Status.RETURNING in answers and device.returned == [1000]


def test_a_hopper_unplugged_mid_payout_counts_the_coins_it_said_were_out(kit: Kit) -> None:
    unit, _, devices = kit
    feed, statuses = devices.hopper.feed, [0]

    def pulled_after_three(data: bytes) -> bytes:
        if any(f.header == 166 for f in CctalkReader().feed(data)):  # request hopper status
            statuses[0] += 1
            if statuses[0] > 4:  # the one before the payout, then three coins
                devices.hopper.unplugged = True
        return feed(data)

    devices.hopper.feed = pulled_after_three  # type: ignore[method-assign]
    unit.change._payout_within = 2.0  # the unplugged hopper's wait, bounded
    assert unit.dispense(800) == 300  # three coins came out; the rest is the voucher
    assert devices.hopper.coins == 17 and unit.tubes == {100: 17}  # as the hopper said
    assert unit.fault is not None and "interrupted after 3" in unit.fault
