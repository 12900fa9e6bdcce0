"""A whole visit paid through the serial cash unit (``[payment] unit = "serial"``): a note into
the emulated validator, change from the emulated hopper, both over real ptys; and the
``[payment.cash]`` keys, strictly checked."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from serial_cash_kit import bench, until
from test_session import to_payment

from drivers.payment.id003_frame import Command, FrameReader
from drivers.payment.serial_cash import SerialCashUnit
from drivers.sensors.tray import SimulatedTray
from kiosk.app import build_kiosk
from kiosk.clock import JST, VirtualClock
from kiosk.config import ConfigError, from_data


def serial(**cash: object) -> dict[str, Any]:
    return {"payment": {"unit": "serial", "accept": [100, 1000], "change": {"100": 20},
                        "cash": cash}}


def test_r001_pays_with_a_note_and_gets_change_from_the_hopper(tmp_path: Path) -> None:
    with bench(tmp_path, hopper_coins=20) as devices:
        data = serial(bills=devices.bills, coins=devices.coins, hopper=devices.changer)
        data.update({"printer": {"uri": f"spool:{tmp_path / 'printed'}"},
                     "journal": {"path": str(tmp_path / "journal.sqlite")}})
        k = build_kiosk(from_data(data), VirtualClock(datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
                        inline=True)
        try:
            assert isinstance(k.cash, SerialCashUnit)
            seen: list[str] = []
            money_in = k.journal.money_in

            def journaled(order_id: str | None, yen: int, *how: Any) -> Any:
                seen.append(f"money_in {yen}")
                return money_in(order_id, yen, *how)

            k.journal.money_in = journaled  # type: ignore[method-assign]
            feed = devices.validator.feed
            at_stack: list[list[str]] = []  # what the journal had when STACK reached the unit

            def watched(data: bytes) -> bytes:
                if any(f.code == Command.STACK_1 for f in FrameReader().feed(data)):
                    at_stack.append(list(seen))
                return feed(data)

            devices.validator.feed = watched  # type: ignore[method-assign]
            to_payment(k)
            order = k.session.visit.order
            assert order is not None
            fee = order.fee
            devices.validator.hand("insert 1000")
            until(lambda: k.session.state != "payment", then=k.pump)
            until(lambda: devices.validator.stacked == [1000])
            assert seen == ["money_in 1000"] and at_stack == [["money_in 1000"]]
            assert k.session.state == "collect"
            tray = k.tray
            assert isinstance(tray, SimulatedTray)
            assert tray.coins == 1000 - fee and devices.hopper.coins == 20 - (1000 - fee) // 100
            tray.take("paper")
            tray.take("change")
            k.pump()
            assert k.session.state == "thanks"
            totals = k.journal.totals()
            assert (totals.paid, totals.fees, totals.change) == (1000, fee, 1000 - fee)
            assert k.journal.check() == []
            assert k.cash.fault is None and k.cash.cashbox == {1000: 1}
            assert k.journal._rows("SELECT yen, state FROM escrow") == [(1000, "stacked")]
            assert k.journal._rows("SELECT device, coins, coin, paid FROM cash_runs") == [
                ("hopper ¥100", (1000 - fee) // 100, 100, (1000 - fee) // 100)]
        finally:
            k.close()
        thread = k.cash._thread
        assert thread is not None and not thread.is_alive()


@pytest.mark.parametrize(("cash", "extra", "says"), [
    ({}, {}, "payment.cash: unit = \"serial\" needs bills or coins"),
    ({"bills": "/dev/ttyUSB0"}, {"accept": [1000]}, "payment.cash.bills: must be id003:PATH"),
    ({"bills": "id003:/dev/ttyUSB0", "coins": "cctalk:/dev/ttyUSB1"}, {},
     "payment.cash.coins: must be cctalk:PATH@ADDRESS"),
    ({"bills": "id003:/dev/ttyUSB0", "coins": "cctalk:/dev/ttyUSB1@1"}, {},
     "payment.cash.coins: must be cctalk:PATH@ADDRESS"),
    ({"bills": "id003:/dev/ttyUSB0", "coins": "cctalk:/dev/ttyUSB1@2",
      "hopper": "cctalk:/dev/ttyUSB1@2"}, {}, "payment.cash.hopper: names an address another"),
    ({"coins": "cctalk:/dev/ttyUSB1@2", "hoppers": {"100": "cctalk:/dev/ttyUSB1@3",
                                                    "50": "cctalk:/dev/ttyUSB1@3"}},
     {"accept": [100]}, "payment.cash.hoppers: names an address another"),
    ({"coins": "cctalk:/dev/ttyUSB1@2", "hoppers": {"5": "cctalk:/dev/ttyUSB1@3"}},
     {"accept": [100]}, "payment.cash.hoppers.5: must be a coin the hopper pays"),
    ({"coins": "cctalk:/dev/ttyUSB1@2", "hoppers": {"100": "/dev/ttyUSB1"}},
     {"accept": [100]}, "payment.cash.hoppers.100: must be cctalk:PATH@ADDRESS"),
    ({"coins": "cctalk:/dev/ttyUSB1@2", "hopper": "cctalk:/dev/ttyUSB1@4",
      "hoppers": {"100": "cctalk:/dev/ttyUSB1@3"}}, {"accept": [100]},
     "payment.cash.hopper: and hoppers both name"),
    ({"bills": "id003:/dev/ttyUSB1", "coins": "cctalk:/dev/ttyUSB1@2"}, {},
     "payment.cash.bills: shares a port"),
    ({"bills": "id003:/dev/ttyUSB0", "coins": "cctalk:/dev/ttyUSB1@2", "hopper_coin": 20}, {},
     "payment.cash.hopper_coin: must be 10, 50, 100 or 500"),
    ({"bills": "id003:/dev/ttyUSB0"}, {}, "payment.accept: lists coins but payment.cash.coins"),
    ({"coins": "cctalk:/dev/ttyUSB1@2"}, {}, "payment.accept: lists notes but payment.cash.bills"),
    ({"bill": "id003:/dev/ttyUSB0"}, {}, "payment.cash.bill: is not a known key"),
])
def test_the_cash_keys_are_strictly_checked(cash: dict[str, object], extra: dict[str, object],
                                            says: str) -> None:
    data = serial(**cash)
    data["payment"].update(extra)
    with pytest.raises(ConfigError, match=says.replace("(", r"\(")):
        from_data(data)


def test_the_simulated_unit_stays_the_default_and_ignores_the_cash_keys() -> None:
    config = from_data({"payment": {"cash": {"bills": "id003:/dev/ttyUSB0"}}})
    assert config.payment.unit == "simulated" and config.payment.cash.hopper_coin == 100


def test_a_port_that_cannot_be_opened_stops_the_kiosk_before_a_yen(tmp_path: Path) -> None:
    data = serial(bills=f"id003:{tmp_path / 'nothing'}", coins=f"cctalk:{tmp_path / 'no'}@2")
    data["journal"] = {"path": str(tmp_path / "journal.sqlite")}
    started = time.monotonic()
    with pytest.raises(ConfigError, match="payment.cash.bills"):
        build_kiosk(from_data(data), VirtualClock(datetime(2026, 11, 21, 10, 0, tzinfo=JST)),
                    inline=True)
    assert time.monotonic() - started < 10
