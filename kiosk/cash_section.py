"""The ``[payment.cash]`` keys: the devices of the cash unit over ID-003 and ccTalk."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kiosk import schema

TARGET = re.compile(r"cctalk:(/\S+)@(\d{1,3})")


@dataclass
class CashSection:
    """``[payment.cash]``: the devices of ``unit = "serial"`` (an empty target: none)."""

    bills: str = ""  # the bill validator: id003:/dev/ttyUSB0
    coins: str = ""  # the coin acceptor: cctalk:/dev/ttyUSB1@2
    hopper: str = ""  # one change hopper: cctalk:/dev/ttyUSB1@3 (paying hopper_coin)
    hopper_coin: int = 100  # the coin that one hopper pays (10, 50, 100 or 500)
    hoppers: dict[str, str] = field(default_factory=dict)  # or one per coin: "500" = target

    def check(self) -> None:
        if self.bills and not re.fullmatch(r"id003:/\S+", self.bills):
            raise schema.SchemaError("bills", "must be id003:PATH (id003:/dev/ttyUSB0)")
        named = {"coins": self.coins, "hopper": self.hopper,
                 **{f"hoppers.{coin}": target for coin, target in self.hoppers.items()}}
        for key, value in named.items():
            match = TARGET.fullmatch(value)
            if (value or key.startswith("hoppers.")) and (
                    match is None or not 2 <= int(match[2]) <= 255):
                raise schema.SchemaError(key, "must be cctalk:PATH@ADDRESS, the address 2 to "
                                         "255 (cctalk:/dev/ttyUSB1@2)")
        wrong = [coin for coin in self.hoppers if coin not in ("10", "50", "100", "500")]
        if wrong:
            raise schema.SchemaError(f"hoppers.{wrong[0]}", "must be a coin the hopper pays: "
                                     "10, 50, 100 or 500")
        if self.hopper and self.hoppers:
            raise schema.SchemaError("hopper", "and hoppers both name change hoppers: give one "
                                     "hopper, or a table of them by coin")
        used = [value for value in named.values() if value]
        if len(used) != len(set(used)):
            raise schema.SchemaError("hoppers" if self.hoppers else "hopper",
                                     "names an address another device has: give each device "
                                     "its own")
        ports = {value.partition(":")[2].rpartition("@")[0] for value in used}
        if self.bills and self.bills.removeprefix("id003:") in ports:
            raise schema.SchemaError("bills", "shares a port with a ccTalk device: ID-003 "
                                     "(8E1) needs a line of its own")
        if self.hopper_coin not in (10, 50, 100, 500):
            raise schema.SchemaError("hopper_coin", "must be 10, 50, 100 or 500")

    def hopper_targets(self) -> dict[int, str]:
        """The change hoppers by the coin each pays."""
        if self.hopper:
            return {self.hopper_coin: self.hopper}
        return {int(coin): target for coin, target in self.hoppers.items()}


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
