"""The service API: what a service declares, and what it may ask of the session core.

A service is a ``Service`` object registered under the ``kiosk.services`` entry-point group. It
declares its states (each once, with its screen and prompt), its transitions, the journey shown
as "step n of m", the ports it needs, and a ``flow`` factory: the object that holds the
resident's choices for one visit and handles the service's own events and job results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from kiosk.center.protocol import Hours, Order
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.session.visit import OrderLine, Ports, Visit
from kiosk.vocabulary.events import Event, JobResult, WorkFailed
from kiosk.vocabulary.reasons import DocumentRejected, Reason
from kiosk.vocabulary.states import StateInfo
from kiosk.vocabulary.view import View

J = TypeVar("J", bound=JobResult)


class Port(StrEnum):
    """The ports a service may need; the kiosk offers it only where they are there."""

    CARD = "card"
    CENTER = "center"
    PAYMENT = "payment"
    PRINTER = "printer"


@dataclass(frozen=True)
class Transition:
    """One row of the transition table: ``trigger`` takes ``source`` to ``dest``."""

    trigger: str
    source: str | tuple[str, ...]
    dest: str
    condition: str | None = None  # a Session method that must hold


class Core(Protocol):
    """What a service's flow may ask of the session core."""

    config: Config
    ports: Ports
    clock: Clock
    kiosk_id: str

    @property
    def state(self) -> str: ...

    @property
    def visit(self) -> Visit: ...

    def trigger(self, name: str) -> bool:
        """Fire a transition of the table; False when it does not apply here."""

    def submit(self, job: type[J], fn: Callable[[], J], fallback: Reason) -> None:
        """Run blocking work; its result comes back to the flow's ``results``."""

    def fail(self, reason: Reason) -> None:
        """End the visit on the error screen with ``reason``."""

    def cancel(self, reason: Reason) -> None:
        """End the visit: void the order, give every yen back."""

    def order_ready(self, order: Order, line: OrderLine) -> None:
        """Journal the order, then payment and printing (or cancel if asked meanwhile)."""

    def order_rejected(self, error: DocumentRejected, line: OrderLine) -> None:
        """An order whose documents failed their check: journaled, then voided at the center."""

    def printer_fault(self, problem: str) -> None:
        """The printer cannot print: the kiosk goes out of service when the visit allows."""

    def town_hours(self, municipality: str) -> Hours | None:
        """A town's hours of issuing from the center's catalog (None when not known)."""


Handler = Callable[[Any], None]


class Flow(Protocol):
    """A service at one kiosk: the resident's choices for the visit, and the service's rules."""

    def handlers(self) -> Mapping[type[Event], Handler]:
        """The service's own events (a tap on its screens), by type."""

    def results(self) -> Mapping[type[JobResult], Handler]:
        """Its jobs' results, by type."""

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        """What to do when one of its jobs fails, by the job's result type."""

    def reset(self) -> None:
        """A new visit: forget every choice."""

    def entered(self, state: str) -> None:
        """The session entered one of the service's states."""

    def view(self, view: View, now: datetime) -> View:
        """The view with what the service's screens show."""


@dataclass(frozen=True)
class Service:
    """What a service declares; see the module docstring."""

    id: str  # what {"start": ID} names, e.g. "certificates"
    title: str  # its button on the idle screen (a msgid: mark it with N_)
    states: tuple[StateInfo, ...]
    transitions: tuple[Transition, ...]
    journey: tuple[str, ...]  # the steps of "step n of m", sign-in included
    entry: str  # the service's first state, after sign-in and the card taken off the reader
    flow: Callable[[Core], Flow]
    ports: frozenset[Port] = field(default_factory=lambda: frozenset(Port))
    order: int = 100  # its place on the idle screen (lower first)
    # A service that does not sign in: its first state once the card is read (no PIN asked,
    # a locked card taken); the card stays on the reader until the service asks it back.
    after_card: str | None = None
