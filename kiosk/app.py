"""The composition root: builds the drivers, the center transport and the session from config.

This is the only module that knows concrete classes. ``Kiosk`` is the assembled machine with its
event queue; the live main loop (``kiosk.field.live``) and the replay harness both drive it.
"""

from __future__ import annotations

import logging
import queue
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from drivers.audio.alarm import MixerAlarm
from drivers.audio.voice import VoicePlayer
from drivers.card.jpki_port import JPKICardPort
from kiosk import parts
from kiosk.center.client import CenterClient
from kiosk.center.transport import Transport, TransportError, TransportOptions, open_transport
from kiosk.clock import Clock, VirtualClock
from kiosk.config import Config, ConfigError
from kiosk.field.help_webhook import staff_alert
from kiosk.field.metrics import KioskMetrics
from kiosk.journal.opening import JournalError
from kiosk.journal.recovery import recover
from kiosk.journal.store import SqliteJournal
from kiosk.session.machine import Session
from kiosk.session.visit import Ports
from kiosk.session.worker import InlineWorker, ThreadWorker
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.ports import PaymentPort, PrinterPort

log = logging.getLogger(__name__)
STUCK_DEADLINES = 1000  # deadlines at one moment before advance_to calls it a loop


@runtime_checkable
class CardSlot(Protocol):
    """Where a person puts an emulated card: the in-process reader, or a vpcd slot."""

    @property
    def card_present(self) -> bool: ...

    @property
    def card(self) -> Any: ...  # the card model on it, or None

    def place(self, card: Any) -> None: ...

    def remove(self) -> None: ...


@runtime_checkable
class TrayWithHands(Protocol):
    """A simulated tray the resident can take things from."""

    def take(self, what: str) -> int: ...


@runtime_checkable
class CashLevels(Protocol):
    """A cash unit that says what it holds (for the operators' metrics)."""

    tubes: dict[int, int]

    def total_held(self) -> int: ...


@runtime_checkable
class LabControl(Protocol):
    """A transport to a lab center: its faults and the world's answers can be set."""

    def set_fault(self, mode: str, times: int = 0) -> None: ...

    def approve_registrations(self) -> int: ...


class EventObserver(Protocol):
    """Sees every event the session handles, before and after (the recorder)."""

    def before(self, event: ev.Event) -> None: ...

    def after(self, event: ev.Event) -> None: ...

    def hand(self, line: dict[str, str]) -> None:
        """The lab's hand did something in the world the kiosk cannot see (a session line)."""


@dataclass
class Kiosk:
    """The assembled kiosk: session, drivers and the queue that carries their events."""

    config: Config
    clock: Clock
    events: queue.SimpleQueue[ev.Event]
    session: Session
    center: Any  # the reference center when it runs in-process (local:), else None
    transport: Transport
    client: CenterClient
    issuer: Any  # makes the emulated cards of the world's residents (the lab), or None
    slot: CardSlot | None  # where the demo and the harness put emulated cards
    reader: parts.CardReader  # the card reader, with its monitor
    card_port: JPKICardPort
    cash: PaymentPort
    tray: parts.TrayOutput
    printer: PrinterPort
    alarm: MixerAlarm
    voice: VoicePlayer
    journal: SqliteJournal
    worker: InlineWorker | ThreadWorker
    observers: list[EventObserver] = field(default_factory=list)
    placed: str | None = None  # the resident whose emulated card was placed last (recordings)

    @property
    def readers(self) -> parts.CardReader | None:
        """The reader when cards go through pcscd (it notices cards by itself)."""
        return None if isinstance(self.reader, CardSlot) else self.reader

    def post(self, event: ev.Event) -> None:
        self.events.put(event)

    def pump(self, limit: int = 10_000) -> int:
        """Hand every queued event to the session (and what those cause); returns how many."""
        handled = 0
        while handled < limit:
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return handled
            self.handle(event)
            handled += 1
        raise RuntimeError("the event queue does not drain: a loop between session and drivers")

    def handle(self, event: ev.Event) -> None:
        """Hand one event to the session, in the sight of the observers."""
        for observer in self.observers:
            observer.before(event)
        self.session.handle(event)
        for observer in self.observers:
            observer.after(event)

    def tick(self) -> None:
        self.post(ev.Tick(self.clock.now()))
        self.pump()

    def advance_to(self, when: datetime) -> None:
        """Virtual time only: move the clock to ``when``, firing every deadline on the way."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise TypeError("only a virtual clock can be moved")
        stuck = 0  # deadlines in a row that let no time pass (a loop between rules)
        while (deadline := self.session.next_deadline()) is not None and deadline <= when:
            stuck = stuck + 1 if deadline <= clock.now() else 0
            if stuck > STUCK_DEADLINES:
                raise RuntimeError("deadlines keep firing without time passing")
            clock.set(max(deadline, clock.now()))
            self.tick()
        if when > clock.now():
            clock.set(when)
        self.tick()

    # --- what a person does with the hardware (demo controls, the harness) ----------------
    def wait_for(self, kind: type[ev.Event], seconds: float) -> ev.Event | None:
        """Handle events as they come until one of ``kind`` arrives (real time, at most
        ``seconds``); that one is returned unhandled, for the caller to hand on."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                event = self.events.get(timeout=left)
            except queue.Empty:
                break
            if isinstance(event, kind):
                return event
            self.handle(event)
        return None

    def _slot(self) -> CardSlot:
        if self.slot is None:
            raise ConfigError("card: this kiosk has no slot for emulated cards")
        return self.slot

    def place_card(self, resident_id: str) -> None:
        self.placed = resident_id
        self._slot().place(self.card_for(resident_id))

    def remove_card(self) -> None:
        self._slot().remove()

    def take(self, what: str) -> None:
        """The resident takes the paper or the change from the tray (a simulated one's hands
        take it out; otherwise the resident's word is all there is)."""
        self.post(ev.Take(what))
        if isinstance(self.tray, TrayWithHands):
            self.tray.take(what)

    def card_for(self, resident_id: str) -> Any:
        """The card (or phone) of a resident of the world, issued by the center's test CA."""
        if self.issuer is None:
            raise ConfigError("emulator: emulated cards need the local: center or "
                              "[emulator] world and state (a center's data directory)")
        from kiosk.lab.compose import issue_card

        return issue_card(self.issuer, resident_id, self.clock)

    def set_center_fault(self, mode: str) -> None:
        """The lab's fault control, where the transport to the center has one."""
        if not isinstance(self.transport, LabControl):
            raise ConfigError("center: this transport takes no lab faults")
        self.transport.set_fault(mode)

    def approve_registrations(self) -> int:
        """The lab's hand in the world: the 本籍地 approves every pending registration."""
        if not isinstance(self.transport, LabControl):
            raise ConfigError("center: this transport takes no lab controls")
        for observer in self.observers:
            observer.hand({"center": "approve-registrations"})
        return self.transport.approve_registrations()

    def phone_owner(self, word: str) -> None:
        """The lab's hand: the owner of the iPhone on the reader confirms (Face ID) or declines
        on the phone; ConfigError when no iPhone lies there."""
        phone = self.slot.card if self.slot is not None else None
        if getattr(phone, "kind", None) != "iphone" or word not in ("confirm", "decline"):
            raise ConfigError("phone: no iPhone is on the reader")
        for observer in self.observers:
            observer.hand({"phone": word})
        getattr(phone, f"phone_{word}")()

    def printer_cleared(self) -> None:
        """The operator cleared the printer's fault: re-enable it, and check it again."""
        self.printer.clear_fault()
        self.post(ev.PrinterCleared())

    def close(self) -> None:
        metrics = self.session.ports.metrics
        if metrics is not None:
            metrics.close()
        self.voice.stop()
        self.card_port.close()  # its connection held the reader (a sharing violation for the
        if self.slot is not None and self.slot.card_present:  # next kiosk of this process)
            self.slot.remove()
        self.reader.stop()
        close_cash = getattr(self.cash, "close", None)  # a unit with a poll thread stops it
        if callable(close_cash):
            close_cash()
        self.worker.shutdown()
        self.alarm.silence()
        self.journal.close()
        self.session.close()


def load_document_key(path: str) -> bytes:
    """The center's Ed25519 document-signing public key from a PEM file, as raw bytes."""
    try:
        key = serialization.load_pem_public_key(Path(path).read_bytes())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"center.document_key: cannot read {path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError(f"center.document_key: {path} is not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def build_center_client(config: Config, clock: Clock, kiosk_id: str
                        ) -> tuple[Any, Transport, CenterClient]:
    """The center (when in-process: the lab's), the transport to it, and the client on top."""
    if config.center.uri == "local:":
        from kiosk.lab.compose import local_center

        return local_center(config, clock, kiosk_id)
    if not config.center.document_key:
        raise ConfigError("center.document_key: a remote center needs its document-signing "
                          "public key (PEM) to check every document against")
    try:
        transport = open_transport(config.center.uri,
                                   TransportOptions(kiosk_id, config.center.transport, clock))
    except TransportError as exc:
        raise ConfigError(f"center: {exc}") from None
    return None, transport, CenterClient(transport, load_document_key(config.center.document_key))


def build_kiosk(config: Config, clock: Clock, *, inline: bool,
                kiosk_id: str | None = None) -> Kiosk:
    """Assemble a kiosk from ``config``; ``inline`` runs jobs on the caller's thread (replay).

    Drivers come by name from the ``kiosk.drivers`` entry points (``kiosk.parts``); the lab's
    parts are imported only when the configuration names them.
    """
    events: queue.SimpleQueue[ev.Event] = queue.SimpleQueue()
    post = events.put
    kiosk_id = kiosk_id or config.kiosk.id

    center, transport, client = build_center_client(config, clock, kiosk_id)
    issuer = None
    if center is not None or config.emulator.world or config.emulator.state:
        from kiosk.lab.compose import card_issuer

        issuer = card_issuer(config, center)
    ctx = parts.DriverContext(config, post)
    tray = parts.tray(ctx)
    ctx = parts.DriverContext(config, post, tray)
    reader = parts.card_reader(ctx)
    slot: CardSlot | None = reader if isinstance(reader, CardSlot) else None
    if config.card.vpcd:
        from drivers.card.emulator.vpcd import VpcdSlot, parse_endpoint

        slot = VpcdSlot(*parse_endpoint(config.card.vpcd))
    card_port = JPKICardPort(reader.connect, extended=config.card.extended_length)
    cash = parts.payment(ctx)
    printer = parts.printer(ctx)
    alarm = MixerAlarm()
    voice = VoicePlayer()
    try:
        journal = SqliteJournal(config.journal.path, clock,
                                durability=config.journal.durability)
    except JournalError as exc:  # refused before a yen is taken: the kiosk does not start
        raise ConfigError(f"journal.path: {exc}") from None
    worker: InlineWorker | ThreadWorker = InlineWorker(post) if inline else ThreadWorker(post)
    metrics = KioskMetrics()
    if config.metrics.port or config.metrics.textfile:
        metrics.expose(config.metrics.port or None, config.metrics.textfile or None)
    client.observe = metrics.center_call
    ports = Ports(card=card_port, center=client, payment=cash, printer=printer, alarm=alarm,
                  journal=journal, voice=voice, emoney=parts.emoney(ctx), metrics=metrics,
                  staff=staff_alert(config))
    session = Session(config, ports, worker, clock, kiosk_id, post=post)
    if isinstance(cash, CashLevels):
        session.listeners.append(lambda state: metrics.cash(cash.total_held(), cash.tubes))
    recovered = recover(journal, cash, printer, client)
    if recovered:
        log.warning("recovered %d interrupted steps from the journal", len(recovered))
    reader.start()
    return Kiosk(config, clock, events, session, center, transport, client, issuer, slot,
                 reader, card_port, cash, tray, printer, alarm, voice, journal, worker)
