"""The cards the world's residents carry, issued by the test JPKI CA, with PIN counters that
can outlive the process (``kiosk card emulate --state DIR``)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.lab.center.pki import CardCredentials, EcCardCredentials, TestJPKI
from kiosk.lab.center.residents import check_atr
from kiosk.lab.center.world import World

if TYPE_CHECKING:
    from drivers.card.emulator import MyNumberCard

log = logging.getLogger(__name__)

# Real signing PINs are 6 to 16 capital letters and digits; the world file has none, so every
# emulated card shares this one (a test value: it opens nothing but the emulator).
TEST_SIGN_PIN = "ABC123"
PKI_DIR = "pki"
COUNTERS_DIR = "counters"


def resident_card(world: World, pki: TestJPKI, resident_id: str, now: datetime,
                  tries_left: int | None = None, sign_tries_left: int | None = None
                  ) -> MyNumberCard:
    """The card (or phone) of ``resident_id``; KeyError if the world has no such resident."""
    from drivers.card.emulator import MyNumberCard  # the emulator: only where cards are made

    resident = world.resident(resident_id)
    if resident is None:
        raise KeyError(resident_id)
    card = resident.card
    auth: CardCredentials | EcCardCredentials
    if card.key == "ecdsa-p384":  # the next-generation card
        auth = pki.issue_card_ec(resident.id, card.cert, now)
    else:
        auth = pki.issue_card(resident.id, card.cert, now)
    sign = pki.issue_signing(resident.id, now)
    # A face-authentication card is a My Number card whose PIN is not usable (no PIN given).
    kind = "mynumber" if card.type == "face-auth" else card.type
    return MyNumberCard(
        kind, None if card.type == "face-auth" else card.pin,
        card.tries_left if tries_left is None else tries_left,
        auth.key, auth.cert_der, auth.ca_cert_der,
        atr=check_atr("card.atr", card.atr) if card.atr else None,
        sign_pin=TEST_SIGN_PIN, sign_key=sign.key, sign_cert_der=sign.cert_der,
        sign_tries_left=5 if sign_tries_left is None else sign_tries_left)


@dataclass
class CardState:
    """A directory holding the test CA and each card's PIN counters."""

    root: Path

    def pki(self) -> TestJPKI:
        """The CA saved here, or a new one saved here now (so other processes share it)."""
        directory = self.root / PKI_DIR
        if (directory / "ca-cert.pem").exists():
            return TestJPKI.load(directory)
        pki = TestJPKI.with_new_ca()
        pki.save(directory)
        return pki

    def _path(self, resident_id: str) -> Path:
        return self.root / COUNTERS_DIR / f"{resident_id}.json"

    def counters(self, resident_id: str) -> tuple[int | None, int | None]:
        """(user-authentication tries, signing tries) saved for this card, or None each."""
        try:
            data = json.loads(self._path(resident_id).read_text())
            return int(data["tries_left"]), int(data["sign_tries_left"])
        except FileNotFoundError:
            return None, None
        except (ValueError, KeyError, TypeError):
            log.warning("counters of %s unreadable: starting from the world's", resident_id)
            return None, None

    def save_counters(self, resident_id: str, card: MyNumberCard) -> None:
        path = self._path(resident_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps({"tries_left": card.tries_left,
                                       "sign_tries_left": card.sign_tries_left}))
        partial.replace(path)
