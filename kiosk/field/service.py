"""``kiosk run``: the kiosk as a systemd service (``systemd/kiosk.service``, ``Type=notify``).

The window's main loop (``kiosk.field.live.LiveKiosk``) with systemd told what happens: READY=1 once
the drivers are up and the first screen is drawn, WATCHDOG=1 from the loop itself (so a hung loop
stops the pings and systemd restarts the kiosk), STATUS= the session's state, STOPPING=1 on
SIGTERM or SIGINT, after which the loop ends and the kiosk closes its drivers and journal.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path
from types import FrameType

from kiosk.config import DEFAULT_PATH, load_config
from kiosk.field.live import FRAME_SECONDS, LiveKiosk
from kiosk.field.sdnotify import Notifier
from kiosk.session.machine import Session

log = logging.getLogger(__name__)

# Test hook, for tests/test_service.py only: after this many seconds of running, the main loop
# blocks forever, as a loop stuck in a driver call would, so the test can see the watchdog pings
# stop. Never set it on a kiosk.
TEST_HANG_ENV = "KIOSK_TEST_HANG_AFTER"


def status_text(session: Session) -> str:
    """What the kiosk is doing, for ``systemctl status``: the state, and any faults."""
    if session.faults:
        return f"{session.state}: {', '.join(sorted(session.faults))}"
    return session.state


class StopRequest:
    """Set by SIGTERM/SIGINT; tells systemd at once that the kiosk is stopping."""

    def __init__(self, notifier: Notifier) -> None:
        self.notifier = notifier
        self.signal: int | None = None

    def install(self) -> None:
        signal.signal(signal.SIGTERM, self._handle)
        signal.signal(signal.SIGINT, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signal is None:
            log.warning("%s: stopping", signal.Signals(signum).name)
            self.notifier.stopping()
        self.signal = signum


def _hang_at(started: float) -> float | None:
    """When the test hook (``KIOSK_TEST_HANG_AFTER``) hangs the loop; None without it."""
    value = os.environ.get(TEST_HANG_ENV)
    return started + float(value) if value else None


def _hang() -> None:
    log.warning("%s: the main loop hangs now (test hook)", TEST_HANG_ENV)
    while True:
        time.sleep(3600)


def run_service(config_path: Path | None, record: Path | None = None) -> int:
    """Run the kiosk until SIGTERM/SIGINT (or the window is closed); 0 on a clean stop.
    ``record``: write what happens as session files (``kiosk record --run``)."""
    notifier = Notifier()
    stop = StopRequest(notifier)
    stop.install()
    live = LiveKiosk(load_config(config_path or DEFAULT_PATH),  # in service: no demo hands
                     record=record)
    try:
        live.step()
        session = live.kiosk.session
        if stop.signal is None:
            notifier.ready(status_text(session))
            log.info("kiosk running: %s", status_text(session))
        hang_at = _hang_at(time.monotonic())
        while live.running and stop.signal is None:
            started = time.monotonic()
            if hang_at is not None and started >= hang_at:
                _hang()
            live.step()
            notifier.status(status_text(session))
            notifier.watchdog(started)
            time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - started)))
        if stop.signal is None:  # the window was closed
            notifier.stopping()
    finally:
        live.close()
        notifier.close()
    return 0
