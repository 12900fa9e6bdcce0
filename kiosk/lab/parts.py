"""The lab's parts (``kiosk.drivers`` entry points): the emulated card reader, the spool printer,
the simulated cash unit, e-money terminal and tray. Never a field kiosk's (``kiosk doctor``)."""

from __future__ import annotations

from pathlib import Path

from kiosk.parts import CardReader, DriverContext, TrayOutput
from kiosk.vocabulary.ports import EmoneyPort, PaymentPort, PrinterPort

LAB_PARTS = ("card.emulated", "printer.spool", "payment.simulated", "emoney.simulated",
             "tray.simulated")


def emulated_reader(ctx: DriverContext) -> CardReader:
    """The demo's in-process reader, where emulated cards are put."""
    from drivers.card.inprocess import InProcessReader

    return InProcessReader("Emulated reader", ctx.post)


def spool_printer(ctx: DriverContext) -> PrinterPort:
    """PDFs into a folder, as fast as paper would come out (the demo's printer)."""
    from drivers.printer.spool import SpoolPrinter

    return SpoolPrinter(Path(ctx.config.printer.uri.partition(":")[2]),
                        on_output=ctx.tray.add_paper if ctx.tray else None,
                        pages_per_minute=ctx.config.printer.pages_per_minute)


def simulated_cash(ctx: DriverContext) -> PaymentPort:
    """Coins and notes the demo's keys (and the harness) put in."""
    from drivers.payment.cash_unit import SimulatedCashUnit

    payment = ctx.config.payment
    tray = ctx.tray
    return SimulatedCashUnit(payment.accept, {int(k): v for k, v in payment.change.items()},
                             ctx.post, tray.add_change if tray else _nowhere)


def simulated_emoney(ctx: DriverContext) -> EmoneyPort:
    from drivers.payment.emoney import SimulatedEmoney

    return SimulatedEmoney(ctx.config.payment.emoney)


def simulated_tray(ctx: DriverContext) -> TrayOutput:
    """A tray with hands (``take``) that posts what is in it, as a sensor would."""
    from drivers.sensors.tray import SimulatedTray

    return SimulatedTray(ctx.post)


def _nowhere(yen: int) -> None:
    """Change with nowhere to land."""
