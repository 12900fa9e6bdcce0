"""A power cut over the real cash protocols: the kiosk dies, the emulated devices on their ptys
keep running (and keep taking money), a new kiosk starts on the same journal and devices; what
the devices did meanwhile is journaled from their own counters, and every yen is accounted."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

from serial_cash_kit import Bench, bench, until
from test_session import to_payment

from drivers.payment.change_hoppers import ChangeHoppers
from drivers.payment.id003_frame import Command, Frame, encode
from drivers.payment.serial_cash import SerialCashUnit
from kiosk.app import Kiosk, build_kiosk
from kiosk.clock import JST, VirtualClock
from kiosk.config import from_data
from kiosk.lab.cash.id003_device import ESCROW_POLLS, Phase
from kiosk.vocabulary import events as ev


def start(devices: Bench, where: Path, hopper: int = 20) -> Kiosk:
    data = {"payment": {"unit": "serial", "accept": [100, 1000], "change": {"100": hopper},
                        "cash": {"bills": devices.bills, "coins": devices.coins,
                                 "hopper": devices.changer}},
            "printer": {"uri": f"spool:{where / 'printed'}"},
            "journal": {"path": str(where / "journal.sqlite")}}
    k = build_kiosk(from_data(data), VirtualClock(datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
                    inline=True)
    k.pump()
    return k


def unit(k: Kiosk) -> SerialCashUnit:
    assert isinstance(k.cash, SerialCashUnit)
    return k.cash


def die(k: Kiosk) -> None:
    """The process dies: nothing more is polled or written; the devices stay as they are."""
    unit(k).abandon()
    k.journal.close()
    k.worker.shutdown()


def money(k: Kiosk, kind: type[ev.Event]) -> None:
    """Hand the session everything up to the unit's next money event (bounded)."""
    seen = k.wait_for(kind, 5.0)
    assert seen is not None, f"no {kind.__name__} from the unit"
    k.handle(seen)
    k.pump()


@contextmanager
def restarted(devices: Bench, where: Path) -> Iterator[Kiosk]:
    k = start(devices, where)
    try:
        yield k
    finally:
        k.close()


def balanced(k: Kiosk, devices: Bench) -> None:
    """The journal checks, nothing is outstanding, and the devices' own counts agree: the cash
    they kept is the fees plus what is owed on vouchers."""
    assert k.journal.check() == []
    report = k.journal.report()
    t = report.totals
    assert t.outstanding == 0, t
    kept = (sum(devices.validator.stacked) + devices.acceptor.credited_yen
            - 100 * (20 - devices.hopper.coins))
    assert kept == t.fees_collected + t.vouchers, (kept, t)


def test_a_coin_taken_while_the_kiosk_was_dead_is_journaled_and_given_back(
        tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k)
        assert "credited" in devices.acceptor.hand("insert 100")
        money(k, ev.MoneyInserted)
        assert k.session.till.inserted == 100
        die(k)
        assert "credited" in devices.acceptor.hand("insert 100")  # still taking: nobody polls
        with restarted(devices, tmp_path) as k:
            rows = k.journal._rows("SELECT yen FROM money WHERE kind = 'in' ORDER BY id")
            assert rows == [(100,), (100,)]  # the second coin, found by its event counter
            assert devices.hopper.coins == 18  # both given back: the order was never paid
            assert k.journal._rows("SELECT counter FROM cash_counters") == [(2,)]
            balanced(k, devices)
        with restarted(devices, tmp_path) as k:  # a second start finds nothing more
            assert k.journal._rows("SELECT COUNT(*) FROM money WHERE kind = 'in'") == [(2,)]
            assert unit(k).tubes == {100: 18}  # the hopper's count outlives the restarts
            assert unit(k).refill({100: 20}) == 200
            assert k.journal._rows("SELECT coins FROM hopper_levels") == [(20,)]
            balanced(k, devices)


def test_a_journaled_note_left_in_escrow_is_the_residents_again(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k, copies=6)  # more than the note: it waits in escrow for the rest
        devices.validator.hand("insert 1000")
        money(k, ev.MoneyInserted)
        assert devices.validator.phase is Phase.ESCROW
        die(k)
        with restarted(devices, tmp_path) as k:
            until(lambda: devices.validator.returned == [1000])
            assert devices.validator.stacked == [] and devices.hopper.coins == 20
            assert k.journal._rows("SELECT state FROM escrow") == [("returned",)]
            balanced(k, devices)


def test_a_note_the_journal_never_had_goes_back(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k)
        die(k)  # the validator still takes notes: one reaches escrow with nobody to post it
        assert "escrow" in devices.validator.hand("insert 1000")
        with restarted(devices, tmp_path) as k:
            until(lambda: devices.validator.returned == [1000])
            assert k.journal._rows("SELECT COUNT(*) FROM money WHERE kind = 'in'") == [(0,)]
            assert unit(k).note == 0 and devices.validator.stacked == []
            balanced(k, devices)


def test_a_journaled_note_of_a_paid_order_is_stacked_after_the_cut(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k)
        cash = unit(k)
        cash.keep = lambda: None  # type: ignore[method-assign]  # dies before the STACK
        devices.validator.hand("insert 1000")
        money(k, ev.MoneyInserted)
        assert k.journal._rows("SELECT state FROM orders") in ([("paid",)], [("completed",)])
        die(k)
        with restarted(devices, tmp_path) as k:
            until(lambda: devices.validator.stacked == [1000])
            assert k.journal._rows("SELECT state FROM escrow") == [("stacked",)]
            assert devices.validator.returned == []  # the fee's note stays the kiosk's
            balanced(k, devices)


def test_a_payout_cut_short_is_finished_from_the_hoppers_own_count(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k)
        fee = k.session.visit.order.fee if k.session.visit.order else 0
        real = ChangeHoppers._dispense

        def dies_after_three_coins(self: ChangeHoppers, coin: int, hopper: object,
                                   coins: int) -> int:
            from drivers.payment.cctalk import Hopper

            assert isinstance(hopper, Hopper)
            hopper.dispense(coins)
            for _ in range(3):  # the emulated hopper pays a coin per status request
                hopper.status()
            raise SystemExit("power cut in the middle of the payout")

        ChangeHoppers._dispense = dies_after_three_coins  # type: ignore[method-assign]
        try:
            devices.validator.hand("insert 1000")
            seen = k.wait_for(ev.MoneyInserted, 5.0)
            assert seen is not None
            try:
                k.handle(seen)  # the fee is paid; the change job dies mid-payout
                k.pump()
            except SystemExit:
                pass
        finally:
            ChangeHoppers._dispense = real  # type: ignore[method-assign]
        assert devices.hopper.coins == 17
        die(k)
        with restarted(devices, tmp_path) as k:
            change = (1000 - fee) // 100
            runs = k.journal._rows("SELECT coins, paid FROM cash_runs ORDER BY id")
            assert runs[0] == (change, change)  # the hopper finished the run by itself
            t = k.journal.report().totals
            assert t.change == 1000 - fee and t.vouchers == 0  # none owed twice, none lost
            refunded = t.refunded  # nothing was printed: the order is void, its fee given back
            assert devices.hopper.coins == 20 - change - refunded // 100
            assert unit(k).tubes == {100: devices.hopper.coins}  # the journal's count, not 20
            assert k.journal._rows("SELECT device, coins FROM hopper_levels") == [
                ("hopper ¥100", devices.hopper.coins)]
            balanced(k, devices)


def test_a_coin_counted_while_the_journal_is_full_is_given_back_once(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k)
        devices.acceptor.hand("insert 100")
        money(k, ev.MoneyInserted)
        k.journal.refuse_writes(True)
        devices.acceptor.hand("insert 100")  # credited by the acceptor; its row fails
        money(k, ev.MoneyInserted)
        assert k.session.faults.get("journal") is not None
        assert devices.hopper.coins == 20  # not paid back unrecorded: that could pay twice
        k.journal.refuse_writes(False)
        k.advance_to(k.clock.now() + timedelta(seconds=60))  # the next look finds room
        assert devices.hopper.coins == 19  # journaled now, and given back from its row
        assert k.journal._rows("SELECT counter FROM cash_counters") == [(2,)]
        die(k)
        with restarted(devices, tmp_path) as k:  # the first coin, held for the void order
            assert devices.hopper.coins == 18  # ... and the second not claimed again
            t = k.journal.report().totals
            assert (t.money_in, t.refunded) == (200, 200)
            balanced(k, devices)


def test_the_hoppers_count_outlives_a_restart_until_the_configuration_sets_it_anew(
        tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        assert unit(k).dispense(300) == 300  # written ahead and closed: 17 left
        k.close()
        k = start(devices, tmp_path)
        assert unit(k).tubes == {100: 17}  # the journal's count, not the configured 20
        k.close()
        k = start(devices, tmp_path, hopper=50)  # staff put 50 in and said so
        try:
            assert unit(k).tubes == {100: 50}
            assert k.journal._rows("SELECT coins, configured FROM hopper_levels") == [(50, 50)]
        finally:
            k.close()


def test_a_note_the_validator_gave_back_by_its_own_timeout_is_a_refund_given(
        tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        k = start(devices, tmp_path)
        to_payment(k, copies=6)  # the note waits in escrow for the rest of the fee
        devices.validator.hand("insert 1000")
        money(k, ev.MoneyInserted)
        die(k)
        for _ in range(ESCROW_POLLS + 3):  # a real validator's escrow timeout runs on: it
            devices.validator.feed(encode(Frame(Command.STATUS_REQUEST)))  # hands it back
        assert devices.validator.returned == [1000]
        with restarted(devices, tmp_path) as k:
            assert k.journal._rows("SELECT state FROM escrow") == [("returned",)]
            assert devices.hopper.coins == 20  # given back once: not again from the hopper
            t = k.journal.report().totals
            assert (t.money_in, t.refunded, t.vouchers) == (1000, 1000, 0)
            balanced(k, devices)
