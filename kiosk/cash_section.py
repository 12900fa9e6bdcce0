"""The ``[payment.cash]`` keys: the devices of the cash unit over ID-003 and ccTalk."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk import schema


@dataclass
class CashSection:
    """``[payment.cash]``: the devices of ``unit = "serial"`` (an empty target: none)."""

    bills: str = ""  # the bill validator: id003:/dev/ttyUSB0
    coins: str = ""  # the coin acceptor: cctalk:/dev/ttyUSB1@2
    hopper: str = ""  # the change hopper: cctalk:/dev/ttyUSB1@3
    hopper_coin: int = 100  # the coin the hopper pays (10, 50, 100 or 500)

    def check(self) -> None:
        if self.bills and not re.fullmatch(r"id003:/\S+", self.bills):
            raise schema.SchemaError("bills", "must be id003:PATH (id003:/dev/ttyUSB0)")
        for key in ("coins", "hopper"):
            value = getattr(self, key)
            match = re.fullmatch(r"cctalk:(/\S+)@(\d{1,3})", value)
            if value and (match is None or not 2 <= int(match[2]) <= 255):
                raise schema.SchemaError(key, "must be cctalk:PATH@ADDRESS, the address 2 to "
                                         "255 (cctalk:/dev/ttyUSB1@2)")
        if self.coins and self.coins == self.hopper:
            raise schema.SchemaError("hopper", "is the coin acceptor's address: give each "
                                     "device its own")
        if self.bills and self.bills.removeprefix("id003:") in (
                self.coins.partition(":")[2].rpartition("@")[0],
                self.hopper.partition(":")[2].rpartition("@")[0]):
            raise schema.SchemaError("bills", "shares a port with a ccTalk device: ID-003 "
                                     "(8E1) needs a line of its own")
        if self.hopper_coin not in (10, 50, 100, 500):
            raise schema.SchemaError("hopper_coin", "must be 10, 50, 100 or 500")


def check_serial(cash: CashSection, accept: list[int]) -> None:
    """The keys ``unit = "serial"`` needs, against what ``accept`` lists."""
    if not cash.bills and not cash.coins:
        raise schema.SchemaError("cash", "unit = \"serial\" needs bills or coins (or both)")
    if not cash.bills and any(y >= 1000 for y in accept):
        raise schema.SchemaError("accept", "lists notes but payment.cash.bills names no "
                                 "bill validator")
    if not cash.coins and any(y < 1000 for y in accept):
        raise schema.SchemaError("accept", "lists coins but payment.cash.coins names no "
                                 "coin acceptor")
