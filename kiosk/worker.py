"""Workers run the session's blocking jobs (APDUs, HTTP, CUPS) and post the outcome as an event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from kiosk.events import Event, WorkDone, WorkFailed
from kiosk.reasons import KioskError, Reason

log = logging.getLogger(__name__)

Post = Callable[[Event], None]


def run_job(job: str, fn: Callable[[], object], fallback: Reason) -> Event:
    """Run one job; a typed error becomes WorkFailed with its reason, anything else ``fallback``."""
    try:
        return WorkDone(job, fn())
    except KioskError as exc:
        log.info("job %s failed: %s", job, exc.reason)
        return WorkFailed(job, exc.reason, exc)
    except Exception:  # a driver bug must not take the kiosk down: the resident gets a screen
        log.exception("job %s failed unexpectedly", job)
        return WorkFailed(job, fallback, None)


class InlineWorker:
    """Runs each job at once on the caller's thread (replay: deterministic, virtual time)."""

    def __init__(self, post: Post) -> None:
        self._post = post

    def submit(self, job: str, fn: Callable[[], object], fallback: Reason) -> None:
        self._post(run_job(job, fn, fallback))

    def shutdown(self) -> None:
        """Nothing runs in the background."""


class ThreadWorker:
    """Runs jobs one after another on a background thread (the live kiosk: the UI never blocks)."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-worker")

    def submit(self, job: str, fn: Callable[[], object], fallback: Reason) -> None:
        self._pool.submit(lambda: self._post(run_job(job, fn, fallback)))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
