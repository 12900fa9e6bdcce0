"""Practice mode: staff arm one practice visit from operator mode (an office kiosk only).

The next visit runs on the practice stand-ins (kiosk.practice): whatever card is placed is never
read or sent a PIN, any four digits sign in the sample resident, the sample town's certificates
cost nothing, the center is never called, and the printout is a sample marked 見本. The journal
gets one ``practice_visits`` row and no order, document or yen. Then the kiosk is as before.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.session.help import HelpRules
from kiosk.session.visit import Ports

log = logging.getLogger(__name__)

ARMED_SECONDS = 15 * 60  # a practice armed and not begun within this long lapses


class PracticeRules(HelpRules):
    """Practice visits, and what the end of a visit resets (a part of ``Session``)."""

    practice_until: datetime | None = None  # armed: the next visit begun before then
    real_ports: Ports | None = None  # while a practice visit runs: the kiosk's own ports

    def arm_practice(self) -> None:
        self.practice_until = self.clock.now() + timedelta(seconds=ARMED_SECONDS)
        log.info("practice armed: the next visit is a practice visit")

    @property
    def practice_armed(self) -> bool:
        """Staff armed a practice visit, not long ago (a forgotten one lapses)."""
        until = self.practice_until
        return until is not None and self.clock.now() < until

    @property
    def practising(self) -> bool:
        """A practice visit runs, or the next visit will be one."""
        return self.practice_armed or self.real_ports is not None

    def visit_begins(self) -> None:
        """A resident starts a visit: a practice visit, if staff armed one, starts on the
        stand-ins."""
        armed, self.practice_until = self.practice_armed, None
        if not armed or self.real_ports is not None:
            return
        from kiosk.practice.journal import PracticeJournal
        from kiosk.practice.stand_ins import PracticeCard, PracticeCenter

        now = self.clock.now()
        visit_id = f"{self.kiosk_id}-{now:%Y%m%d%H%M%S}"
        journal = PracticeJournal(self.ports.journal, visit_id)
        journal.begin()
        self.real_ports = self.ports
        self.ports = replace(self.ports, card=PracticeCard(),
                             center=PracticeCenter(visit_id, self.clock.now),
                             journal=journal, metrics=None)
        self.till.journal = journal
        log.info("practice visit %s begins", visit_id)

    def visit_ended(self) -> None:
        """Idle (or out of service) again: a call of the visit is not the next resident's; a
        practice visit is over, the kiosk's own ports again."""
        self.help_reset()
        real = self.real_ports
        if real is None:
            return
        journal = self.ports.journal
        self.ports, self.real_ports = real, None
        self.till.journal = real.journal
        end = getattr(journal, "end", None)
        if end is not None:
            end()
        log.info("practice visit over: back to normal")
