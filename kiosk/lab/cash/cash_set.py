"""``kiosk cash lab --dir DIR``: the whole cash set of a kiosk, emulated in one process.

An ID-003 bill validator linked at DIR/bills, and one ccTalk bus linked at DIR/cctalk with the
coin acceptor at address 2 and four hoppers, one per coin (¥500 at 3, ¥100 at 4, ¥50 at 5, ¥10
at 6), each filled with N coins. DIR/cash.toml is the ``[payment]`` a kiosk needs to use them
(``kiosk demo --config DIR/cash.toml``, ``kiosk replay --config DIR/cash.toml …``). The hands
take words at DIR/bills.hands and DIR/cctalk.hands. SIGTERM or Ctrl-C stops and removes the
links and the sockets.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from kiosk.lab.cash.bus import BusHands, answer, device_word
from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice
from kiosk.lab.cash.hands_server import HandsServer, hands_path
from kiosk.lab.cash.id003_device import Id003Device
from kiosk.lab.cash.pty_link import LinkError, PtyLink, stop_on_signals

BILLS_LINK = "bills"
BUS_LINK = "cctalk"
CONFIG = "cash.toml"
ACCEPTOR = 2
HOPPERS = ((500, 3), (100, 4), (50, 5), (10, 6))  # (coin, address), biggest first
ACCEPT = (10, 50, 100, 500, 1000)  # the kiosk's default: the sessions' notes and coins
MAX_COINS = 10_000
READY = "kiosk cash lab ready"


class CashSet:
    """The devices of the lab's layout (not yet on any line)."""

    def __init__(self, hopper_coins: int = 200) -> None:
        self.validator = Id003Device()
        self.acceptor = CoinAcceptorDevice(ACCEPTOR)
        self.hoppers = {coin: HopperDevice(address, coins=hopper_coins, coin=coin)
                        for coin, address in HOPPERS}
        self.bus = BusHands((self.acceptor, *self.hoppers.values()))
        self.hopper_coins = hopper_coins

    def feed_bus(self, data: bytes) -> bytes:
        return answer((self.acceptor, *self.hoppers.values()), data)

    def bills_word(self, word: str) -> str:
        return device_word(self.validator, word)


def cash_toml(directory: Path, hopper_coins: int) -> str:
    """The kiosk's ``[payment]`` for the lab's devices under ``directory``."""
    bus = directory / BUS_LINK
    change = ", ".join(f'"{coin}" = {hopper_coins}' for coin, _ in sorted(HOPPERS))
    hoppers = "\n".join(f'"{coin}" = "cctalk:{bus}@{address}"' for coin, address in HOPPERS)
    return (f"# written by kiosk cash lab: the emulated devices under {directory}\n"
            "[payment]\n"
            'unit = "serial"\n'
            f"accept = [{', '.join(map(str, ACCEPT))}]\n"
            f"change = {{{change}}}   # the kiosk's count of coins in each hopper\n\n"
            "[payment.cash]\n"
            f'bills = "id003:{directory / BILLS_LINK}"\n'
            f'coins = "cctalk:{bus}@{ACCEPTOR}"\n\n'
            "[payment.cash.hoppers]\n"
            f"{hoppers}\n")


def _problem(directory: Path, hopper_coins: int) -> str | None:
    if not 0 <= hopper_coins <= MAX_COINS:
        return f"--hopper-coins: 0 to {MAX_COINS} coins per hopper, not {hopper_coins}"
    if '"' in str(directory) or "\\" in str(directory) or not str(directory).isprintable():
        return f"--dir {directory!r}: a path without quotes, backslashes or control characters"
    if not directory.is_dir():
        return f"--dir {directory}: not a directory (create it first)"
    return None


def run_lab(directory: Path, hopper_coins: int = 200,
            say: Callable[[str], object] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; 2 (one message) when it cannot start."""
    out = say if say is not None else _print
    directory = directory.absolute()
    problem = _problem(directory, hopper_coins)
    if problem is not None:
        out(f"kiosk cash lab: {problem}")
        return 2
    cash = CashSet(hopper_coins)
    with stop_on_signals() as stop, ExitStack() as stack:
        try:
            bills = stack.enter_context(PtyLink(directory / BILLS_LINK))
            bus = stack.enter_context(PtyLink(directory / BUS_LINK))
            for link, word in ((bills.link, cash.bills_word), (bus.link, cash.bus.word)):
                stack.callback(HandsServer(hands_path(link), word).start().close)
            (directory / CONFIG).write_text(cash_toml(directory, hopper_coins),
                                            encoding="utf-8")
        except (LinkError, OSError) as exc:
            out(f"kiosk cash lab: {exc}")
            return 2
        threads = [threading.Thread(target=bills.serve, args=(cash.validator.feed, stop),
                                    name="lab-bills", daemon=True),
                   threading.Thread(target=bus.serve, args=(cash.feed_bus, stop),
                                    name="lab-cctalk", daemon=True)]
        for thread in threads:
            thread.start()
        out(f"{READY}: config {directory / CONFIG}; bills {bills.link} (ID-003); ccTalk "
            f"{bus.link}: coins @{ACCEPTOR}, hoppers "
            f"{' '.join(f'¥{c}@{a}' for c, a in HOPPERS)} ({hopper_coins} coins each); "
            f"hands {hands_path(bills.link)} {hands_path(bus.link)}; Ctrl-C to stop")
        while not stop.wait(0.2):
            pass
        for thread in threads:
            thread.join(timeout=2)
    return 0


def _print(line: str) -> None:
    print(line, flush=True)
