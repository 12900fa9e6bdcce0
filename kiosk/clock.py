"""Clocks: the session reads time only through one of these (virtual in replay)."""

from __future__ import annotations

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
