"""The session's transition table: the core's rows, each service's, and the state machine built
from them once per set of services and shared by every session of them (each is a model of it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from transitions import EventData, Machine

from kiosk.services.api import Service, Transition
from kiosk.services.registry import state_table

# The core's transitions; each service adds its own (kiosk.services). Tried in order: the
# first whose condition holds is taken.
TRANSITIONS: tuple[Transition, ...] = (
    Transition("start", "idle", "terms"),
    Transition("agree", "terms", "await_card"),
    Transition("card_placed", "await_card", "reading_card"),
    Transition("card_read", "reading_card", "phone_confirm", condition="card_on_phone"),
    Transition("card_read", "reading_card", "pin_entry"),
    Transition("authenticated", "phone_confirm", "remove_card"),
    Transition("pin_entered", "pin_entry", "authenticating"),
    Transition("pin_rejected", "authenticating", "pin_entry"),
    Transition("authenticated", "authenticating", "remove_card"),
    # (each service's first state on card_gone from remove_card, once signed in, comes here)
    Transition("card_gone", ("remove_card", "error"), "idle"),
    Transition("paid_in_full", "payment", "printing"),
    Transition("all_printed", "printing", "collect"),
    Transition("collected", "collect", "thanks"),
    Transition("back", "terms", "idle"),
    Transition("back", "await_card", "terms"),
    # the end of a visit, whichever way it ends
    Transition("refund", "*", "refunding"),
    Transition("ask_card_back", "*", "remove_card"),
    Transition("fail", "*", "error"),
    Transition("finish", "*", "idle"),
    # the kiosk itself
    Transition("take_out_of_service", "*", "out_of_service"),
    Transition("close", ("idle", "out_of_service"), "closed"),
    Transition("enter_maintenance", ("idle", "out_of_service", "closed"), "maintenance"),
    Transition("reopen", ("closed", "out_of_service", "maintenance"), "idle"),
)


def _row(t: Transition) -> dict[str, Any]:
    row: dict[str, Any] = {"trigger": t.trigger, "source": list(t.source)
                           if isinstance(t.source, tuple) else t.source, "dest": t.dest}
    if t.condition:
        row["conditions"] = t.condition
    return row


def _signed_in_for(service: str) -> Callable[[EventData], bool]:
    """A condition: the resident is signed in, on a visit of ``service``."""
    def condition(event: EventData) -> bool:
        session: Any = event.model
        return bool(session.is_signed_in() and session.visit.service == service)

    return condition


def _visit_of(service: str) -> Callable[[EventData], bool]:
    """A condition: the visit is one of ``service``."""
    def condition(event: EventData) -> bool:
        session: Any = event.model
        return bool(session.visit.service == service)

    return condition


class SharedMachine(Machine):
    """The machine every session of a set of services is a model of. A session fires events by
    name (``trigger("start")``) and reads ``state``: a new session is given ``trigger`` and
    ``may_trigger``, not a method per event and state (``start()``, ``may_start()``,
    ``is_idle()``), which no one calls and which made each kiosk start bind ninety."""

    def _add_trigger_to_model(self, trigger: str, model: object) -> None:
        """No ``<event>()`` or ``may_<event>()`` on the model: ``trigger(event)`` does it."""

    def _checked_assignment(self, model: object, name: str, func: Any) -> None:
        if name in ("trigger", "may_trigger"):  # (no ``is_<state>()`` either)
            super()._checked_assignment(model, name, func)


# One state machine per set of services, shared by every session of them (each session is a
# model of it): the transition table is built once, not at every kiosk start.
_MACHINES: dict[tuple[int, ...], tuple[tuple[Service, ...], Machine]] = {}


def machine_for(services: tuple[Service, ...]) -> Machine:
    key = tuple(id(s) for s in services)
    known = _MACHINES.get(key)
    if known is not None:
        return known[1]
    rows = [_row(t) for t in TRANSITIONS]
    entries = [{"trigger": "card_gone", "source": "remove_card", "dest": s.entry,
                "conditions": _signed_in_for(s.id)} for s in services]
    at = next(i for i, r in enumerate(rows) if r["trigger"] == "card_gone")
    rows[at:at] = entries  # before card_gone → idle: a signed-in resident goes on
    reads = [{"trigger": "card_read", "source": "reading_card", "dest": s.after_card,
              "conditions": _visit_of(s.id)} for s in services if s.after_card]
    at = next(i for i, r in enumerate(rows) if r["trigger"] == "card_read")
    rows[at:at] = reads  # before card_read → pin_entry: such a service signs no one in
    rows += [_row(t) for s in services for t in s.transitions]
    machine = SharedMachine(model=None, states=list(state_table(services)), transitions=rows,
                      initial="idle", auto_transitions=False, ignore_invalid_triggers=True,
                      send_event=True, after_state_change="_entered")
    _MACHINES[key] = (services, machine)  # the services kept: their ids stay theirs
    return machine
