"""sd_notify(3) without a dependency: tell systemd the service is ready, alive, and what it does.

systemd hands a ``Type=notify`` service the datagram socket to write to in ``NOTIFY_SOCKET``
(a path, or an abstract name starting with ``@``) and, with ``WatchdogSec=``, the watchdog's
period in ``WATCHDOG_USEC``. Without ``NOTIFY_SOCKET`` (a terminal, the tests) every call is a
no-op. A message that cannot be sent is logged once and never stops the kiosk.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger(__name__)


def socket_address(value: str) -> str | bytes | None:
    """The address to send to for a ``NOTIFY_SOCKET`` value; None when it names no socket."""
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # Linux abstract namespace
    if value.startswith("/"):
        return value
    return None  # unset, or a vsock address (vsock:…), which the kiosk never runs under


def watchdog_interval(env: Mapping[str, str], pid: int) -> float | None:
    """How often to ping, in seconds: half of ``WATCHDOG_USEC``; None without a watchdog."""
    usec = env.get("WATCHDOG_USEC", "")
    owner = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (owner and owner != str(pid)):
        return None
    return int(usec) / 2_000_000


class Notifier:
    """Datagrams to systemd's notification socket: READY, WATCHDOG (rate-limited), STATUS."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = socket_address(env.get("NOTIFY_SOCKET", ""))
        self.interval = watchdog_interval(env, os.getpid()) if self.address else None
        self._sock: socket.socket | None = None
        self._last_ping = float("-inf")
        self._status: str | None = None
        self._failed = False

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def notify(self, *fields: str) -> bool:
        """Send ``fields`` (``KEY=value``) as one datagram; True when it went out."""
        if self.address is None:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(fields).encode(), self.address)
        except OSError as exc:
            if not self._failed:
                log.warning("sd_notify to %r failed: %s", self.address, exc)
                self._failed = True
            return False
        return True

    def ready(self, status: str | None = None) -> bool:
        if status is not None:
            self._status = status
        return self.notify("READY=1", *([f"STATUS={status}"] if status is not None else []))

    def status(self, text: str) -> bool:
        """STATUS=text, only when it differs from the last one sent."""
        if text == self._status:
            return False
        self._status = text
        return self.notify(f"STATUS={text}")

    def watchdog(self, now: float | None = None) -> bool:
        """WATCHDOG=1 when half the watchdog period has passed since the last ping."""
        if self.interval is None:
            return False
        now = time.monotonic() if now is None else now
        if now - self._last_ping < self.interval:
            return False
        self._last_ping = now
        return self.notify("WATCHDOG=1")

    def stopping(self) -> bool:
        return self.notify("STOPPING=1")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None
