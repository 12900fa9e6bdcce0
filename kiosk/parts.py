"""The kiosk's parts by name: drivers registered under the ``kiosk.drivers`` entry points.

A part is named ``KIND.NAME`` (``card.pcsc``, ``printer.cups``, ``payment.none`` …); its entry
point is a factory ``(DriverContext) -> part``. The built-in field parts are in
``kiosk.field.parts``, the lab's (emulated reader, simulated cash unit and tray, spool printer)
in ``kiosk.lab.parts``; a third party registers its own the same way. Only the parts a
configuration names are imported.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Protocol, TypeGuard, TypeVar, runtime_checkable

from drivers.card.jpki import Transmitter
from kiosk.config import Config, ConfigError
from kiosk.vocabulary.events import Event
from kiosk.vocabulary.ports import EmoneyPort, PaymentPort, PrinterPort

GROUP = "kiosk.drivers"
KINDS = ("card", "printer", "payment", "emoney", "tray")


@runtime_checkable
class TrayOutput(Protocol):
    """Where printed paper and given change land (a tray sensor reports what is there)."""

    def add_paper(self, sheets: int) -> None: ...

    def add_change(self, yen: int) -> None: ...


@runtime_checkable
class CardReader(Protocol):
    """A card reader: a connection to the card on it, and a monitor that posts events."""

    def connect(self) -> Transmitter: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class DriverContext:
    """What a part's factory may use."""

    config: Config
    post: Callable[[Event], None]  # drivers report by posting events, never by calling
    tray: TrayOutput | None = None  # where the printer's and the cash unit's output lands


P = TypeVar("P")


@functools.cache
def registered() -> dict[str, EntryPoint]:
    """The installed parts by ``KIND.NAME`` (read once: the installation does not change)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


@functools.cache
def _factory(key: str) -> Callable[[DriverContext], object] | None:
    """The factory of part ``KIND.NAME``, loaded once; None if no such part is installed."""
    found = registered().get(key)
    return None if found is None else found.load()


def open_part(kind: str, name: str, ctx: DriverContext, expected: type[P]) -> P:
    """The part ``kind.name`` made by its registered factory; ConfigError if none is."""
    factory = _factory(f"{kind}.{name}")
    if factory is None:
        known = sorted(n for n in registered() if n.startswith(kind + "."))
        raise ConfigError(f"{kind}: no driver {name!r} is installed (known: {', '.join(known)})")
    part = factory(ctx)
    if not _conforms(part, expected):  # a third party's factory gave something else
        raise ConfigError(f"{kind}: driver {name!r} is not a {expected.__name__}")
    return part


def _conforms(part: object, expected: type[P]) -> TypeGuard[P]:
    """``isinstance(part, expected)``, first by its class (the check of a protocol of methods
    only, remembered per class) rather than by listing the protocol's members at every part."""
    try:
        if issubclass(part.__class__, expected):
            return True
    except TypeError:  # a protocol with data members: only the instance can tell
        pass
    return isinstance(part, expected)


def card_reader(ctx: DriverContext) -> CardReader:
    return open_part("card", ctx.config.card.reader, ctx,
                     CardReader)  # type: ignore[type-abstract]


def printer(ctx: DriverContext) -> PrinterPort:
    return open_part("printer", ctx.config.printer.uri.partition(":")[0], ctx,
                     PrinterPort)  # type: ignore[type-abstract]


def payment(ctx: DriverContext) -> PaymentPort:
    return open_part("payment", ctx.config.payment.unit, ctx,
                     PaymentPort)  # type: ignore[type-abstract]


def emoney(ctx: DriverContext) -> EmoneyPort | None:
    if "emoney" not in ctx.config.payment.methods:
        return None
    return open_part("emoney", ctx.config.payment.emoney_terminal, ctx,
                     EmoneyPort)  # type: ignore[type-abstract]


def tray(ctx: DriverContext) -> TrayOutput:
    return open_part("tray", ctx.config.tray.sensor, ctx,
                     TrayOutput)  # type: ignore[type-abstract]
