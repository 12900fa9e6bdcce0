"""When the kiosk is open: its own hours, closed days and maintenance windows."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.center.protocol import Hours, minutes
from kiosk.config import HoursSection
from kiosk.vocabulary.reasons import Reason


def _at(day: datetime, hhmm: str) -> datetime:
    return day.replace(hour=int(hhmm[:2]), minute=int(hhmm[3:]), second=0, microsecond=0)


def closed_because(hours: HoursSection, now: datetime) -> Reason | None:
    """None while open; else closed-day or closed-hours."""
    if now.strftime("%m-%d") in hours.closed_days or (hours.weekdays_only
                                                        and now.weekday() >= 5):
        return Reason.CLOSED_DAY
    hhmm = now.strftime("%H:%M")
    if not hours.open <= hhmm < hours.close:
        return Reason.CLOSED_HOURS
    for window in hours.maintenance:
        start, _, end = window.partition("-")
        if start <= hhmm < end:
            return Reason.CLOSED_HOURS
    return None


def next_change(hours: HoursSection, now: datetime) -> datetime:
    """The next minute at which open or closed may change (a boundary of the hours)."""
    marks = [hours.open, hours.close, "00:00"]
    for window in hours.maintenance:
        marks.extend(window.split("-"))
    today = [_at(now, m) for m in marks]
    later = [t for t in today if t > now]
    return min(later) if later else _at(now + timedelta(days=1), "00:00")


def next_opening(hours: HoursSection, now: datetime) -> datetime | None:
    """When the kiosk opens next (None if it is open), looking up to two weeks ahead."""
    if closed_because(hours, now) is None:
        return None
    t = now
    for _ in range(14 * 24 * 4):
        t = next_change(hours, t)
        if closed_because(hours, t) is None:
            return t
    return None


def issued_now(hours: Hours, now: datetime) -> Reason | None:
    """None when a town (or a certificate) issues at ``now`` by its catalog ``hours``; else
    closed-day (a weekend of weekday-only hours) or closed-hours, as the center would refuse."""
    if hours.weekdays_only and now.weekday() >= 5:
        return Reason.CLOSED_DAY
    if not minutes(hours.open) <= now.hour * 60 + now.minute < minutes(hours.close):
        return Reason.CLOSED_HOURS
    return None


def first_closed(hours: tuple[Hours | None, ...], now: datetime) -> tuple[Reason, Hours] | None:
    """The first of ``hours`` (a town's, a certificate's) that does not issue at ``now``."""
    for h in hours:
        reason = issued_now(h, now) if h is not None else None
        if reason is not None and h is not None:
            return reason, h
    return None
