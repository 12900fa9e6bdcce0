"""The counter terminal's end of an order (らくらく窓口): no money here, a numbered ticket instead.

At a kiosk of ``[kiosk] mode = "counter"`` the order the resident confirmed is journaled with a
ticket of the day, the ticket (受付票) is printed on the terminal's printer, and the order waits
for the counter: the clerk takes the fee, prints the certificates and hands them over
(kiosk/counter/console.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import Any

from kiosk.center.protocol import Order
from kiosk.counter.ticket_pdf import render_ticket
from kiosk.journal.opening import JournalError
from kiosk.journal.store import SqliteJournal
from kiosk.journal.tickets import TicketBook
from kiosk.services.api import Core
from kiosk.session.visit import OrderLine
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.ports import PrintResult
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketPrinted(JobResult):
    """The ticket came out of the terminal's printer."""

    result: PrintResult


def at_counter(core: Core) -> bool:
    return core.config.kiosk.mode == "counter"


class Ticketing:
    """Issues the visit's ticket; holds its number for the screen."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.number: str | None = None

    def reset(self) -> None:
        self.number = None

    def issue(self, order: Order, line: OrderLine) -> None:
        """Journal the order and its ticket, then print the ticket (a job)."""
        core = self.core
        if "free" in core.config.payment.methods:
            order = replace(order, fee=0)
        journal = core.ports.journal
        if not isinstance(journal, SqliteJournal):
            raise JournalError("a counter kiosk needs the journal on disk for its tickets")
        journal.order_created(order.order_id, line.municipality, line.certificate,
                              line.copies, order.fee)
        if core.visit.cancel_requested:
            journal.order_voided(order.order_id, str(Reason.CANCELLED))
            core.cancel(Reason.CANCELLED)
            return
        ticket = TicketBook(journal).issue(order.order_id)
        self.number = ticket.label
        log.info("ticket %s for order %s", ticket.label, order.order_id)
        pdf = render_ticket(ticket.label, core.clock.now(), line.certificate, line.copies,
                            order.fee, core.kiosk_id)
        printer = core.ports.printer
        name = f"ticket-{ticket.day}-{ticket.label}"
        core.submit(TicketPrinted, lambda: TicketPrinted(printer.print_document(name, pdf)),
                    Reason.PRINTER_FAULT)
        core.trigger("ticketed")

    def printed(self, _: TicketPrinted) -> None:
        session: Any = self.core  # the Session: what lies in the tray is the core's to know
        if session.no_tray_sensor:
            session.paper_in_tray = True
        session.ports.alarm.chime()

    def failed(self, e: WorkFailed) -> None:
        """No paper ticket: the screen still shows the number, which the counter knows."""
        log.error("the ticket could not be printed: %s", e.reason)
        self.core.printer_fault(str(e.error) if e.error else "ticket not printed")
