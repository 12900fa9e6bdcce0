"""The screen the harness keeps for the lines that go through it: taps, the keypad's keys, and
the checks of its focus and of what guidance said (a Player mixin; the screen is made at the
first such line, so a session without one draws nothing)."""

from __future__ import annotations

from typing import Any, Protocol

from kiosk.app import Kiosk
from kiosk.replay.format import Step
from kiosk.replay.result import Failure, Result
from kiosk.vocabulary import events as ev


class _Player(Protocol):
    kiosk: Kiosk
    result: Result
    _ui: Any

    def _pump_after(self, event: ev.Event) -> None: ...
    def ui(self) -> Any: ...


class ScreenLines:
    """Player's screen: made once, kept in step with the session after every line."""

    def ui(self: _Player) -> Any:
        if self._ui is None:
            import pygame  # only when a screen is needed

            from screens.ui import KioskUI

            config = self.kiosk.config
            self._ui = KioskUI(pygame.Surface(tuple(config.kiosk.screen)), config.ui)
        return self._ui

    def _tap(self: _Player, step: Step) -> None:
        ui = self.ui()
        ui.show(self.kiosk.session.view())
        if ui.layout_for().find(step.value) is None:
            self.result.failures.append(Failure(
                step.line, f"a widget {step.value!r} on screen {self.kiosk.session.state}",
                "no such widget"))
            return
        event = ui.tap(step.value)  # None for what the screen keeps itself (keypad digits)
        if event is not None:
            self._pump_after(event)

    def _key(self: _Player, name: str) -> None:
        """A key of the keypad, through the screen as the live kiosk takes it."""
        if name == "operator":  # the service keyboard's combination
            self._pump_after(ev.OperatorKey())
            return
        ui = self.ui()
        ui.show(self.kiosk.session.view())
        event = ui.key(name)
        if event is not None:
            self._pump_after(event)

    def _voice(self: _Player, key: str) -> str | None:
        """The keypad's focus (None while guidance is off), or all said since the last
        action."""
        guidance = self._ui.guidance if self._ui is not None else None
        if key == "focus":
            return guidance.focus if guidance is not None and guidance.guided else None
        return " / ".join(u.text for u in guidance.said) if guidance is not None else ""
