"""The staff console's core (らくらく窓口): the queue of tickets and what a clerk does with one.

Plain Python, used by the web console (kiosk/counter/web.py) and by the replay harness's
``{"staff": …}`` lines alike. Every action is written to the journal's staff log before it is
carried out; every yen is journaled before the clerk takes or gives it; a document is printed
only after its binding to this ticket's order is checked (``CenterClient.order_documents``).
The resident's name is shown to the clerk on opening a ticket and never written anywhere.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kiosk.center.protocol import OrderDocuments
from kiosk.clock import Clock
from kiosk.journal.opening import JournalError
from kiosk.journal.store import SqliteJournal
from kiosk.journal.tickets import StaffCall, Ticket, TicketBook
from kiosk.vocabulary.ports import PrinterPort
from kiosk.vocabulary.reasons import CenterError, DocumentRejected, PrinterError

log = logging.getLogger(__name__)


class CounterCenter(Protocol):
    """What the console asks of the center."""

    def order_documents(self, order_id: str) -> OrderDocuments: ...

    def complete(self, order_id: str, printed: int) -> None: ...

    def cancel(self, order_id: str) -> None: ...


class ConsoleError(Exception):
    """What the clerk is told when an action cannot be done (one line, in Japanese);
    ``center`` is what the center did, when it is why (a recording's world line)."""

    def __init__(self, text: str, center: str | None = None) -> None:
        super().__init__(text)
        self.center = center


@dataclass(frozen=True)
class Opened:
    """A ticket opened at the counter: the name is for the clerk's eyes only."""

    ticket: Ticket
    holder: str


@dataclass(frozen=True)
class Done:
    """An action carried out: what to tell the clerk (e.g. the cash to take or give back)."""

    message: str


class Console:
    """The counter's console over the counter kiosk's journal, its center and its printer."""

    def __init__(self, journal: SqliteJournal, center: CounterCenter, printer: PrinterPort,
                 clock: Clock) -> None:
        self.journal = journal
        self.book = TicketBook(journal)
        self.center = center
        self.printer = printer
        self.clock = clock

    # ------------------------------------------------------------------ reading
    def queue(self) -> list[Ticket]:
        return self.book.queue()

    def staff_calls(self) -> list[StaffCall]:
        return self.book.staff_calls()

    def ticket(self, order_id: str) -> Ticket:
        ticket = self.book.ticket(order_id)
        if ticket is None:
            raise ConsoleError("その受付票はありません。")
        return ticket

    def _in_state(self, order_id: str, *states: str) -> Ticket:
        ticket = self.ticket(order_id)
        if ticket.state not in states:
            raise ConsoleError(f"受付票 {ticket.label} は{_STATE_JA[ticket.state]}です。"
                               "この操作はできません。")
        return ticket

    # ------------------------------------------------------------------ actions
    def open(self, order_id: str) -> Opened:
        """The ticket and its holder's name (from the center), to call the right person."""
        ticket = self._in_state(order_id, "waiting", "paid", "printed")
        self.book.staff("open", f"ticket {ticket.label} order {order_id}")
        return Opened(ticket, self._documents(ticket).holder)

    def take_fee(self, order_id: str) -> Done:
        """The fee in cash at the counter: journaled as paid before the clerk takes it."""
        ticket = self._in_state(order_id, "waiting")
        self.book.staff("fee", f"ticket {ticket.label} order {order_id} ¥{ticket.fee}")
        self.journal.money_in(order_id, ticket.fee)
        self.journal.order_paid(order_id, ticket.fee)
        self.book.set_state(order_id, "paid")
        return Done(f"受付票 {ticket.label}: 手数料 {ticket.fee:,}円を受け取ってください。")

    def print(self, order_id: str) -> Done:
        """Print the order's documents on the counter's printer, each checked bound to it."""
        ticket = self._in_state(order_id, "paid")
        self.book.staff("print", f"ticket {ticket.label} order {order_id}")
        problem = self.printer.ready()
        if problem is not None:
            raise ConsoleError(f"プリンターが使えません: {problem}")
        docs = self._documents(ticket).documents
        if len(docs) != ticket.copies:
            self.book.staff("refused", f"ticket {ticket.label}: wrong number of documents")
            raise ConsoleError("センターから届いた証明書の数が違います。印刷しません。")
        done = {d for d, state, _ in self.journal.documents_of(order_id) if state == "printed"}
        for doc in docs:
            if doc.document_id in done:  # printed already (a replayed action): not again
                continue
            self.journal.printing(order_id, doc.document_id)
            try:
                result = self.printer.print_document(f"{order_id}-{doc.document_id}", doc.pdf)
            except PrinterError as exc:
                self.journal.print_failed(doc.document_id, exc.pages_out)
                raise ConsoleError(f"印刷できませんでした: {exc}") from None
            self.journal.printed(doc.document_id, result.pages)
        self.book.set_state(order_id, "printed")
        return Done(f"受付票 {ticket.label}: {ticket.copies}通を印刷しました。")

    def hand_over(self, order_id: str) -> Done:
        """Handed to the resident: completed in the journal, then at the center."""
        ticket = self._in_state(order_id, "printed")
        self.book.staff("hand-over", f"ticket {ticket.label} order {order_id}")
        printed = sum(1 for _, state, _ in self.journal.documents_of(order_id)
                      if state == "printed")
        self.journal.order_completed(order_id, printed)
        self.book.set_state(order_id, "handed")
        told = self._tell(lambda: self.center.complete(order_id, printed))
        return Done(f"受付票 {ticket.label}: お渡ししました。{told}")

    def void(self, order_id: str, why: str = "voided at the counter") -> Done:
        """Cancelled: a fee taken is journaled as refunded (the clerk gives it back), the order
        voided in the journal, then at the center. Not once printed: hand it over."""
        ticket = self._in_state(order_id, "waiting", "paid")
        self.book.staff("void", f"ticket {ticket.label} order {order_id}: {why}")
        refund = self.journal.held(order_id) + (ticket.fee if ticket.state == "paid" else 0)
        row = self.journal.payout_due(order_id, "refund", refund) if refund > 0 else None
        self.journal.order_voided(order_id, why)
        if row is not None:  # the clerk gives the cash back from the counter's till
            self.journal.payout_done(row, refund)
        self.book.set_state(order_id, "voided")
        told = self._tell(lambda: self.center.cancel(order_id))
        back = f"{refund:,}円をお返しください。" if refund else ""
        return Done(f"受付票 {ticket.label}: 取り消しました。{back}{told}")

    def serve_next(self) -> Done:
        """The oldest waiting ticket: fee, print, hand over."""
        waiting = [t for t in self.queue() if t.state == "waiting"]
        if not waiting:
            raise ConsoleError("お待ちの受付票はありません。")
        order_id = waiting[0].order_id
        self.take_fee(order_id)
        self.print(order_id)
        return self.hand_over(order_id)

    def void_next(self) -> Done:
        waiting = [t for t in self.queue() if t.state in ("waiting", "paid")]
        if not waiting:
            raise ConsoleError("取り消せる受付票はありません。")
        return self.void(waiting[0].order_id)

    def close_day(self, closes: str, now: datetime | None = None) -> list[Done]:
        """The closing-time rule: at or after ``closes`` (HH:MM) of a ticket's day, or any later
        day, a ticket not printed is voided (a fee taken refunded); a printed one stays for
        the clerk to hand over."""
        now = now or self.clock.now()
        done = []
        for t in self.queue():
            if t.state in ("waiting", "paid") and (
                    now.date().isoformat() > t.day or now.strftime("%H:%M") >= closes):
                done.append(self.void(t.order_id, "not served by closing time"))
        return done

    # ------------------------------------------------------------------ the center
    def _documents(self, ticket: Ticket) -> OrderDocuments:
        try:
            return self.center.order_documents(ticket.order_id)
        except DocumentRejected as exc:
            self.book.staff("refused", f"ticket {ticket.label}: {exc}")
            raise ConsoleError("この受付の注文に結び付いていない証明書が届きました。印刷しません。"
                               "受付票を取り消してください。", "wrong-document") from None
        except CenterError as exc:
            raise ConsoleError(f"センターに接続できません（{exc.reason}）。", "down") from None

    def _tell(self, call: Callable[[], None]) -> str:
        """Tell the center; the journal has it either way."""
        try:
            call()
        except CenterError as exc:
            log.warning("the center did not take it (%s); the journal has it", exc.reason)
            return "（センターへの連絡は後で行われます）"
        return ""


_STATE_JA = {"waiting": "お待ち", "paid": "支払済み", "printed": "印刷済み",
             "handed": "お渡し済み", "voided": "取り消し済み"}


def describe(ticket: Ticket) -> str:
    """The ticket's state in Japanese."""
    return _STATE_JA.get(ticket.state, ticket.state)


__all__ = ["Console", "ConsoleError", "Done", "JournalError", "Opened", "describe"]
