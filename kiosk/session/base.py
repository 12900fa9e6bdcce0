"""What the session's rule sets share: the attributes ``Session`` sets, declared once.

The session is one object (the model of one ``transitions`` Machine); its rules are grouped by
what they are about (``kiosk_rules``: faults, hours, timers; ``paying``: orders, money,
printing; ``machine``: sign-in, the visit's course, its end). Each group reads and changes
the session through the names declared here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kiosk.center.protocol import Hours
from kiosk.clock import Clock
from kiosk.config import Config
from kiosk.session.alarms import Alarms
from kiosk.session.operator_mode import Effect, OperatorMode
from kiosk.session.preflight import Preflight
from kiosk.session.till import Till
from kiosk.session.visit import Ports, Visit
from kiosk.session.worker import Jobs
from kiosk.vocabulary.events import Event
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.states import StateInfo


class SessionBase:
    """The session's state, shared by its rule sets."""

    state: str  # set by the transitions Machine
    trigger: Callable[[str], bool]  # added by the transitions Machine
    may_trigger: Callable[[str], bool]  # (whether a trigger would be taken now)
    post: Callable[[Event], None]  # for what a running job reports on the way
    config: Config
    ports: Ports
    jobs: Jobs
    clock: Clock
    kiosk_id: str
    states: dict[str, StateInfo]
    visit: Visit
    till: Till
    alarms: Alarms
    preflight: Preflight
    operator: OperatorMode | None
    card_present: bool
    paper_in_tray: bool
    change_in_tray: bool
    no_tray_sensor: bool
    deadline: datetime | None
    alerts: list[str]
    faults: dict[str, Reason]  # what keeps the kiosk out of service
    catalog_hours: dict[str, Hours]  # each town's hours, from the center's catalog
    catalog_card_ap: frozenset[str]  # the towns taking the card-AP method, from it too
    notice: tuple[Reason, datetime] | None  # idle: how the last visit ended, until when
    catalog_day: str | None  # the day (ISO) the catalog was fetched: again on the next

    def printer_fault(self, problem: str) -> None:
        raise NotImplementedError

    def cancel(self, reason: Reason) -> None:
        raise NotImplementedError

    def cancel_now(self, reason: Reason) -> None:
        raise NotImplementedError

    def cash_refused(self) -> bool:
        raise NotImplementedError

    def go_out_of_service(self) -> None:
        raise NotImplementedError

    def fail(self, reason: Reason) -> None:
        raise NotImplementedError

    def _leave(self, force: bool = False) -> None:
        raise NotImplementedError

    def _end_error(self) -> None:
        raise NotImplementedError

    def _arm_timers(self) -> None:
        raise NotImplementedError

    def _alert_staff(self, what: str) -> None:
        raise NotImplementedError

    def phone_deadline(self) -> datetime | None:
        raise NotImplementedError

    def phone_due(self, now: datetime) -> None:
        raise NotImplementedError

    def help_deadline(self) -> datetime | None:
        raise NotImplementedError

    def _speak(self, prompt: str) -> None:
        raise NotImplementedError

    def _operator_effect(self, effect: Effect) -> None:
        raise NotImplementedError

    def arm_practice(self) -> None:
        raise NotImplementedError
