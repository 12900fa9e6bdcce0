"""The serial cash unit's devices on real pseudo-terminals: an emulated ID-003 validator on one
link, an emulated coin acceptor (address 2) and hopper (address 3) on one ccTalk link, each
served by a thread; every wait bounded."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from cctalk_kit import answer

from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice
from kiosk.lab.cash.id003_device import Id003Device
from kiosk.lab.cash.pty_link import PtyLink


@dataclass
class Bench:
    """The emulated devices and the targets a configuration names them by."""

    validator: Id003Device
    acceptor: CoinAcceptorDevice
    hopper: HopperDevice
    bills: str
    coins: str
    changer: str
    wire: list[bytes] = field(default_factory=list)  # the frames the validator was sent


@contextmanager
def bench(tmp_path: Path, hopper_coins: int = 20) -> Iterator[Bench]:
    """The three devices served on two ptys linked under ``tmp_path``."""
    validator, acceptor = Id003Device(), CoinAcceptorDevice(2)
    hopper = HopperDevice(3, coins=hopper_coins)
    stop = threading.Event()
    with ExitStack() as stack:
        bills = stack.enter_context(PtyLink(tmp_path / "bills"))
        coins = stack.enter_context(PtyLink(tmp_path / "coins"))
        found = Bench(validator, acceptor, hopper, f"id003:{bills.link}",
                      f"cctalk:{coins.link}@2", f"cctalk:{coins.link}@3")

        def to_validator(data: bytes) -> bytes:
            found.wire.append(data)
            return validator.feed(data)

        threads = [threading.Thread(target=bills.serve, args=(to_validator, stop), daemon=True),
                   threading.Thread(target=coins.serve,
                                    args=(lambda d: answer((acceptor, hopper), d), stop),
                                    daemon=True)]
        for thread in threads:
            thread.start()
        try:
            yield found
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=5)


def until(condition: Callable[[], bool], within: float = 5.0, then: Callable[[], object] = bool,
          ) -> None:
    """Wait (bounded) until ``condition`` holds, calling ``then`` between looks."""
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        then()
        time.sleep(0.02)
