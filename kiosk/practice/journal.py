"""The journal as a practice visit sees it: its order, documents and fee go to one
``practice_visits`` row instead of the orders, documents and money that settlement counts.
Real money (a coin put in by mistake, and its return) is still journaled as ever."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.vocabulary.ports import Journal, Report


class PracticeJournal:
    """A Journal over the real one for one practice visit."""

    def __init__(self, journal: Journal, visit_id: str) -> None:
        self.real = journal
        self.visit_id = visit_id
        self.certificate = ""
        self.copies_out = 0

    def begin(self) -> None:
        self.real.practice(self.visit_id, "started")

    def end(self) -> None:
        self.real.practice(self.visit_id, "ended", self.certificate, self.copies_out)

    # --- the order and its paper: the practice row only --------------------------------------
    def order_created(self, order_id: str, municipality: str, certificate: str, copies: int,
                      fee: int) -> None:
        self.certificate = certificate
        self.real.practice(self.visit_id, "started", certificate)

    def order_paid(self, order_id: str, fee: int) -> None:
        """Nothing is charged in practice."""

    def order_completed(self, order_id: str, printed: int | None = None) -> None:
        self.real.practice(self.visit_id, "printed", self.certificate, self.copies_out)

    def order_voided(self, order_id: str, reason: str) -> None:
        """Nothing was ordered anywhere."""

    def printing(self, order_id: str, document_id: str) -> None:
        """The sample's row is written when it has printed."""

    def printed(self, document_id: str, pages: int) -> None:
        self.copies_out += 1
        self.real.practice(self.visit_id, "printed", self.certificate, self.copies_out)

    def print_failed(self, document_id: str, pages: int) -> None:
        """A sample that did not print is only not counted."""

    # --- real money and the rest: the real journal ------------------------------------------
    def money_in(self, order_id: str | None, yen: int, device: str = "",
                 counter: int | None = None) -> None:
        self.real.money_in(order_id, yen, device, counter)

    def payout_due(self, order_id: str | None, kind: str, yen: int) -> int:
        return self.real.payout_due(order_id, kind, yen)

    def payout_done(self, row: int, yen: int) -> None:
        self.real.payout_done(row, yen)

    def voucher(self, row: int, yen: int) -> None:
        self.real.voucher(row, yen)

    def held(self, order_id: str | None) -> int:
        return self.real.held(order_id)

    def registration_accepted(self, registration_id: str, municipality: str) -> None:
        """A practice visit registers nothing."""

    def form_printed(self, form: str) -> None:
        """A practice visit's form is a sample too: not counted."""

    def room(self) -> int:
        return self.real.room()

    def operator(self, action: str, detail: str = "") -> None:
        self.real.operator(action, detail)

    def staff_call(self, kiosk: str, screen: str) -> None:
        self.real.staff_call(kiosk, screen)

    def practice(self, visit_id: str, state: str, certificate: str = "", printed: int = 0
                 ) -> None:
        self.real.practice(visit_id, state, certificate, printed)

    def report(self, day: str | None = None) -> Report:
        return self.real.report(day)


if TYPE_CHECKING:  # mypy holds PracticeJournal to Journal: a drift fails here

    def _conforms(journal: PracticeJournal) -> Journal:
        return journal
