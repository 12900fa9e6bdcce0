"""The forgotten-card, -paper and -change alarms: when they start, how they escalate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.clock import Clock
from kiosk.vocabulary.ports import AlarmPort, MetricsPort

log = logging.getLogger(__name__)

ALARM_STEP = 5.0  # seconds between an ignored alarm's steps up (louder, faster)
TRAY_ALARMS = ("forgotten-paper", "forgotten-change")


class Alarms:
    """One alarm at a time: ``kind`` sounds (or "none"); ``due_at`` is when one may start."""

    def __init__(self, port: AlarmPort, clock: Clock, speak: Callable[[str], None],
                 metrics: MetricsPort | None = None) -> None:
        self.port = port
        self.clock = clock
        self.speak = speak
        self.metrics = metrics
        self.kind = "none"
        self.since: datetime | None = None  # when the sounding alarm started
        self.due_at: datetime | None = None  # when the resident has waited too long

    def set(self, kind: str) -> None:
        if kind == self.kind:
            return
        self.kind = kind
        if kind == "none":
            self.since = None
            self.port.silence()
            return
        log.warning("alarm: %s", kind)
        if self.metrics:
            self.metrics.alarm(kind)
        self.since = self.clock.now()
        self.port.sound(kind)
        self.speak(kind)

    def arm(self, seconds: float | None) -> None:
        """A screen where something may be forgotten: alarm after ``seconds`` (None: never)."""
        if seconds is None or self.kind != "none":
            self.due_at = None
        else:
            self.due_at = self.clock.now() + timedelta(seconds=seconds)

    def due(self, now: datetime) -> bool:
        """Whether the wait ran out just now (once)."""
        if self.due_at is not None and now >= self.due_at:
            self.due_at = None
            return True
        return False

    def escalate(self, now: datetime) -> None:
        if self.since is not None:
            self.port.escalate((now - self.since).total_seconds())

    def next_deadline(self) -> datetime | None:
        """The next moment the alarm changes: it may start, or step up."""
        step = None
        if self.since is not None:
            steps = int((self.clock.now() - self.since).total_seconds() // ALARM_STEP)
            step = self.since + timedelta(seconds=ALARM_STEP * (steps + 1))
        times = [t for t in (self.due_at, step) if t is not None]
        return min(times) if times else None
