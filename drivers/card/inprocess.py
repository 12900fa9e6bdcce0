"""An in-process reader slot for the harness and the demo: place and remove emulated cards."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from drivers.card.emulator.iso import EmulatedCard, Response
from kiosk.vocabulary.events import CardPlaced, CardRemoved, Event, ReaderChanged
from kiosk.vocabulary.reasons import CardError, Reason

if TYPE_CHECKING:
    from drivers.card.jpki import Transmitter

log = logging.getLogger(__name__)


class InProcessReader:
    """One reader slot; ``post`` receives CardPlaced / CardRemoved as a real monitor would."""

    def __init__(self, name: str = "Emulated reader",
                 post: Callable[[Event], None] | None = None) -> None:
        self.name = name
        self._post = post
        self._lock = threading.RLock()  # a card model may take itself off mid-APDU
        self._card: EmulatedCard | None = None
        self._generation = 0  # bumped on every place and remove: old connections go stale
        self._plugged = True  # the lab's hand can unplug the reader (a card may stay on it)

    @property
    def card_present(self) -> bool:
        return self._card is not None

    @property
    def card(self) -> EmulatedCard | None:
        return self._card

    def place(self, card: EmulatedCard) -> None:
        """Put ``card`` on the reader (powering it) and post CardPlaced."""
        with self._lock:
            if self._card is not None:
                raise ValueError(f"a card is already on {self.name}")
            card.power_on()
            self._card = card
            self._generation += 1
            seen = self._plugged  # an unplugged reader notices nothing
        log.info("card placed on %s", self.name)
        if self._post is not None and seen:
            self._post(CardPlaced(self.name))

    def remove(self) -> None:
        """Take the card off (its power goes) and post CardRemoved; nothing if there is none."""
        with self._lock:
            card, self._card = self._card, None
            if card is None:
                return
            self._generation += 1
            card.power_off()
            seen = self._plugged
        log.info("card removed from %s", self.name)
        if self._post is not None and seen:
            self._post(CardRemoved(self.name))

    def unplug(self) -> None:
        """The reader's cable comes out: a card on it is lost to the kiosk (CardRemoved, as
        pcscd reports it), then ReaderChanged(available=False)."""
        with self._lock:
            if not self._plugged:
                return
            self._plugged = False
            had_card = self._card is not None
            if had_card:
                self._generation += 1  # open connections to it go stale
        log.warning("%s unplugged", self.name)
        if self._post is not None:
            if had_card:
                self._post(CardRemoved(self.name))
            self._post(ReaderChanged(False, f"{self.name} was unplugged"))

    def plug(self) -> None:
        """The reader is back: ReaderChanged(available=True), then CardPlaced for a card that
        lies on it."""
        with self._lock:
            if self._plugged:
                return
            self._plugged = True
            card = self._card
            if card is not None:
                card.power_on()
                self._generation += 1
        log.info("%s plugged in", self.name)
        if self._post is not None:
            self._post(ReaderChanged(True, ""))
            if card is not None:
                self._post(CardPlaced(self.name))

    def start(self) -> None:
        """Nothing to watch: placing and removing cards posts the events."""

    def stop(self) -> None:
        """Nothing runs in the background."""

    def connect(self) -> InProcessConnection:
        """A connection to the card present now; CardError(card-removed) if there is none."""
        with self._lock:
            if self._card is None or not self._plugged:
                raise CardError(f"no card on {self.name}", reason=Reason.CARD_REMOVED)
            return InProcessConnection(self, self._generation)

    # --- used by the connection ------------------------------------------------------------------
    def _transmit(self, generation: int, apdu: Sequence[int]) -> Response:
        with self._lock:
            card = self._current(generation)
            return card.transmit(apdu)

    def _reset(self, generation: int) -> None:
        with self._lock:
            self._current(generation).reset()

    def _current(self, generation: int) -> EmulatedCard:
        if self._card is None or generation != self._generation or not self._plugged:
            raise CardError(f"the card left {self.name}", reason=Reason.CARD_REMOVED)
        return self._card


class InProcessConnection:
    """pyscard-like: ``transmit`` goes to the card that was present at ``connect``, or fails."""

    def __init__(self, reader: InProcessReader, generation: int) -> None:
        self._reader = reader
        self._generation = generation
        self._open = True

    def transmit(self, apdu: Sequence[int]) -> Response:
        if not self._open:
            raise CardError("the connection is closed", reason=Reason.CARD_REMOVED)
        return self._reader._transmit(self._generation, apdu)

    def reset(self) -> None:
        """Warm-reset the card (verified state cleared); CardError if it has gone."""
        if not self._open:
            raise CardError("the connection is closed", reason=Reason.CARD_REMOVED)
        self._reader._reset(self._generation)

    def disconnect(self) -> None:
        self._open = False


if TYPE_CHECKING:  # mypy holds InProcessConnection to Transmitter: a drift fails here

    def _conforms_in_process_connection(connection: InProcessConnection) -> Transmitter:
        return connection
