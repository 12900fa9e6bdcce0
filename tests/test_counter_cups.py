"""The counter's printer is a real CUPS queue: the staff console prints a ticket's certificate
through cupsd to the printer lab (ippeveprinter), and the terminal's ticket is not on it."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

from counter_kit import counter_kiosk, take_ticket
from pypdf import PdfReader
from test_printing_cups import cupsd, lab  # noqa: F401  (the printer lab's fixtures)

from drivers.printer.lab import PrinterLab
from kiosk import parts
from kiosk.counter.console import Console


def test_the_console_prints_on_the_counters_cups_queue(lab: PrinterLab,  # noqa: F811
                                                       tmp_path: Path) -> None:
    lab.set_state("ok")
    before = len(lab.received())
    k = counter_kiosk(tmp_path)
    try:
        take_ticket(k, "r001")
        config = replace(k.config, printer=replace(k.config.printer, uri=f"cups:{lab.queue}",
                                                   timeout=20))
        counter_printer = parts.printer(parts.DriverContext(config, lambda event: None))
        console = Console(k.journal, k.client, counter_printer, k.clock)
        order_id = console.queue()[0].order_id
        console.take_fee(order_id)
        console.print(order_id)
        console.hand_over(order_id)
        assert k.journal.totals().printed_documents == 1
        assert k.journal.check() == []
    finally:
        k.close()
    received = lab.received()[before:]
    assert len(received) == 1  # the certificate; the ticket came out of the terminal
    front = PdfReader(io.BytesIO(received[0].read_bytes())).pages[0].extract_text()
    assert "住民票の写し" in front and order_id in front
