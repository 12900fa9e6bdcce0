"""The world's lines of a session (printer, reader, e-money, disk): the lab's hands on the parts.

The state they set is the world's, not the kiosk's: it outlives a power cut, so it is kept here
and laid on every kiosk the harness builds. The printer plays on the simulated printer of the
embedded default, or on the lab's CUPS printer with ``--printer-lab``; the reader on the
in-process reader (not through pcscd, whose vpcd reader the harness cannot unplug).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from drivers.printer.lab import PrinterLab
from kiosk.app import Kiosk


class LineError(Exception):
    """A world line this kiosk cannot play (its part has no lab hand); str() says why."""


@runtime_checkable
class PrinterWithHands(Protocol):
    """A simulated printer whose faults the lab sets."""

    def set_state(self, state: str) -> None: ...


@runtime_checkable
class ReaderWithCable(Protocol):
    """An emulated reader the lab can unplug."""

    def unplug(self) -> None: ...

    def plug(self) -> None: ...


@runtime_checkable
class TerminalWithOutcome(Protocol):
    """A simulated e-money terminal whose answers the lab sets."""

    outcome: str


@runtime_checkable
class JournalOnDisk(Protocol):
    """A journal whose disk the lab can fill."""

    def refuse_writes(self, full: bool) -> None: ...


@dataclass
class World:
    """What the world's lines have set so far (``None``: as the configuration made it)."""

    printer: str = "ok"
    reader: str = "back"
    emoney: str | None = None
    disk: str = "ok"


class WorldLines:
    """Plays printer, reader, e-money and disk lines on a kiosk, and re-lays them after a cut."""

    def __init__(self, printer_lab: PrinterLab | None) -> None:
        self.lab = printer_lab
        self.world = World()

    def play(self, kiosk: Kiosk, action: str, value: str,
             timed: Callable[..., None]) -> None:
        """One line; ``timed`` runs the kiosk's share of it (charged as machine time)."""
        setter: dict[str, Callable[[Kiosk, str], None]] = {
            "printer": self._printer, "reader": self._reader,
            "emoney": self._emoney, "disk": self._disk}
        setter[action](kiosk, value)
        setattr(self.world, action, value)
        if action == "printer" and value == "ok":  # the operator cleared the fault
            timed(kiosk.printer_cleared, kiosk.pump)
        else:
            timed(kiosk.pump)

    def lay_on(self, kiosk: Kiosk) -> None:
        """A new kiosk (after a power cut) stands in the same world."""
        w = self.world
        if w.printer != "ok" and self.lab is None:
            self._printer(kiosk, w.printer)
        if w.reader == "gone":
            self._reader(kiosk, w.reader)
        if w.emoney is not None:
            self._emoney(kiosk, w.emoney)
        if w.disk == "full":
            self._disk(kiosk, w.disk)

    def _printer(self, kiosk: Kiosk, state: str) -> None:
        if self.lab is not None:
            self.lab.set_state(state)
            return
        printer: Any = kiosk.printer
        if not isinstance(printer, PrinterWithHands):
            raise LineError("printer lines need the simulated printer (spool:) or the lab "
                            "printer (kiosk replay --printer-lab)")
        printer.set_state(state)

    @staticmethod
    def _reader(kiosk: Kiosk, state: str) -> None:
        reader: Any = kiosk.reader
        if not isinstance(reader, ReaderWithCable):
            raise LineError("reader lines need the emulated reader (not --pcsc: the harness "
                            "cannot unplug pcscd's vpcd reader)")
        if state == "gone":
            reader.unplug()
        else:
            reader.plug()

    @staticmethod
    def _emoney(kiosk: Kiosk, outcome: str) -> None:
        terminal: Any = kiosk.session.ports.emoney
        if not isinstance(terminal, TerminalWithOutcome):
            raise LineError("emoney lines need the simulated e-money terminal "
                            "(payment.methods with \"emoney\")")
        terminal.outcome = outcome

    @staticmethod
    def _disk(kiosk: Kiosk, state: str) -> None:
        journal: Any = kiosk.journal
        if not isinstance(journal, JournalOnDisk):
            raise LineError("disk lines need the kiosk's SQLite journal")
        journal.refuse_writes(state == "full")
