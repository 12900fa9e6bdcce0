"""Clocks: the session reads time only through one of these (virtual in replay)."""

from __future__ import annotations

import contextvars
from datetime import datetime, timedelta, timezone
from typing import Protocol

JST = timezone(timedelta(hours=9), "JST")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current local time, timezone-aware."""


class SystemClock:
    """Wall-clock time in Japan Standard Time."""

    def now(self) -> datetime:
        return datetime.now(JST)


class VirtualClock:
    """Time that moves only when told to (replay, tests)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the virtual clock needs a time with an offset")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)


_LAB_NOW: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("lab_now",
                                                                          default=None)


class LabClock(SystemClock):
    """Wall-clock time, except within ``at(when)``: a lab center answering a replayed kiosk
    on that kiosk's virtual time."""

    def now(self) -> datetime:
        return _LAB_NOW.get() or super().now()

    @staticmethod
    def at(when: datetime | None) -> contextvars.Token[datetime | None]:
        return _LAB_NOW.set(when)

    @staticmethod
    def reset(token: contextvars.Token[datetime | None]) -> None:
        _LAB_NOW.reset(token)
