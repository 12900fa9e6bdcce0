"""Opening the serial cash unit's devices from their targets (``id003:PATH``, ``cctalk:PATH@N``).

Devices on one ccTalk line share one bus. A port that cannot be opened is a ``CashSetupError``
naming the key, so the kiosk refuses to start before a yen is taken.
"""

from __future__ import annotations

from collections.abc import Callable

from drivers.payment.cctalk import CctalkBus, CoinAcceptor, Hopper, open_line, parse_target
from drivers.payment.id003 import Id003Validator, open_serial
from drivers.payment.id003_frame import Id003Error
from drivers.payment.serial_cash import SerialCashUnit
from kiosk.vocabulary.events import Event


class CashSetupError(ValueError):
    """A device of the cash unit cannot be opened; the message names the key."""


def open_unit(bills: str, coins: str, hoppers: dict[int, str], post: Callable[[Event], None],
              *, accept: list[int], counts: dict[int, int],
              to_tray: Callable[[int], None] | None = None) -> SerialCashUnit:
    """The started unit over the devices named (an empty target: no such device); ``hoppers``
    by the coin each pays, ``counts`` the coins the kiosk put in each."""
    buses: dict[str, CctalkBus] = {}

    def bus(key: str, target: str) -> tuple[CctalkBus, int]:
        path, address = parse_target(target)
        if path not in buses:
            try:
                buses[path] = CctalkBus(open_line(path))
            except (OSError, ValueError) as exc:  # pyserial's SerialException is an OSError
                raise CashSetupError(f"payment.cash.{key}: cannot open {path}: {exc}") from None
        return buses[path], address

    validator = None
    if bills:
        path = bills.removeprefix("id003:")
        try:
            validator = Id003Validator(open_serial(path, timeout=0.1), retries=2)
        except (Id003Error, OSError, ValueError) as exc:  # open_serial: CommunicationLost
            raise CashSetupError(f"payment.cash.bills: {exc}") from None
    acceptor = CoinAcceptor(*bus("coins", coins)) if coins else None
    changers = {coin: Hopper(*bus(f"hoppers.{coin}", target))
                for coin, target in hoppers.items()}
    unit = SerialCashUnit(validator, acceptor, changers, post, accept=accept, counts=counts,
                          to_tray=to_tray)
    unit.start()
    return unit
