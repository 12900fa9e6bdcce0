"""What a fleet run is asked to do (FleetPlan) and what it found (FleetReport)."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_USERS = 10_000
MAX_WORKERS = 64
MAX_RUN_TIME = 24 * 3600.0
CLIENTS = ("fast", "requests")  # each POST through geventhttpclient, or as the field kiosk's


class FleetError(Exception):
    """A fleet that cannot run, or a run that broke; the text is one line for the operator."""


@dataclass(frozen=True)
class FleetPlan:
    """A fleet run: ``users`` kiosks of the ``data`` directory (``kiosk center init``), spread
    round-robin over ``centers`` (https:// URLs; empty: the one in the kiosks' kiosk.toml), for
    ``run_time`` seconds, in ``workers`` Locust worker processes (0: one local process)."""

    data: Path
    centers: tuple[str, ...] = ()
    users: int = 10
    run_time: float = 10.0
    workers: int = 0
    faults: bool = True  # mix in refused cards, cancels, lab center faults, resent orders
    client: str = "fast"  # CLIENTS: how a fleet kiosk's HttpsTransport sends each POST
    timeout: float = 0.0  # hard limit on the whole run in seconds (0: run_time + 120)

    def check(self) -> None:
        """FleetError naming the first field that cannot work."""
        if not 1 <= self.users <= MAX_USERS:
            raise FleetError(f"users must be 1 to {MAX_USERS}, not {self.users}")
        if not 0 <= self.workers <= MAX_WORKERS:
            raise FleetError(f"workers must be 0 to {MAX_WORKERS}, not {self.workers}")
        if not (math.isfinite(self.run_time) and 0 < self.run_time <= MAX_RUN_TIME):
            raise FleetError(f"run time must be more than 0 and at most {MAX_RUN_TIME:.0f} s")
        if not (math.isfinite(self.timeout) and self.timeout >= 0):
            raise FleetError("timeout must be 0 (automatic) or more")
        if self.client not in CLIENTS:
            raise FleetError(f"client must be one of {', '.join(CLIENTS)}, not {self.client!r}")
        for url in self.centers:
            if not url.startswith("https://") or len(url) > 200:
                raise FleetError(f"a center is an https:// URL, not {url[:60]!r}")

    @property
    def deadline(self) -> float:
        """Seconds after which the whole run is killed."""
        return self.timeout or self.run_time + 120.0


@dataclass(frozen=True)
class CallStats:
    """One call's numbers, as Locust counted them (times in milliseconds)."""

    name: str
    requests: int
    failures: int
    p50_ms: float
    p99_ms: float
    max_ms: float


@dataclass(frozen=True)
class FleetReport:
    """What a fleet run found. ``sessions`` counts every visit that ended as it should
    (completed, cancelled by the resident, an expected refusal, an injected fault handled);
    ``wrong_documents`` counts documents that arrived for another order or did not match their
    hash and were not rejected (must be 0); ``failures`` counts the unexpected."""

    users: int
    seconds: float  # the measured window (the busiest process's), for the rates
    sessions: int
    completed: int
    cancelled: int
    refused: int  # expected refusals (revoked, expired cards)
    faults_handled: int  # injected center faults the kiosk came through as it should
    wrong_documents: int
    failures: int
    sessions_per_s: float
    completed_per_s: float
    calls: tuple[CallStats, ...]
    failure_examples: tuple[str, ...] = ()
    load_cpu_s: float = 0.0  # CPU the load processes spent while running users
    notes: tuple[str, ...] = field(default=())

    def call(self, name: str) -> CallStats | None:
        return next((c for c in self.calls if c.name == name), None)

    def lines(self) -> list[str]:
        """The report as a person reads it."""
        out = [f"{self.users} kiosks for {self.seconds:.1f} s: {self.sessions} sessions "
               f"({self.sessions_per_s:.1f}/s), {self.completed} completed "
               f"({self.completed_per_s:.1f}/s), {self.cancelled} cancelled, {self.refused} "
               f"refused as expected, {self.faults_handled} center faults handled",
               f"documents for the wrong order: {self.wrong_documents}; unexpected failures: "
               f"{self.failures}"]
        if self.sessions:
            out.append(f"load CPU per session: {self.load_cpu_s / self.sessions * 1000:.1f} ms")
        for c in self.calls:
            out.append(f"  {c.name:<24} p50 {c.p50_ms:7.1f} ms   p99 {c.p99_ms:7.1f} ms   "
                       f"max {c.max_ms:7.1f} ms   ({c.requests} calls, {c.failures} failed)")
        out.extend(f"  failure: {f}" for f in self.failure_examples)
        out.extend(self.notes)
        return out


def report_from_json(path: Path) -> FleetReport:
    """The report the Locust master wrote (``locustfile``); FleetError if it is not there."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        calls = tuple(CallStats(**c) for c in data.pop("calls"))
        examples = tuple(str(f) for f in data.pop("failure_examples"))
        return FleetReport(calls=calls, failure_examples=examples, **data)
    except FileNotFoundError:
        raise FleetError("the Locust master wrote no report (see its log)") from None
    except (ValueError, TypeError, KeyError) as exc:
        raise FleetError(f"the Locust master's report is unreadable: {exc}") from None
