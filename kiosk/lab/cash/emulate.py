"""``kiosk cash emulate --device NAME --link PATH``: be a cash device on a pseudo-terminal.

The device's end of the pty is linked at PATH (a driver opens it as its serial port); words on
standard input (``insert 1000``, ``jam``, ``full``, ``empty``, ``unplug``, ``ok`` …) are the hands,
and each gets one line back on standard output. The same words come over a unix socket at
``PATH.hands`` (one line in, one line answered; ``counts``: the device's totals as JSON).
SIGTERM or Ctrl-C removes the link and the socket and stops.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Protocol

from kiosk.lab.cash.pty_link import LinkError, PtyLink, stop_on_signals


class CashDevice(Protocol):
    """An emulated device: bytes in → bytes to answer; a typed word → one line said back."""

    def feed(self, data: bytes) -> bytes: ...

    def hand(self, word: str) -> str: ...


def _id003() -> CashDevice:
    from kiosk.lab.cash.id003_device import Id003Device

    return Id003Device()


def _cctalk_coins() -> CashDevice:
    from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice  # the ccTalk part

    return CoinAcceptorDevice()


def _cctalk_hopper() -> CashDevice:
    from kiosk.lab.cash.cctalk_device import HopperDevice

    return HopperDevice()


DEVICES: dict[str, Callable[[], CashDevice]] = {
    "id003": _id003,
    "cctalk-coins": _cctalk_coins,
    "cctalk-hopper": _cctalk_hopper,
}


def words_for(device: CashDevice) -> Callable[[str], str]:
    """What answers a hand's line: ``counts`` and ``@N WORD`` (a ccTalk device), else the
    device's own words."""
    from kiosk.lab.cash.bus import BusHands, device_word
    from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice

    if isinstance(device, CoinAcceptorDevice | HopperDevice):
        return BusHands((device,)).word
    return lambda word: device_word(device, word)


def hands(device: CashDevice, lines: Iterable[str], out: Callable[[str], object]) -> None:
    """Each non-empty line to the device, its answer out."""
    answer = words_for(device)
    for line in lines:
        word = line.strip()
        if word:
            out(answer(word))


def emulate(name: str, link: Path, lines: Iterable[str] | None = None,
            out: Callable[[str], object] | None = None) -> int:
    """Serve until SIGTERM or SIGINT; 2 for an unknown device or a link that cannot be made."""
    say = out if out is not None else _print
    factory = DEVICES.get(name)
    if factory is None:
        print(f"kiosk cash emulate: no device {name!r} (devices: {', '.join(DEVICES)})")
        return 2
    try:
        device = factory()
    except ImportError as exc:
        print(f"kiosk cash emulate: the {name} device is not available: {exc}")
        return 2
    from kiosk.lab.cash.hands_server import HandsServer, hands_path

    try:
        pty = PtyLink(link)
    except LinkError as exc:
        print(f"kiosk cash emulate: {exc}")
        return 2
    try:
        socket_hands = HandsServer(hands_path(link), words_for(device)).start()
    except LinkError as exc:
        pty.close()
        print(f"kiosk cash emulate: {exc}")
        return 2
    with stop_on_signals() as stop:
        server = threading.Thread(target=pty.serve, args=(device.feed, stop),
                                  name=f"{name}-line", daemon=True)
        try:
            server.start()
            say(f"{name} on {link} ({pty.device_name}); type words on standard input or at "
                f"{socket_hands.path}, Ctrl-C to stop")
            threading.Thread(target=hands, args=(device, lines if lines is not None
                                                 else sys.stdin, say),
                             name=f"{name}-hands", daemon=True).start()
            while not stop.wait(0.2):
                pass
        finally:
            stop.set()
            server.join(timeout=2)
            socket_hands.close()
            pty.close()
    return 0


def _print(line: str) -> None:
    print(line, flush=True)
