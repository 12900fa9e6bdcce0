"""The harness's checks: ``expect`` lines, ``wait`` lines (virtual time moved deadline by
deadline until they hold) and the ``expect_end`` summary against the journal's totals (a Player
mixin)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from kiosk.app import Kiosk
from kiosk.clock import VirtualClock
from kiosk.journal.store import Totals
from kiosk.replay.format import SessionFile, Step
from kiosk.replay.result import Failure, Result


class _Player(Protocol):
    kiosk: Kiosk
    clock: VirtualClock
    result: Result
    file: SessionFile

    def _timed(self, *calls: Any) -> None: ...
    def _voice(self, key: str) -> str | None: ...
    def _holds(self, want: dict[str, Any]) -> list[tuple[str, Any, Any]]: ...


class CheckLines:
    """Player's checks of what must hold."""

    def _holds(self: _Player, want: dict[str, Any]) -> list[tuple[str, Any, Any]]:
        """The (key, expected, found) that do not hold."""
        s = self.kiosk.session
        view: Any = None  # built once, for the keys that need it
        wrong = []
        for key, expected in want.items():
            found: Any
            if key == "screen":
                found = s.state
            elif key == "alarm":
                found = s.alarm
            elif key in ("focus", "said"):
                found = self._voice(key)
                if key == "said" and isinstance(found, str) and expected in found:
                    continue
            else:
                if view is None:
                    view = s.view()
                found = getattr(view, key)
                if key == "taken":  # a list in the file, in any order
                    found, expected = sorted(found), sorted(expected)
            if found != expected:
                wrong.append((key, expected, found))
        return wrong

    def _check(self: _Player, line: int, want: dict[str, Any]) -> None:
        for key, expected, found in self._holds(want):
            self.result.failures.append(Failure(line, f"{key} {expected!r}", repr(found)))

    def _wait(self: _Player, step: Step) -> None:
        assert step.within is not None
        k = self.kiosk
        limit = self.clock.now() + timedelta(seconds=step.within)
        while self._holds(step.value):
            deadline = k.session.next_deadline()
            if deadline is None or deadline > limit:
                self._timed(lambda: k.advance_to(limit))
                break
            self._timed(partial(k.advance_to, deadline))
        missing = self._holds(step.value)
        for key, expected, found in missing:
            self.result.failures.append(Failure(
                step.line, f"{key} {expected!r} within {step.within:g} s", repr(found)))

    def _check_end(self: _Player, want: dict[str, Any], totals: Totals) -> None:
        found = {
            "printed_documents": totals.printed_documents, "printed_pages": totals.printed_pages,
            "paid": totals.paid, "change": totals.change, "refunded": totals.refunded,
            "orders_completed": totals.orders_completed, "orders_voided": totals.orders_voided,
            "registrations": totals.registrations, "tickets": totals.tickets,
            "printed_forms": totals.printed_forms, "help_calls": totals.help_calls,
            "screen": self.kiosk.session.state,
        }
        for key, expected in want.items():
            if found[key] != expected:
                self.result.failures.append(Failure(
                    self.file.expect_end_line, f"{key} {expected!r} at the end",
                    repr(found[key])))
