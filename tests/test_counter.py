"""The counter mode (らくらく窓口) on the terminal and the staff console's core: a ticket instead
of payment, the fee taken at the counter, only documents bound to the ticket's order printed,
hand over and void (a fee taken refunded), the closing-time rule, the report's counter line."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from counter_kit import NAMES, console_of, counter_kiosk, take_ticket

from kiosk.clock import JST
from kiosk.counter.console import ConsoleError
from kiosk.journal.tickets import TicketBook, counter_report_lines


def test_the_terminal_takes_no_money_and_journals_a_ticket(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path)
    try:
        assert take_ticket(k, "r001", copies=2) == "0001"
        assert take_ticket(k, "r002") == "0002"
        totals = k.journal.totals()
        assert (totals.tickets, totals.paid, totals.printed_documents) == (2, 0, 0)
        queue = console_of(k).queue()
        assert [(t.label, t.state, t.fee, t.copies) for t in queue] == [
            ("0001", "waiting", 400, 2), ("0002", "waiting", 300, 1)]
        tickets = sorted((tmp_path / "printed").glob("ticket-*.pdf"))
        assert len(tickets) == 2  # the 受付票, on the terminal's printer: not documents
        assert k.journal.check() == []
    finally:
        k.close()


def test_the_clerk_serves_a_ticket_fee_print_hand_over(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path)
    try:
        take_ticket(k, "r001", copies=2)
        console = console_of(k)
        order_id = console.queue()[0].order_id
        opened = console.open(order_id)
        assert NAMES["r001"] in opened.holder  # the clerk calls the right person
        assert "400円" in console.take_fee(order_id).message
        console.print(order_id)
        console.hand_over(order_id)
        totals = k.journal.totals()
        assert (totals.paid, totals.fees, totals.printed_documents, totals.orders_completed) == (
            400, 400, 2, 1)
        assert console.queue() == []
        actions = [a for a, _, _ in TicketBook(k.journal).staff_log()]
        assert actions == ["open", "fee", "print", "hand-over"]
        assert k.journal.check() == []
        assert counter_report_lines(k.journal) == [
            "counter (らくらく窓口): 1 tickets handed over, fees taken at the counter ¥400, "
            "refunded at the counter ¥0"]
    finally:
        k.close()


def test_a_document_bound_to_another_order_is_never_printed(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path)
    try:
        take_ticket(k, "r002")
        console = console_of(k)
        order_id = console.queue()[0].order_id
        console.take_fee(order_id)
        k.set_center_fault("wrong-document")
        with pytest.raises(ConsoleError, match="結び付いていない"):
            console.print(order_id)
        assert k.journal.totals().printed_documents == 0
        assert not list((tmp_path / "printed").glob(f"{order_id}-*"))
        k.set_center_fault("ok")
        assert "300円をお返しください" in console.void(order_id).message
        totals = k.journal.totals()
        assert (totals.paid, totals.refunded, totals.orders_voided) == (300, 300, 1)
        assert k.journal.check() == []
        assert "refused" in [a for a, _, _ in TicketBook(k.journal).staff_log()]
    finally:
        k.close()


def test_an_action_out_of_turn_or_replayed_is_one_clear_message(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path)
    try:
        take_ticket(k, "r001")
        console = console_of(k)
        order_id = console.queue()[0].order_id
        with pytest.raises(ConsoleError, match="ありません"):
            console.take_fee("O-NO-SUCH-ORDER")
        with pytest.raises(ConsoleError, match="できません"):
            console.print(order_id)  # not paid yet
        console.take_fee(order_id)
        with pytest.raises(ConsoleError, match="支払済み"):
            console.take_fee(order_id)  # the same post again: charged once
        console.print(order_id)
        with pytest.raises(ConsoleError, match="印刷済み"):
            console.void(order_id)  # printed: hand it over
        assert k.journal.totals().paid == 200
        assert k.journal.check() == []
    finally:
        k.close()


def test_closing_time_voids_what_was_not_printed_and_refunds_a_fee(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path, datetime(2026, 11, 20, 17, 0, tzinfo=JST))
    try:
        take_ticket(k, "r001")
        take_ticket(k, "r002")
        console = console_of(k)
        first, second = (t.order_id for t in console.queue())
        console.take_fee(second)
        assert console.close_day("17:15") == []  # not yet
        done = console.close_day("17:15", datetime(2026, 11, 20, 17, 15, tzinfo=JST))
        assert len(done) == 2
        totals = k.journal.totals()
        assert (totals.orders_voided, totals.paid, totals.refunded) == (2, 300, 300)
        assert console.queue() == []
        assert k.journal.check() == []
        assert first != second
    finally:
        k.close()


def test_the_terminal_restarting_leaves_waiting_tickets_to_the_counter(tmp_path: Path) -> None:
    k = counter_kiosk(tmp_path)
    take_ticket(k, "r001")
    k.close()
    again = counter_kiosk(tmp_path)
    try:
        assert [t.state for t in console_of(again).queue()] == ["waiting"]
        assert again.journal.totals().orders_voided == 0
    finally:
        again.close()


def test_the_console_lists_the_residents_calls_for_staff_until_answered(tmp_path: Path) -> None:
    from kiosk.journal.staff_calls import record_call

    k = counter_kiosk(tmp_path)
    try:
        console = console_of(k)
        assert console.staff_calls() == []
        record_call(k.journal, "2026-11-20T10:05:00+09:00", "counter-0001", "pin_entry")
        calls = console.staff_calls()
        assert [(c.kiosk, c.screen, c.answered) for c in calls] == [
            ("counter-0001", "pin_entry", False)]
        assert console.book.answer_calls() == 1
        assert console.staff_calls() == []
        assert ("answer-calls", "") in [(a, d) for a, d, _ in console.book.staff_log()]
    finally:
        k.close()
