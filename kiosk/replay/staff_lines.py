"""The harness's counter clerk: ``{"staff": "serve-next"}``, ``"void-next"`` and ``"close-day"``
played in-process on the staff console's core, over the kiosk's own journal, center client and
printer (a Player mixin)."""

from __future__ import annotations

from typing import Any, Protocol

from kiosk.app import Kiosk
from kiosk.counter.console import Console, ConsoleError
from kiosk.replay.format import SessionFile, Step
from kiosk.replay.result import Result


class _Player(Protocol):
    kiosk: Kiosk
    result: Result
    file: SessionFile

    def _timed(self, *calls: Any) -> None: ...


class StaffLines:
    """Player's counter clerk."""

    def _staff(self: _Player, step: Step) -> None:
        k = self.kiosk
        console = Console(k.journal, k.client, k.printer, k.clock)
        said: list[str] = []

        def act() -> None:
            try:
                if step.value == "serve-next":
                    said.append(console.serve_next().message)
                elif step.value == "void-next":
                    said.append(console.void_next().message)
                else:
                    closes = k.config.counter.closes
                    said.extend(d.message for d in console.close_day(closes))
            except ConsoleError as exc:  # the console said no: the session checks the totals
                said.append(str(exc))
                center.append(exc.center)

        center: list[str | None] = []
        self._timed(act)
        self.result.staff.extend(said)
        world = center[0] if center else None
        # A recording keeps the clerk's hand as a session line, with the center's behaviour
        # that made the console refuse (its calls are no kiosk job a recorder learns it from).
        lines = [{"center": world}, {"staff": step.value}, {"center": "ok"}] if world else [
            {"staff": step.value}]
        for observer in k.observers:
            for line in lines:
                observer.hand(line)
