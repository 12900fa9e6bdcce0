"""The field kiosk's parts (``kiosk.drivers`` entry points): real readers, CUPS, the cash unit.

Each factory imports its driver only when a configuration names it.
"""

from __future__ import annotations

from kiosk.config import ConfigError
from kiosk.parts import CardReader, DriverContext, TrayOutput
from kiosk.vocabulary.ports import PaymentPort, PrinterPort


def pcsc_reader(ctx: DriverContext) -> CardReader:
    """Card readers through pcscd (contact and contactless)."""
    from drivers.card.pcsc import PcscReaders

    return PcscReaders(ctx.config.card.reader_pattern, ctx.post)


def cups_printer(ctx: DriverContext) -> PrinterPort:
    """A CUPS queue: ``printer.uri = "cups:QUEUE"``."""
    from drivers.printer.cups import CupsPrinter

    return CupsPrinter(ctx.config.printer.uri.partition(":")[2],
                       on_output=ctx.tray.add_paper if ctx.tray else None,
                       timeout=ctx.config.printer.timeout)


def no_cash(ctx: DriverContext) -> PaymentPort:
    """No cash unit: the fee is waived, or paid by e-money only."""
    from drivers.payment.no_cash import NoCashUnit

    return NoCashUnit()


def serial_cash(ctx: DriverContext) -> PaymentPort:
    """Notes by ID-003, coins and change by ccTalk: ``[payment.cash]`` names the devices."""
    from drivers.payment.serial_cash_open import CashSetupError, open_unit

    payment = ctx.config.payment
    cash = payment.cash
    try:
        return open_unit(cash.bills, cash.coins, cash.hopper_targets(), ctx.post,
                         accept=payment.accept,
                         counts={int(coin): n for coin, n in payment.change.items()},
                         to_tray=ctx.tray.add_change if ctx.tray else None)
    except CashSetupError as exc:  # refused before a yen is taken: the kiosk does not start
        raise ConfigError(str(exc)) from None


def no_tray(ctx: DriverContext) -> TrayOutput:
    """No tray sensor: the resident says what they took."""
    from drivers.sensors.no_tray import NoTraySensor

    return NoTraySensor()
