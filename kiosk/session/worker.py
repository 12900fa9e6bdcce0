"""Workers run the session's blocking jobs (APDUs, HTTP, CUPS) and post the outcome as an event."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, TypeVar

from kiosk.vocabulary.events import Event, JobResult, WorkDone, WorkFailed
from kiosk.vocabulary.reasons import KioskError, Reason

log = logging.getLogger(__name__)

Post = Callable[[Event], None]
J = TypeVar("J", bound=JobResult)


class Jobs(Protocol):
    """Where the session sends blocking work; the result comes back as WorkDone/WorkFailed."""

    def submit(self, job: type[J], fn: Callable[[], J], fallback: Reason) -> None: ...


def run_job(job: type[J], fn: Callable[[], J], fallback: Reason) -> Event:
    """Run one job; a typed error becomes WorkFailed with its reason, anything else ``fallback``."""
    try:
        result = fn()
    except KioskError as exc:
        log.info("job %s failed: %s", job.__name__, exc.reason)
        return WorkFailed(job, exc.reason, exc)
    except Exception:  # a driver bug must not take the kiosk down: the resident gets a screen
        log.exception("job %s failed unexpectedly", job.__name__)
        return WorkFailed(job, fallback, None)
    if not isinstance(result, job):
        log.error("job %s returned %s", job.__name__, type(result).__name__)
        return WorkFailed(job, fallback, None)
    return WorkDone(result)


class InlineWorker:
    """Runs each job at once on the caller's thread (replay: deterministic, virtual time)."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self.submitted: list[Callable[[type[JobResult]], None]] = []  # told of every job

    def submit(self, job: type[J], fn: Callable[[], J], fallback: Reason) -> None:
        for listener in self.submitted:
            listener(job)
        self._post(run_job(job, fn, fallback))

    def shutdown(self) -> None:
        """Nothing runs in the background."""


class ThreadWorker:
    """Runs jobs one after another on a background thread (the live kiosk: the UI never blocks)."""

    def __init__(self, post: Post) -> None:
        self._post = post
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kiosk-worker")
        self.submitted: list[Callable[[type[JobResult]], None]] = []  # told of every job

    def submit(self, job: type[J], fn: Callable[[], J], fallback: Reason) -> None:
        for listener in self.submitted:
            listener(job)
        self._pool.submit(lambda: self._post(run_job(job, fn, fallback)))

    def shutdown(self) -> None:
        self._pool.shutdown(wait=True)
