"""The "call staff" button (and the keypad's Help key), on every screen.

At an office or counter kiosk the call is journaled (``staff_calls``, for the staff console),
counted (``kiosk_help_calls_total``) and sent to the ``[help] webhook`` by the worker; the
screen says staff are coming while the visit goes on. A store kiosk has no staff to call: it
shows the help desk's number. A second press while a call stands is the same call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from kiosk.journal.opening import JournalError
from kiosk.session.base import SessionBase
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffTold(JobResult):
    """The webhook took the call."""


class HelpRules(SessionBase):
    """Calling staff (a part of ``Session``)."""

    help_until: datetime | None = None  # the call (or the number shown) stands until then
    _results: dict[type[JobResult], Callable[[Any], None]]
    _failures: dict[type[JobResult], Callable[[WorkFailed], None]]

    def wire_help(self) -> None:
        """The webhook's job results, for the session's dispatch tables."""
        self._results[StaffTold] = lambda r: log.info("staff were told")
        self._failures[StaffTold] = self._staff_not_told

    def _on_help(self, e: ev.HelpCall) -> None:
        if not self.help_offered():
            log.info("help asked, but this store kiosk has no help desk number ([help] phone)")
            return
        if self.state == "maintenance":
            return  # staff are there already
        now = self.clock.now()
        if self.help_until is not None and now < self.help_until:
            log.debug("call staff pressed again: the call stands")
            return
        self.help_until = now + timedelta(seconds=self.config.help.repeat_seconds)
        self._arm_timers()  # the resident is there: the screen does not time out meanwhile
        if self.config.kiosk.mode == "store":
            log.info("help asked at a store kiosk: the help desk's number is shown")
            return
        screen = self.state
        try:
            self.ports.journal.staff_call(self.kiosk_id, screen)
        except JournalError as exc:  # (a full disk) no money rides on it: staff are still told
            log.error("the staff call could not be journaled (%s)", exc)
        log.warning("staff called to the kiosk (screen %s)", screen)
        if self.ports.metrics:
            self.ports.metrics.help_called()
        staff = self.ports.staff
        if staff is None:
            return  # the console and the metric tell staff
        kiosk_id, at = self.kiosk_id, now.isoformat(timespec="seconds")

        def tell() -> StaffTold:
            staff.alert(kiosk_id, screen, at)
            return StaffTold()

        self.jobs.submit(StaffTold, tell, Reason.CENTER_UNAVAILABLE)

    def _staff_not_told(self, e: WorkFailed) -> None:
        """The webhook failed: logged; the call stands in the journal for the console."""
        log.warning("the help webhook failed (%s): the staff console still shows the call",
                    e.error if e.error else e.reason)

    def help_offered(self) -> bool:
        """A store kiosk without a help desk's number has no one to call."""
        return self.config.kiosk.mode != "store" or bool(self.config.help.phone)

    def help_shown(self, now: datetime) -> str:
        """What the screen says of a call: "coming", "phone" (a store's number) or ""."""
        if self.help_until is None or now >= self.help_until:
            return ""
        return "coming" if self.config.kiosk.mode != "store" else "phone"

    def help_deadline(self) -> datetime | None:
        """When the notice goes (the screen is drawn again then); None once it has."""
        until = self.help_until
        return until if until is not None and until > self.clock.now() else None

    def help_reset(self) -> None:
        """The visit is over: a call of its resident is not the next one's."""
        self.help_until = None
