"""Printing an order: its documents one after another, each journaled before the printer sees it."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.center.protocol import Document, Order
from kiosk.session.jobs import DocumentPrinted
from kiosk.session.worker import Jobs
from kiosk.vocabulary.ports import Journal, PrinterPort
from kiosk.vocabulary.reasons import Reason


class PrintRun:
    """Where the printing of one order stands: documents done, pages out."""

    def __init__(self, order: Order) -> None:
        self.order = order
        self.printed_docs = 0
        self.pages_done = 0  # of the documents printed whole
        self.pages_in_doc = 0  # of the document printing now
        self.pages_total = sum(d.pages for d in order.documents)

    @property
    def finished(self) -> bool:
        return self.printed_docs == len(self.order.documents)

    @property
    def current(self) -> Document:
        return self.order.documents[self.printed_docs]

    def start_next(self, journal: Journal, printer: PrinterPort, jobs: Jobs,
                   progress: Callable[[int], None]) -> None:
        """Journal the next document as printing, then print it (a job)."""
        doc = self.current
        journal.printing(self.order.order_id, doc.document_id)
        name = f"{self.order.order_id}-{doc.document_id}"
        jobs.submit(DocumentPrinted,
                    lambda: DocumentPrinted(printer.print_document(name, doc.pdf, progress)),
                    Reason.PRINTER_FAULT)

    def printed(self, journal: Journal, pages: int) -> None:
        journal.printed(self.current.document_id, pages)
        self.printed_docs += 1
        self.pages_done += pages
        self.pages_in_doc = 0

    def failed(self, journal: Journal, pages_out: int) -> None:
        journal.print_failed(self.current.document_id, pages_out)
