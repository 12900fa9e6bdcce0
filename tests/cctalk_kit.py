"""A real pseudo-terminal for the ccTalk tests: pyserial on the slave end, emulated devices
served on the master end by a thread (the bus echo comes from the devices, as on a real wire)."""

from __future__ import annotations

import os
import select
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from drivers.payment.cctalk import CctalkBus, open_line
from kiosk.lab.cash.bus import Device, answer

__all__ = ["Device", "answer", "wire"]


@contextmanager
def wire(*devices: Device, timeout: float = 0.3) -> Iterator[CctalkBus]:
    master, slave = os.openpty()
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.02)
            if ready:
                os.write(master, answer(devices, os.read(master, 1024)))

    line = open_line(os.ttyname(slave))
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield CctalkBus(line, timeout=timeout)
    finally:
        stop.set()
        thread.join(timeout=2)
        line.close()
        os.close(slave)
        os.close(master)
