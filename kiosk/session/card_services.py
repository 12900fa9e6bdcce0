"""Services that take over once the card is read, without a sign-in (``Service.after_card``).

Such a service (the PIN reset) keeps the card on the reader through its own states: a locked
PIN does not end its visit, its PIN screens get the keypad's ``EnterPin``, and lifting the card
from one of its waiting screens ends the visit (``CARD_REMOVED``), or, once it is done, the
visit. A part of ``Session``, used by the sign-in rules.
"""

from __future__ import annotations

from kiosk.services.api import Flow, Service
from kiosk.session.base import SessionBase
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.reasons import Reason


class CardServiceRules(SessionBase):
    """Where the core leaves the card to a service (a part of ``Session``)."""

    services: tuple[Service, ...]
    flows: dict[str, Flow]

    def _reads_card_itself(self) -> bool:
        """The visit's service takes over after the card is read (no PIN, no sign-in)."""
        return any(s.id == self.visit.service and s.after_card for s in self.services)

    def _card_held_by_service(self) -> bool:
        """The state now is one of such a service's."""
        service = self.states[self.state].service
        return bool(service) and any(s.id == service and s.after_card for s in self.services)

    def _service_pin(self, e: ev.EnterPin) -> bool:
        """A PIN typed on such a service's screen goes to its flow; True when it took it."""
        if not self._card_held_by_service():
            return False
        handler = self.flows[self.states[self.state].service].handlers().get(ev.EnterPin)
        if handler is None:
            return False
        handler(e)
        return True

    def _service_card_removed(self) -> bool:
        """The card lifted during such a service: True when that was dealt with here."""
        if not self._card_held_by_service():
            return False
        info = self.states[self.state]
        if info.settled:
            self.trigger("finish")  # done: the card back was all that was left
        elif not info.busy:  # (a running job fails by itself if it still needed the card)
            self.cancel(Reason.CARD_REMOVED)
        return True
