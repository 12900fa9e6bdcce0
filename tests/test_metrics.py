"""Prometheus metrics: what the kiosk reports, scraped from the real endpoint and the textfile."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from kiosk.field.metrics import KioskMetrics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def report(m: KioskMetrics) -> None:
    m.visit_started()
    m.visit_started()
    m.certificate_printed("juminhyo")
    m.certificate_printed("inkan", copies=2)
    m.refused("pin-locked")
    m.error("printer-fault")
    m.alarm("forgotten-card")
    m.alarm("forgotten-card")
    m.printer(True)
    m.cash(1200, {10: 50, 100: 48, 500: 20})
    m.center_call(0.03)
    m.center_call(0.4)
    m.out_of_service(True)
    m.cash_fault(True)


def test_a_scrape_of_the_localhost_endpoint_shows_the_values(tmp_path: Path) -> None:
    m = KioskMetrics()
    port = free_port()
    m.expose(http_port=port)
    try:
        report(m)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
            text = reply.read().decode()
        assert m._server[0].server_address[0] == "127.0.0.1"  # never on the store's network
    finally:
        m.close()
    got = samples(text)
    assert got[("kiosk_sessions_total", ())] == 2
    assert got[("kiosk_certificates_total", (("type", "juminhyo"),))] == 1
    assert got[("kiosk_certificates_total", (("type", "inkan"),))] == 2
    assert got[("kiosk_refusals_total", (("reason", "pin-locked"),))] == 1
    assert got[("kiosk_errors_total", (("reason", "printer-fault"),))] == 1
    assert got[("kiosk_alarms_total", (("kind", "forgotten-card"),))] == 2
    assert got[("kiosk_printer_ready", ())] == 1
    assert got[("kiosk_cash_held_yen", ())] == 1200
    assert got[("kiosk_change_coins", (("coin", "100"),))] == 48
    assert got[("kiosk_center_latency_seconds_count", ())] == 2
    assert abs(got[("kiosk_center_latency_seconds_sum", ())] - 0.43) < 1e-9
    assert got[("kiosk_center_latency_seconds_bucket", (("le", "0.05"),))] == 1
    assert got[("kiosk_out_of_service", ())] == 1
    assert got[("kiosk_cash_fault", ())] == 1


def test_the_textfile_is_written_in_exposition_format_and_kept_current(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.prom"
    m = KioskMetrics()
    m.expose(textfile=path)
    assert path.is_file()
    report(m)
    text = path.read_text()
    assert "# TYPE kiosk_sessions_total counter" in text
    assert "# HELP kiosk_cash_held_yen" in text
    got = samples(text)
    assert got[("kiosk_sessions_total", ())] == 2
    assert got[("kiosk_out_of_service", ())] == 1
    m.out_of_service(False)
    m.printer(False)
    got = samples(path.read_text())
    assert got[("kiosk_out_of_service", ())] == 0 and got[("kiosk_printer_ready", ())] == 0
    assert not list(tmp_path.glob("*.tmp*")), "written atomically, no leftovers"


def test_two_kiosks_metrics_do_not_share_a_registry() -> None:
    a, b = KioskMetrics(), KioskMetrics()
    a.visit_started()
    assert b.registry.get_sample_value("kiosk_sessions_total") == 0
    assert a.registry.get_sample_value("kiosk_sessions_total") == 1
