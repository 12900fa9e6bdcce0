"""The Locust side of the fleet: ``locust -f kiosk/lab/fleet/locustfile.py`` (``run_fleet``
and ``kiosk fleet`` start it). Importing this module patches the process for gevent (Locust
does): only load processes import it.

Each ``KioskUser`` is one kiosk. Its kiosk is handed out by the master (a counter, over Locust
messages), so two workers never take the same kiosk; a local runner counts for itself. Every
call is a request event ("center", the call's name); every visit a "session" event named by how
it ended. Each load process keeps a ``Tally`` and sends it with its reports; the master keeps
the latest from each and writes the fleet's report when it quits (``--fleet-report``).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import gevent  # type: ignore[import-untyped]  # gevent ships no type information
import locust.runners
from gevent.event import AsyncResult  # type: ignore[import-untyped]
from locust import User, constant, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import LocalRunner, MasterRunner, WorkerRunner

from kiosk.center.https import HttpsTransport
from kiosk.lab.fleet.fast import FastHttpsTransport
from kiosk.lab.fleet.kit import Kit
from kiosk.lab.fleet.plan import CLIENTS, FleetError
from kiosk.lab.fleet.visit import FleetKiosk, Outcome

locust.runners.WORKER_REPORT_INTERVAL = 1.0  # the default 3 s loses too much of a short run
CLAIM, GRANT = "fleet-claim", "fleet-kiosk"
CLAIM_TIMEOUT = 60.0
MAX_EXAMPLES = 5
CALL_TYPE, SESSION_TYPE = "center", "session"
log = logging.getLogger("kiosk.fleet")


@dataclass
class Tally:
    """One load process's counts (cumulative: the master keeps the latest)."""

    completed: int = 0
    cancelled: int = 0
    refused: int = 0
    fault_handled: int = 0
    failed: int = 0
    wrong_documents: int = 0
    window_s: float = 0.0  # from the test's start to now, or to its stopping
    cpu_s: float = 0.0
    examples: list[str] = field(default_factory=list)

    def add(self, outcome: Outcome) -> None:
        kind = outcome.kind.replace("-", "_")
        setattr(self, kind, getattr(self, kind) + 1)
        self.wrong_documents += outcome.wrong_documents
        if outcome.problem and len(self.examples) < MAX_EXAMPLES:
            self.examples.append(outcome.problem[:300])


class Process:
    """This process's part: its kit, its tally, its clock, its claims."""

    kit: Kit | None = None
    data: str = ""  # this process's own --fleet-data (a master's may name another path)
    tally = Tally()
    started: float | None = None
    cpu_started = 0.0
    stopped = False
    claims = 0  # on the master (or a local runner): kiosks handed out
    waiting: dict[int, AsyncResult] = {}  # tickets of this worker
    latest: dict[str, dict[str, Any]] = {}  # the master's: the last tally of each worker

    @classmethod
    def snapshot(cls) -> dict[str, Any]:
        if cls.started is not None and not cls.stopped:
            cls.tally.window_s = time.perf_counter() - cls.started
            cls.tally.cpu_s = time.process_time() - cls.cpu_started
        return asdict(cls.tally)


def _options(parser: Any) -> None:
    parser.add_argument("--fleet-data", default="", help="a `kiosk center init` directory")
    parser.add_argument("--fleet-centers", default="", help="center URLs, comma-separated")
    parser.add_argument("--fleet-faults", default="on", choices=["on", "off"])
    parser.add_argument("--fleet-client", default="fast", choices=list(CLIENTS))
    parser.add_argument("--fleet-report", default="", help="the master writes its JSON here")


def _init(environment: Environment, **_: Any) -> None:
    logging.getLogger("kiosk.center").setLevel(logging.CRITICAL)  # the fleet counts it all
    runner = environment.runner
    options = environment.parsed_options
    Process.data = getattr(options, "fleet_data", "") or ""
    if isinstance(runner, MasterRunner):
        runner.register_message(CLAIM, _grant)
        return
    if isinstance(runner, WorkerRunner):
        runner.register_message(GRANT, _granted)
    if not Process.data:
        raise SystemExit("kiosk fleet: --fleet-data is needed on every load process")
    try:
        Process.kit = Kit.load(Path(Process.data))
    except FleetError as exc:
        raise SystemExit(f"kiosk fleet: {exc}") from None


def _grant(environment: Environment, msg: Any, **_: Any) -> None:
    """On the master: the next kiosk for a worker's user."""
    index = Process.claims
    Process.claims += 1
    assert environment.runner is not None
    environment.runner.send_message(GRANT, {"ticket": msg.data["ticket"], "index": index},
                                    client_id=msg.node_id)


def _granted(environment: Environment, msg: Any, **_: Any) -> None:
    waiting = Process.waiting.pop(int(msg.data["ticket"]), None)
    if waiting is not None:
        waiting.set(int(msg.data["index"]))


def _claim(environment: Environment) -> int:
    """A kiosk index no other user of the fleet has."""
    runner = environment.runner
    if not isinstance(runner, WorkerRunner):
        Process.claims += 1
        return Process.claims - 1
    ticket = Process.claims  # this worker's own numbering: the master's answer names it
    Process.claims += 1
    Process.waiting[ticket] = result = AsyncResult()
    runner.send_message(CLAIM, {"ticket": ticket})
    index: int = result.get(timeout=CLAIM_TIMEOUT)
    return index


def _start(environment: Environment, **_: Any) -> None:
    Process.started, Process.cpu_started, Process.stopped = (time.perf_counter(),
                                                             time.process_time(), False)


def _stopping(environment: Environment, **_: Any) -> None:
    Process.snapshot()
    Process.stopped = True


def _report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    data["fleet"] = Process.snapshot()


def _worker_report(client_id: str, data: dict[str, Any], **_: Any) -> None:
    if "fleet" in data:
        Process.latest[client_id] = data["fleet"]


def _quitting(environment: Environment, **_: Any) -> None:
    path = getattr(environment.parsed_options, "fleet_report", "")
    if not path or isinstance(environment.runner, WorkerRunner):
        return
    tallies = list(Process.latest.values())
    if isinstance(environment.runner, LocalRunner):
        tallies = [Process.snapshot()]
    Path(path).write_text(json.dumps(_fleet_report(environment, tallies)), encoding="utf-8")


def _fleet_report(environment: Environment, tallies: list[dict[str, Any]]) -> dict[str, Any]:
    """The FleetReport's fields, from the tallies and Locust's stats."""
    def total(name: str) -> int:
        return sum(int(t[name]) for t in tallies)

    def rate(*names: str) -> float:
        return sum(sum(int(t[n]) for n in names) / float(t["window_s"]) for t in tallies
                   if float(t["window_s"]) > 0)

    ended_well = ("completed", "cancelled", "refused", "fault_handled")
    calls = [{"name": name, "requests": e.num_requests, "failures": e.num_failures,
              "p50_ms": float(e.get_response_time_percentile(0.5)),
              "p99_ms": float(e.get_response_time_percentile(0.99)),
              "max_ms": float(e.max_response_time)}
             for (name, method), e in sorted(environment.stats.entries.items())
             if method == CALL_TYPE and e.num_requests]
    users = Process.claims
    return {"users": users, "seconds": max((t["window_s"] for t in tallies), default=0.0),
            "sessions": sum(total(n) for n in ended_well), "completed": total("completed"),
            "cancelled": total("cancelled"), "refused": total("refused"),
            "faults_handled": total("fault_handled"),
            "wrong_documents": total("wrong_documents"), "failures": total("failed"),
            "sessions_per_s": rate(*ended_well), "completed_per_s": rate("completed"),
            "calls": calls,
            "failure_examples": [e for t in tallies for e in t["examples"]][:MAX_EXAMPLES],
            "load_cpu_s": sum(float(t["cpu_s"]) for t in tallies)}


def _listen(hook: Any, handler: Callable[..., None]) -> None:
    """Locust's add_listener (untyped in Locust)."""
    hook.add_listener(handler)


_listen(events.init_command_line_parser, _options)
_listen(events.init, _init)
_listen(events.test_start, _start)
_listen(events.test_stopping, _stopping)
_listen(events.report_to_master, _report)
_listen(events.worker_report, _worker_report)
_listen(events.quitting, _quitting)


class KioskUser(User):
    """One kiosk of the fleet, running visit after visit."""

    wait_time = constant(0)

    def on_start(self) -> None:
        kit = Process.kit
        if kit is None:  # _init refused to start without one
            raise StopUser()
        try:
            index = _claim(self.environment)
        except gevent.Timeout:
            self._fail("the master handed out no kiosk in time")
        if index >= len(kit.kiosks):
            self._fail(f"more users than the {len(kit.kiosks)} store kiosks of {kit.data}")
        options = self.environment.parsed_options
        centers = [c for c in getattr(options, "fleet_centers", "").split(",") if c] or [
            kit.default_center]
        faults = getattr(options, "fleet_faults", "on") == "on"
        fast = getattr(options, "fleet_client", "fast") == "fast"
        self.kiosk = FleetKiosk(kit, kit.kiosks[index], centers[index % len(centers)],
                                self._record, faults, offset=index,
                                transport=FastHttpsTransport if fast else HttpsTransport)

    def _fail(self, problem: str) -> NoReturn:
        Process.tally.add(Outcome("failed", problem=problem))
        log.error("kiosk fleet: %s", problem)
        raise StopUser()

    def _record(self, call: str, ms: float, length: int, error: Exception | None) -> None:
        self.environment.events.request.fire(
            request_type=CALL_TYPE, name=call, response_time=ms, response_length=length,
            exception=error, context={})

    @task
    def visit(self) -> None:
        started = time.perf_counter()
        outcome = self.kiosk.visit()
        if not Process.stopped:
            Process.tally.add(outcome)
        self.environment.events.request.fire(
            request_type=SESSION_TYPE, name=outcome.kind,
            response_time=(time.perf_counter() - started) * 1000, response_length=0,
            exception=RuntimeError(outcome.problem) if outcome.kind == "failed" else None,
            context={})

    def on_stop(self) -> None:
        kiosk = getattr(self, "kiosk", None)
        if kiosk is not None:
            kiosk.close()
