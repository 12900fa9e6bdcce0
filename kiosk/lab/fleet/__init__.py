"""The fleet on Locust: many kiosks at once against one or more centers (lab code only).

Each Locust user is one kiosk of a ``kiosk center init`` data directory, with its own client
certificate, running whole visits through the kiosk's own ``CenterClient`` over
``HttpsTransport``: challenge, the card's signature, authenticate, order, the binding check,
complete (or cancel). Faults are mixed in: revoked and expired cards (expected refusals), orders
the resident cancels, a center that is down for one call (the transport retries with the same
idempotency key), a reply lost and the order resent (the same order must come back), another
order's document (the kiosk must reject it and void the order). Every call is a Locust request
event (name = the call), so Locust gives per-call percentiles; the sessions, wrong documents
and failures are counted by every worker and summed on the master.

The API, stable for other lab code and benchmarks::

    from kiosk.lab.fleet import FleetPlan, run_fleet

    report = run_fleet(FleetPlan(
        data=Path("/tmp/center"),                     # `kiosk center init` directory
        centers=("https://10.0.0.1:8443", "https://10.0.0.2:8443"),  # users round-robin
        users=50,                                     # kiosks (distinct kiosk ids)
        run_time=30.0,                                # seconds of load
        workers=2,                                    # Locust worker processes; 0 = local
        faults=True,                                  # mix faults in (needs `serve --lab`)
    ))
    report.sessions_per_s, report.wrong_documents, report.failures
    report.call("order").p99_ms                       # CallStats: requests, p50_ms, p99_ms …
    print("\\n".join(report.lines()))

``run_fleet`` runs Locust headless in subprocesses (a master and ``workers`` workers on this
machine, or one local runner), bounded by ``run_time`` and a hard ``deadline``, and returns a
``FleetReport``; it raises ``FleetError`` (one line) for a plan that cannot run. The centers
must be served with ``--lab`` when ``faults`` is on (the lab's fault control, and the lab clock
that keeps every visit inside opening hours). For machines of their own, ``kiosk fleet
--master`` and ``kiosk fleet --worker --master-host HOST`` (``kiosk/lab/fleet_cli.py``).
"""

from __future__ import annotations

from kiosk.lab.fleet.plan import CallStats, FleetError, FleetPlan, FleetReport
from kiosk.lab.fleet.runner import run_fleet

__all__ = ["CallStats", "FleetError", "FleetPlan", "FleetReport", "run_fleet"]
