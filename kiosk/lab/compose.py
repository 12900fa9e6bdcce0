"""The lab's side of composing a kiosk: the reference center in-process (``local:``), and where
emulated cards come from. Imported by ``kiosk.app`` only when a configuration names them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from kiosk.center.client import CenterClient
from kiosk.clock import Clock
from kiosk.config import Config, ConfigError
from kiosk.field.logs import add_redactions, world_redactions
from kiosk.lab.center.cards import CardMemory, CardState
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.world import World, WorldError, load_world

if TYPE_CHECKING:
    from drivers.card.emulator import MyNumberCard



class CardIssuer(NamedTuple):
    """Where a kiosk's emulated cards come from: the world, the test CA, and the cards issued
    so far (a PIN reset on one outlives lifting it)."""

    world: World
    pki: TestJPKI
    memory: CardMemory


def local_center(config: Config, clock: Clock, kiosk_id: str
                 ) -> tuple[ReferenceCenter, LocalTransport, CenterClient]:
    """The reference center in this process, the transport to it, and the client on top."""
    try:
        center = ReferenceCenter.for_world(config.center.world or None, clock)
    except WorldError as exc:  # a session's or a config's world that cannot be used
        raise ConfigError(f"center.world: {exc}") from None
    if center.world.kiosk(kiosk_id) is None:
        raise ConfigError(f"kiosk.id: {kiosk_id!r} is not a kiosk of the center's world")
    transport = LocalTransport(center, kiosk_id)
    return center, transport, CenterClient(transport, center.keys.public_key_bytes())


def card_issuer(config: Config, center: ReferenceCenter | None) -> CardIssuer | None:
    """Where emulated cards come from: [emulator] if set, else the local center's world/CA."""
    emulator = config.emulator
    if emulator.world or emulator.state:
        try:
            world = load_world(emulator.world or None)
        except WorldError as exc:
            raise ConfigError(f"emulator.world: {exc}") from None
        pki = CardState(Path(emulator.state)).pki() if emulator.state else TestJPKI()
        issuer: CardIssuer | None = CardIssuer(world, pki, CardMemory())
    else:
        issuer = (CardIssuer(center.world, center.pki, CardMemory()) if center is not None
                  else None)
    worlds = {id(w): w for w in (center.world if center else None,
                                 issuer[0] if issuer else None) if w}
    for world in worlds.values():
        add_redactions(world_redactions(world))  # no resident's name or address in any log
    return issuer


def issue_card(issuer: CardIssuer, resident_id: str, clock: Clock) -> MyNumberCard:
    """The card (or phone) of a resident of the world, issued by the center's test CA."""
    return issuer.memory.issue(issuer.world, issuer.pki, resident_id, clock.now())
