"""Operator mode: the service key, the operator PIN, and the menu's actions, each journaled."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from enum import Enum, auto

from kiosk.config import Config
from kiosk.field.operator_pin import check_pin, test_page
from kiosk.session.jobs import FaultCleared, TestPrinted
from kiosk.session.worker import Jobs
from kiosk.vocabulary.events import Operation
from kiosk.vocabulary.ports import FaultyCash, Journal, PaymentPort, PrinterPort
from kiosk.vocabulary.reasons import KioskError, Reason
from kiosk.vocabulary.view import OperatorView

log = logging.getLogger(__name__)

MAX_PIN_TRIES = 3


class Effect(Enum):
    """What an operator's step asks of the kiosk besides what the mode does itself."""

    NONE = auto()
    LEAVE = auto()  # operator mode ends: idle (or closed, out of service) again
    OUT_OF_SERVICE = auto()
    BACK_IN_SERVICE = auto()
    PRACTICE = auto()  # the next visit is a practice one


class OperatorMode:
    """One operator's turn at the kiosk, from the service key to "leave"."""

    def __init__(self, config: Config, journal: Journal, payment: PaymentPort,
                 printer: PrinterPort, jobs: Jobs, kiosk_id: str) -> None:
        self.config = config
        self.journal = journal
        self.payment = payment
        self.printer = printer
        self.jobs = jobs
        self.kiosk_id = kiosk_id
        self.authorized = False
        self.tries = 0
        self.report: tuple[str, ...] = ()
        self.last = ""
        self._printer_problem = ""
        self._actions: dict[Operation, Callable[[datetime], Effect]] = {
            Operation.TEST_PRINT: self._test_print,
            Operation.SETTLEMENT: self._settlement,
            Operation.COLLECT_CASH: self._collect_cash,
            Operation.REFILL: self._refill,
            Operation.CLEAR_FAULT: self._clear_fault,
            Operation.OUT_OF_SERVICE: self._out_of_service,
            Operation.BACK_IN_SERVICE: self._back_in_service,
            Operation.PRACTICE: self._practice,
            Operation.LEAVE: self._leave,
        }

    def pin(self, pin: bytearray) -> Effect:
        """The operator PIN (wiped here); three wrong ones end operator mode."""
        if check_pin(pin, self.config.operator.pin_hash):
            self.authorized = True
            self.last = "signed in"
            self.journal.operator("enter")
            return Effect.NONE
        self.tries += 1
        self.last = "wrong operator PIN"
        log.warning("wrong operator PIN (%d)", self.tries)
        if self.tries >= MAX_PIN_TRIES:
            self.journal.operator("refused", "three wrong operator PINs")
            return Effect.LEAVE
        return Effect.NONE

    def act(self, operation: Operation, now: datetime, printer_problem: str = "") -> Effect:
        """One button of the menu (only once the PIN was right)."""
        if not self.authorized:
            return Effect.NONE
        self._printer_problem = printer_problem
        return self._actions[operation](now)

    def _test_print(self, now: datetime) -> Effect:
        self.journal.operator("test_print")
        pdf = test_page(self.kiosk_id, now)
        printer, name = self.printer, f"test-{now:%Y%m%d%H%M%S}"
        self.jobs.submit(TestPrinted, lambda: TestPrinted(printer.print_document(name, pdf)),
                         Reason.PRINTER_FAULT)
        return Effect.NONE

    def test_printed(self, pages: int) -> None:
        self.last = f"test page printed ({pages} page)"

    def test_print_failed(self, error: KioskError | None) -> None:
        self.last = f"test print failed: {error}"

    def _settlement(self, now: datetime) -> Effect:
        day = now.date().isoformat()
        self.journal.operator("settlement", day)
        report = self.journal.report(day)
        t = report.totals
        lines = [f"{x.municipality} {x.certificate}: {x.count} ¥{x.fees:,}" for x in report.lines]
        lines.append(f"in ¥{t.money_in:,} fees ¥{t.fees_collected:,} change ¥{t.change:,} "
                     f"refunded ¥{t.refunded:,} outstanding ¥{t.outstanding:,}")
        self.report = tuple(lines)
        self.last = f"settlement {day}"
        return Effect.NONE

    def _collect_cash(self, now: datetime) -> Effect:
        self.journal.operator("collect_cash")
        taken = self.payment.collect()
        self.journal.operator("collect_cash done", f"¥{taken}")
        self.last = f"cash box emptied: ¥{taken:,}"
        return Effect.NONE

    def _refill(self, now: datetime) -> Effect:
        counts = {int(k): v for k, v in self.config.payment.change.items()}
        self.journal.operator("refill")
        added = self.payment.refill(counts)
        self.journal.operator("refill done", f"¥{added}")
        self.last = f"change tubes filled: ¥{added:,}"
        return Effect.NONE

    def _clear_fault(self, now: datetime) -> Effect:
        self.journal.operator("clear_fault", self._printer_problem)
        cash = self.payment
        if isinstance(cash, FaultyCash) and cash.fault:  # staff reconciled the cash unit
            self.journal.operator("clear_cash_fault", cash.fault)
            cash.clear_faults()  # it says CashChanged; a device still failing says so again
            self.last = "cash unit faults cleared"
        printer = self.printer

        def clear() -> FaultCleared:
            printer.clear_fault()
            return FaultCleared()

        self.jobs.submit(FaultCleared, clear, Reason.PRINTER_FAULT)
        return Effect.NONE

    def cleared(self) -> None:
        cash = "; cash unit faults cleared" if self.last == "cash unit faults cleared" else ""
        self.last = "printer fault cleared" + cash

    def clear_failed(self, error: KioskError | None) -> None:
        self.last = f"could not clear the fault: {error}"

    def _out_of_service(self, now: datetime) -> Effect:
        self.journal.operator("out_of_service")
        self.last = "out of service"
        return Effect.OUT_OF_SERVICE

    def _back_in_service(self, now: datetime) -> Effect:
        self.journal.operator("back_in_service")
        self.last = "back in service"
        return Effect.BACK_IN_SERVICE

    def _practice(self, now: datetime) -> Effect:
        """One practice visit next (staff teaching a resident): at an office kiosk only."""
        if self.config.kiosk.mode != "office":
            self.journal.operator("practice refused", self.config.kiosk.mode)
            self.last = "練習は役所の端末だけ / Practice only at an office kiosk"
            return Effect.NONE
        self.journal.operator("practice")
        self.last = "次の利用は練習です（見本・無料） / Next visit: practice (sample, no fee)"
        return Effect.PRACTICE

    def _leave(self, now: datetime) -> Effect:
        self.journal.operator("leave")
        return Effect.LEAVE

    def view(self, status: tuple[str, ...]) -> OperatorView:
        """The operator screen; ``status`` only once the PIN was right."""
        return OperatorView(not self.authorized, status if self.authorized else (), self.report,
                            self.last)
