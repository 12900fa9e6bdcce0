"""Prometheus metrics of one kiosk: visits, certificates, refusals, alarms, printer, cash, center.

``KioskMetrics`` keeps its own registry; the session and the composition root call its methods.
``expose()`` serves them on localhost only (a scraper on the kiosk, or node_exporter's textfile
collector through ``textfile``: rewritten atomically after every change). Labels carry codes
(certificate types, reason codes, coin values), never anything about a resident.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    start_http_server,
    write_to_textfile,
)

if TYPE_CHECKING:
    from wsgiref.simple_server import WSGIServer

    from kiosk.vocabulary.ports import MetricsPort

log = logging.getLogger(__name__)

NAMESPACE = "kiosk"
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


class KioskMetrics:
    """The kiosk's metrics in a registry of their own (tests make as many as they like)."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self._cash_seen: tuple[int, tuple[tuple[str, int], ...]] | None = None
        self._cash_told: tuple[int | None, Mapping[int, int] | Mapping[str, int]] = (None, {})
        r, ns = self.registry, NAMESPACE
        self.sessions = Counter("sessions", "Visits started", namespace=ns, registry=r)
        self.certificates = Counter("certificates", "Certificates printed", ["type"],
                                    namespace=ns, registry=r)
        self.refusals = Counter("refusals", "Visits refused (reason code)", ["reason"],
                                namespace=ns, registry=r)
        self.errors = Counter("errors", "Faults and failures (reason code)", ["reason"],
                              namespace=ns, registry=r)
        self.help_calls = Counter("help_calls", "Residents who called staff", namespace=ns,
                                  registry=r)
        self.alarms = Counter("alarms", "Alarms raised (forgotten card, paper, money)", ["kind"],
                              namespace=ns, registry=r)
        self.printer_ready = Gauge("printer_ready", "1 when the printer can print",
                                   namespace=ns, registry=r)
        self.cash_held = Gauge("cash_held_yen", "Yen held in the cash unit", namespace=ns,
                               registry=r)
        self.change_coins = Gauge("change_coins", "Coins in the change tubes", ["coin"],
                                  namespace=ns, registry=r)
        self.center_latency = Histogram("center_latency_seconds", "Time of one center call",
                                        namespace=ns, registry=r, buckets=LATENCY_BUCKETS)
        self.cash_fault_gauge = Gauge("cash_fault", "1 while a cash device has a fault",
                                      namespace=ns, registry=r)
        self.out_of_service_gauge = Gauge("out_of_service", "1 while the kiosk is out of "
                                          "service", namespace=ns, registry=r)
        self._textfile: Path | None = None
        self._server: tuple[WSGIServer, threading.Thread] | None = None
        self._lock = threading.Lock()

    # --- what the session and the app report ------------------------------------------------
    def visit_started(self) -> None:
        self.sessions.inc()
        self._changed()

    def certificate_printed(self, type: str, copies: int = 1) -> None:
        self.certificates.labels(type=type).inc(copies)
        self._changed()

    def help_called(self) -> None:
        self.help_calls.inc()
        self._changed()

    def refused(self, reason: str) -> None:
        self.refusals.labels(reason=str(reason)).inc()
        self._changed()

    def error(self, reason: str) -> None:
        self.errors.labels(reason=str(reason)).inc()
        self._changed()

    def alarm(self, kind: str) -> None:
        self.alarms.labels(kind=kind).inc()
        self._changed()

    def printer(self, ready: bool) -> None:
        self.printer_ready.set(1 if ready else 0)
        self._changed()

    def cash(self, held: int, tubes: Mapping[int, int] | Mapping[str, int]) -> None:
        """Yen held, and the coins in each change tube ({10: 50, 100: 48, …})."""
        if held == self._cash_told[0] and tubes == self._cash_told[1]:
            return  # told at every screen, mostly the same as last time: not news
        self._cash_told = (held, dict(tubes))
        seen = (held, tuple(sorted((str(k), v) for k, v in tubes.items())))
        if seen == self._cash_seen:
            return  # only a change is news
        self._cash_seen = seen
        self.cash_held.set(held)
        for coin, count in tubes.items():
            self.change_coins.labels(coin=str(coin)).set(count)
        self._changed()

    def center_call(self, seconds: float) -> None:
        self.center_latency.observe(seconds)
        self._changed()

    def out_of_service(self, out: bool) -> None:
        self.out_of_service_gauge.set(1 if out else 0)
        self._changed()

    def cash_fault(self, fault: bool) -> None:
        """A bill validator, coin acceptor or hopper has a fault (1) or none (0)."""
        self.cash_fault_gauge.set(1 if fault else 0)
        self._changed()

    # --- exposition ---------------------------------------------------------------------------
    def expose(self, http_port: int | None = None, textfile: str | Path | None = None) -> None:
        """Serve on 127.0.0.1:``http_port`` and/or keep ``textfile`` (node_exporter's textfile
        collector, a ``.prom`` file) up to date."""
        if http_port is not None:
            self._server = start_http_server(http_port, addr="127.0.0.1", registry=self.registry)
            log.info("metrics on http://127.0.0.1:%d/metrics", http_port)
        if textfile is not None:
            self._textfile = Path(textfile)
            self.write_textfile()

    def write_textfile(self) -> None:
        """Write the textfile now (atomically: node_exporter never reads half a file)."""
        if self._textfile is None:
            return
        with self._lock:
            try:
                write_to_textfile(str(self._textfile), self.registry)
            except OSError as exc:
                log.warning("metrics textfile %s: %s", self._textfile, exc)

    def close(self) -> None:
        """Stop the HTTP server (prometheus-client 0.20+ returns it; older ones cannot)."""
        if isinstance(self._server, tuple):
            server, thread = self._server
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
        self._server = None

    def _changed(self) -> None:
        if self._textfile is not None:
            self.write_textfile()


if TYPE_CHECKING:  # mypy holds KioskMetrics to MetricsPort: a drift fails here

    def _conforms_kiosk_metrics(metrics: KioskMetrics) -> MetricsPort:
        return metrics
