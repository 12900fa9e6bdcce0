"""A pseudo-terminal whose device end is linked at a path: a serial port for a driver, with an
emulated device answering on the other end.

The slave end is opened by us too and kept open, so the master never reads EIO while the driver
closes and reopens the port. The link is removed on :meth:`close`.

The slave's settings are put back as a fresh port's whenever a driver changed them: a pty
cannot keep even parity (ID-003's 8E1), and on some kernels a second open asking for it again
over the settings the first left is refused (EINVAL) unless anything else differs.
"""

from __future__ import annotations

import os
import select
import signal
import termios
import threading
import tty
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

READ_SIZE = 4096
TICK = 0.05  # the serve loop looks at its stop event this often (seconds)


class LinkError(ValueError):
    """The link cannot be made at that path."""


class PtyLink:
    """``os.openpty()`` in raw mode, PATH → the slave's name."""

    def __init__(self, link: Path) -> None:
        if link.exists() or link.is_symlink():
            raise LinkError(f"{link} already exists: choose another path or remove it")
        if not link.parent.is_dir():
            raise LinkError(f"{link.parent} is not a directory")
        self.master, self._slave = os.openpty()
        tty.setraw(self.master)
        tty.setraw(self._slave)
        self.device_name = os.ttyname(self._slave)
        self._fresh = termios.tcgetattr(self._slave)
        try:
            link.symlink_to(self.device_name)
        except OSError as exc:
            self._close_fds()
            raise LinkError(f"cannot link {link}: {exc.strerror or exc}") from None
        self.link = link
        self._closed = False

    def serve(self, answer: Callable[[bytes], bytes], stop: threading.Event) -> None:
        """Bytes from the line to ``answer``, its bytes back, until ``stop`` is set."""
        while not stop.is_set():
            self._refresh()
            ready, _, _ = select.select([self.master], [], [], TICK)
            if not ready:
                continue
            try:
                data = os.read(self.master, READ_SIZE)
            except OSError:
                return  # closed under us
            reply = answer(data)
            if reply:
                try:
                    os.write(self.master, reply)
                except OSError:
                    return

    def _refresh(self) -> None:
        """The slave's settings back to a fresh port's (a driver's reopen must not be refused;
        a pty has no baud rate or parity to honour, so a driver still open loses nothing)."""
        try:
            if termios.tcgetattr(self._slave) != self._fresh:
                termios.tcsetattr(self._slave, termios.TCSANOW, self._fresh)
        except (termios.error, OSError):
            pass

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            if self.link.is_symlink() and os.readlink(self.link) == self.device_name:
                self.link.unlink()
        except OSError:
            pass
        self._close_fds()

    def _close_fds(self) -> None:
        for fd in (self.master, self._slave):
            try:
                os.close(fd)
            except OSError:
                pass

    def __enter__(self) -> PtyLink:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT (or at the end), the handlers put back after."""
    stop = threading.Event()

    def lift(*_: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, lift) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield stop
    finally:
        stop.set()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
