"""Clocks: the session reads time only through one of these (virtual in replay)."""

from __future__ import annotations

import contextvars
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Protocol

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


if TYPE_CHECKING:  # mypy holds SystemClock, VirtualClock and LabClock to Clock: a drift fails here

    def _conforms_system_clock(clock: SystemClock) -> Clock:
        return clock

    def _conforms_virtual_clock(clock: VirtualClock) -> Clock:
        return clock

    def _conforms_lab_clock(clock: LabClock) -> Clock:
        return clock
