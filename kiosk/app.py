"""The composition root: builds the drivers, the center transport and the session from config.

This is the only module that knows concrete classes. ``Kiosk`` is the assembled machine with its
event queue; the live main loop (``kiosk.live``) and the replay harness both drive it.
"""

from __future__ import annotations

import logging
import queue
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from drivers.audio.alarm import MixerAlarm
from drivers.audio.voice import VoicePlayer
from drivers.card.emulator import MyNumberCard
from drivers.card.emulator.iso import EmulatedCard
from drivers.card.emulator.vpcd import VpcdSlot, parse_endpoint
from drivers.card.inprocess import InProcessReader
from drivers.card.jpki import Transmitter
from drivers.card.jpki_port import JPKICardPort
from drivers.card.pcsc import PcscReaders
from drivers.payment.cash_unit import SimulatedCashUnit
from drivers.payment.emoney import SimulatedEmoney
from drivers.printer.cups import CupsPrinter
from drivers.printer.spool import SpoolPrinter
from drivers.sensors.tray import SimulatedTray
from kiosk import events as ev
from kiosk.center.client import CenterClient
from kiosk.center.simulator.cards import CardState, resident_card
from kiosk.center.simulator.center import ReferenceCenter
from kiosk.center.simulator.local import LocalTransport
from kiosk.center.simulator.pki import TestJPKI
from kiosk.center.simulator.world import World, WorldError, load_world
from kiosk.center.transport import Transport, TransportError, TransportOptions, open_transport
from kiosk.clock import Clock, VirtualClock
from kiosk.config import Config, ConfigError
from kiosk.journal import SqliteJournal
from kiosk.logs import add_redactions, world_redactions
from kiosk.metrics import KioskMetrics
from kiosk.recovery import recover
from kiosk.session import Ports, Session
from kiosk.worker import InlineWorker, ThreadWorker

log = logging.getLogger(__name__)


class CardSlot(Protocol):
    """Where a person puts an emulated card: the in-process reader, or a vpcd slot."""

    @property
    def card_present(self) -> bool: ...

    def place(self, card: EmulatedCard) -> None: ...

    def remove(self) -> None: ...


@dataclass
class Kiosk:
    """The assembled kiosk: session, drivers and the queue that carries their events."""

    config: Config
    clock: Clock
    events: queue.SimpleQueue[ev.Event]
    session: Session
    center: ReferenceCenter | None
    transport: Transport
    client: CenterClient
    issuer: CardIssuer | None  # makes the emulated cards of the world's residents
    slot: CardSlot | None  # where the demo and the harness put emulated cards
    readers: PcscReaders | None  # the PC/SC monitor, when cards go through pcscd
    card_port: JPKICardPort
    cash: SimulatedCashUnit
    tray: SimulatedTray
    printer: SpoolPrinter | CupsPrinter
    alarm: MixerAlarm
    voice: VoicePlayer
    journal: SqliteJournal
    worker: InlineWorker | ThreadWorker

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
            self.session.handle(event)
            handled += 1
        raise RuntimeError("the event queue does not drain: a loop between session and drivers")

    def tick(self) -> None:
        self.post(ev.Tick(self.clock.now()))
        self.pump()

    def advance_to(self, when: datetime) -> None:
        """Virtual time only: move the clock to ``when``, firing every deadline on the way."""
        clock = self.clock
        if not isinstance(clock, VirtualClock):
            raise TypeError("only a virtual clock can be moved")
        for _ in range(10_000):
            deadline = self.session.next_deadline()
            if deadline is None or deadline > when:
                break
            clock.set(max(deadline, clock.now()))
            self.tick()
        else:
            raise RuntimeError("deadlines keep firing without time passing")
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
            self.session.handle(event)
        return None

    def _slot(self) -> CardSlot:
        if self.slot is None:
            raise ConfigError("card: this kiosk has no slot for emulated cards")
        return self.slot

    def place_card(self, resident_id: str) -> None:
        self._slot().place(self.card_for(resident_id))

    def remove_card(self) -> None:
        self._slot().remove()

    def take(self, what: str) -> None:
        """The resident takes the paper or the change from the (simulated) tray."""
        self.post(ev.Take(what))
        self.tray.take(what)

    def card_for(self, resident_id: str) -> MyNumberCard:
        """The card (or phone) of a resident of the world, issued by the center's test CA."""
        if self.issuer is None:
            raise ConfigError("emulator: emulated cards need the local: center or "
                              "[emulator] world and state (a center's data directory)")
        world, pki = self.issuer
        return resident_card(world, pki, resident_id, self.clock.now())

    def set_center_fault(self, mode: str) -> None:
        """The lab's fault control, where the transport to the center has one."""
        set_fault = getattr(self.transport, "set_fault", None)
        if set_fault is None:
            raise ConfigError("center: this transport takes no lab faults")
        set_fault(mode)

    def printer_cleared(self) -> None:
        """The operator cleared the printer's fault: re-enable it, and check it again."""
        self.printer.clear_fault()
        self.post(ev.PrinterCleared())

    def close(self) -> None:
        metrics = self.session.ports.metrics
        if metrics is not None:
            metrics.close()
        self.voice.stop()
        if self.slot is not None and self.slot.card_present:
            self.slot.remove()
        if self.readers is not None:
            self.readers.stop()
        self.worker.shutdown()
        self.alarm.silence()
        self.journal.close()


CardIssuer = tuple[World, TestJPKI]


def card_issuer(config: Config, center: ReferenceCenter | None) -> CardIssuer | None:
    """Where emulated cards come from: [emulator] if set, else the local center's world/CA."""
    emulator = config.emulator
    if emulator.world or emulator.state:
        try:
            world = load_world(emulator.world or None)
        except WorldError as exc:
            raise ConfigError(f"emulator.world: {exc}") from None
        pki = CardState(Path(emulator.state)).pki() if emulator.state else TestJPKI()
        return world, pki
    if center is not None:
        return center.world, center.pki
    return None


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
                        ) -> tuple[ReferenceCenter | None, Transport, CenterClient]:
    """The center (when in-process), the transport to it, and the client on top."""
    center: ReferenceCenter | None = None
    transport: Transport
    if config.center.uri == "local:":
        center = ReferenceCenter.for_world(config.center.world or None, clock)
        if center.world.kiosk(kiosk_id) is None:
            raise ConfigError(f"kiosk.id: {kiosk_id!r} is not a kiosk of the center's world")
        transport = LocalTransport(center, kiosk_id)
        return center, transport, CenterClient(transport, center.keys.public_key_bytes())
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
    """Assemble a kiosk from ``config``; ``inline`` runs jobs on the caller's thread (replay)."""
    events: queue.SimpleQueue[ev.Event] = queue.SimpleQueue()
    post = events.put
    kiosk_id = kiosk_id or config.kiosk.id

    center, transport, client = build_center_client(config, clock, kiosk_id)
    issuer = card_issuer(config, center)
    for world in {id(w): w for w in (center.world if center else None,
                                     issuer[0] if issuer else None) if w}.values():
        add_redactions(world_redactions(world))  # no resident's name or address in any log

    # Without a tray sensor nothing reports the tray: the resident's word is taken (session).
    tray = SimulatedTray(post if config.tray.sensor == "simulated" else _unseen)
    slot: CardSlot | None
    readers: PcscReaders | None = None
    if config.card.reader == "pcsc":
        readers = PcscReaders(config.card.reader_pattern, post)
        connect: Callable[[], Transmitter] = readers.connect
        slot = VpcdSlot(*parse_endpoint(config.card.vpcd)) if config.card.vpcd else None
    else:
        slot = InProcessReader("Emulated reader", post)
        connect = slot.connect
    card_port = JPKICardPort(connect, extended=config.card.extended_length)
    cash = SimulatedCashUnit(config.payment.accept,
                             {int(k): v for k, v in config.payment.change.items()}, post,
                             tray.add_change)
    scheme, _, where = config.printer.uri.partition(":")
    printer: SpoolPrinter | CupsPrinter
    if scheme == "cups":
        printer = CupsPrinter(where, on_output=tray.add_paper, timeout=config.printer.timeout)
    else:
        printer = SpoolPrinter(Path(where), on_output=tray.add_paper,
                               pages_per_minute=config.printer.pages_per_minute)
    alarm = MixerAlarm()
    voice = VoicePlayer()
    journal = SqliteJournal(config.journal.path, clock)
    worker: InlineWorker | ThreadWorker = InlineWorker(post) if inline else ThreadWorker(post)
    emoney = SimulatedEmoney(config.payment.emoney)
    metrics = KioskMetrics()
    if config.metrics.port or config.metrics.textfile:
        metrics.expose(config.metrics.port or None, config.metrics.textfile or None)
    client.observe = metrics.center_call
    ports = Ports(card=card_port, center=client, payment=cash, printer=printer, alarm=alarm,
                  journal=journal, voice=voice, emoney=emoney, metrics=metrics)
    session = Session(config, ports, worker, clock, kiosk_id, post=post)
    session.listeners.append(lambda state: metrics.cash(cash.total_held(), cash.tubes))
    recovered = recover(journal, cash, printer, client)
    if recovered:
        log.warning("recovered %d interrupted steps from the journal", len(recovered))
    if readers is not None:
        readers.start()
    return Kiosk(config, clock, events, session, center, transport, client, issuer, slot,
                 readers, card_port, cash, tray, printer, alarm, voice, journal, worker)


def _unseen(event: ev.Event) -> None:
    """Where a tray without a sensor reports: nowhere."""
