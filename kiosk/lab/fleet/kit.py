"""What every load process takes from a ``kiosk center init`` directory: the store kiosks and
their client certificates, the center's keys, the residents' cards (from its test JPKI CA)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.clock import JST
from kiosk.lab.center.cards import PKI_DIR, CardState
from kiosk.lab.center.pki import CardCredentials
from kiosk.lab.center.world import WorldError, load_world
from kiosk.lab.fleet.plan import FleetError

WHEN = datetime(2026, 11, 20, 11, 0, tzinfo=JST)  # a Friday morning: everything is open


@dataclass(frozen=True)
class Errand:
    """What a resident of the sample world comes for."""

    resident: str
    municipality: str
    certificate: str
    card: str = "valid"  # the card's certificate: valid, revoked, expired


ERRANDS = (Errand("r001", "131130", "juminhyo"), Errand("r002", "141305", "inkan"),
           Errand("r003", "132047", "juminhyo"), Errand("r010", "141305", "tax-income"))
REVOKED = Errand("r005", "102016", "juminhyo", "revoked")
EXPIRED = Errand("r006", "141305", "juminhyo", "expired")


@dataclass(frozen=True)
class KioskFiles:
    """One kiosk's client certificate and key."""

    kiosk_id: str
    cert: Path
    key: Path


@dataclass(frozen=True)
class Kit:
    """The data directory as the load needs it."""

    data: Path
    kiosks: tuple[KioskFiles, ...]  # the store kiosks that have a client certificate, in order
    ca: Path
    center_key: bytes  # the document-signing key, raw Ed25519
    default_center: str
    cards: dict[str, CardCredentials]  # by resident id

    @classmethod
    def load(cls, data: Path) -> Kit:
        """FleetError naming what is missing or wrong."""
        if not (data / "world.toml").is_file():
            raise FleetError(f"{data} is not a `kiosk center init` directory (no world.toml)")
        try:
            world = load_world(data / "world.toml")
        except WorldError as exc:
            raise FleetError(f"{data / 'world.toml'}: {exc}") from None
        kiosks = tuple(
            KioskFiles(k.id, data / "kiosks" / k.id / "client.pem",
                       data / "kiosks" / k.id / "client-key.pem")
            for k in world.kiosks if k.kind == "store"
            and (data / "kiosks" / k.id / "client.pem").is_file()
            and (data / "kiosks" / k.id / "client-key.pem").is_file())
        if not kiosks:
            raise FleetError(f"{data}: no store kiosk with a client certificate under kiosks/")
        for errand in (*ERRANDS, REVOKED, EXPIRED):
            if world.resident(errand.resident) is None:
                raise FleetError(f"{data}: the world has no resident {errand.resident} (the "
                                 "fleet's residents are the sample world's)")
        for needed in (data / "tls" / "ca.pem", data / PKI_DIR / "ca-cert.pem",
                       data / "center" / "document-key.pub.pem"):
            if not needed.is_file():
                raise FleetError(f"{data}: {needed.relative_to(data)} is missing")
        pki = CardState(data).pki()
        cards = {e.resident: pki.issue_card(e.resident, e.card, WHEN)
                 for e in (*ERRANDS, REVOKED, EXPIRED)}
        return cls(data, kiosks, data / "tls" / "ca.pem", _document_key(data),
                   _center_of(data / "kiosks" / kiosks[0].kiosk_id / "kiosk.toml"), cards)


def _document_key(data: Path) -> bytes:
    path = data / "center" / "document-key.pub.pem"
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except (OSError, ValueError) as exc:
        raise FleetError(f"{path}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise FleetError(f"{path} is not an Ed25519 public key")
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _center_of(kiosk_toml: Path) -> str:
    """The center's URL in a kiosk.toml ``kiosk center init`` wrote."""
    try:
        uri = tomllib.loads(kiosk_toml.read_text(encoding="utf-8"))["center"]["uri"]
    except (OSError, ValueError, KeyError, TypeError):
        raise FleetError(f"{kiosk_toml}: no [center] uri (name the center with --center)"
                         ) from None
    if not isinstance(uri, str) or not uri.startswith("https://"):
        raise FleetError(f"{kiosk_toml}: [center] uri is not https:// (use --center)")
    return uri
