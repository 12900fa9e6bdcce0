"""The view model: a function from the session's state to the ``View`` screens draw."""

from __future__ import annotations

import math
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.session.hours import next_opening
from kiosk.vocabulary.ports import FaultyCash
from kiosk.vocabulary.view import ServiceChoice, View

if TYPE_CHECKING:
    from kiosk.session.machine import Session


def _message(s: Session, now: datetime) -> str | None:
    if s.state == "out_of_service" and s.faults:
        return str(next(iter(s.faults.values())))
    if s.state == "closed" and s.closed_reason:
        return str(s.closed_reason)
    if s.state == "idle":  # how the last visit ended (cancelled), for a few seconds
        return str(s.notice[0]) if s.notice and now < s.notice[1] else None
    return str(s.visit.message) if s.visit.message else None


def _cash_fault(s: Session) -> tuple[str, ...]:
    """The cash unit's fault for staff, as the unit says it (or that one was reported)."""
    payment = s.ports.payment
    said = payment.fault if isinstance(payment, FaultyCash) else None
    if said:
        return (f"cash fault: {said}",)
    return ("cash fault: reported by the cash unit (see its log)",) if "cash" in s.faults else ()


def _status(s: Session) -> tuple[str, ...]:
    """The operator's status lines (no personal data)."""
    service = f"no ({', '.join(sorted(s.faults))})" if s.faults else "yes"
    return (f"printer: {s.preflight.problem or 'ready'}",
            f"cash: {s.ports.payment.levels()}",
            *_cash_fault(s),
            f"card reader: {'unavailable' if 'reader' in s.faults else 'ready'}",
            f"in service: {service}",
            f"staff alerts: {len(s.alerts)}")


def _taken(s: Session) -> tuple[str, ...]:
    """On the collect screen: what the resident has already taken of what is theirs."""
    if s.state != "collect":
        return ()
    taken = [] if s.paper_in_tray else ["paper"]
    if s.till.fee_collected and s.visit.order and s.till.inserted > s.visit.order.fee:
        taken += [] if s.change_in_tray else ["change"]
    return (*taken, *([] if s.card_present else ["card"]))


def _opens_at(s: Session, now: datetime) -> str | None:
    when = next_opening(s.config.hours, now)
    return when.isoformat(timespec="minutes") if when else None


def build_view(s: Session) -> View:
    """What the screen shows now; the chosen service adds what its screens need."""
    v, till, state = s.visit, s.till, s.state
    info = s.states[state]
    service = next((x for x in s.services if x.id == v.service), None)
    journey = service.journey if service and not v.ending else ()
    step = info.step or state
    order, run = v.order, v.printing
    fee = order.fee if order else None
    now = s.clock.now()
    view = View(
        screen=state,
        language=s.language,
        service=v.service,
        services=tuple(ServiceChoice(x.id, x.title) for x in s.services),
        step=journey.index(step) + 1 if step in journey else 0,
        steps=len(journey) if step in journey else 0,
        message=_message(s, now),
        opens_at=_opens_at(s, now) if state == "closed" else None,
        operator=s.operator.view(_status(s)) if state == "maintenance" and s.operator else None,
        tries_left=v.card.tries_left if v.card else None,
        last_try_warning=bool(v.card and v.card.tries_left == 1 and state == "pin_entry"),
        fee=fee,
        paid=till.inserted,
        change=max(0, till.inserted - fee) if (fee is not None and till.fee_collected) else 0,
        refund=till.refunding,
        refund_owed=till.refund_short,
        taken=_taken(s),
        accepted=(s.ports.payment.accepted() if state == "payment"
                  and "cash" in s.config.payment.methods else ()),
        pages_done=run.pages_done + run.pages_in_doc if run else 0,
        pages_total=run.pages_total if run else 0,
        alarm=s.alarm,
        card_kind=v.card.kind if v.card else None,
        can_cancel=info.cancellable,
        can_back=state in s.back_from and (state != "payment" or s.nothing_paid()),
        methods=tuple(s.config.payment.methods),
        places=s.config.layout,
        busy=info.busy,
        seconds_left=math.ceil((s.deadline - now).total_seconds()) if s.deadline else None,
        help=s.help_shown(now), help_phone=s.config.help.phone, help_offered=s.help_offered(),
        practice=s.practising,
    )
    flow = s.flow
    return flow.view(view, now) if flow else view
