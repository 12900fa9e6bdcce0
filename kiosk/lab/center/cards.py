"""The cards the world's residents carry, issued by the test JPKI CA, with PIN counters that
can outlive the process (``kiosk card emulate --state DIR``)."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.lab.center.pki import CardCredentials, EcCardCredentials, TestJPKI
from kiosk.lab.center.residents import Resident, TownApDef, check_atr
from kiosk.lab.center.world import World

if TYPE_CHECKING:
    from drivers.card.emulator import MyNumberCard
    from drivers.card.emulator.helper_ap import HelperAP
    from drivers.card.emulator.pin_reset import PinDigest
    from drivers.card.emulator.town_ap import TownAP

log = logging.getLogger(__name__)

# Real signing PINs are 6 to 16 capital letters and digits; the world file has none, so every
# emulated card shares this one (a test value: it opens nothing but the emulator).
TEST_SIGN_PIN = "ABC123"
PKI_DIR = "pki"
COUNTERS_DIR = "counters"
PIN_RESET_KEY = "pin-reset"  # the card's PIN-reset key: TestJPKI.symmetric_key's purpose


def resident_card(world: World, pki: TestJPKI, resident_id: str, now: datetime,
                  tries_left: int | None = None, sign_tries_left: int | None = None,
                  reset_pins: Mapping[int, PinDigest] | None = None) -> MyNumberCard:
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
    phone = card.type == "iphone"  # its owner confirms on the phone: no PIN, no signing side
    return MyNumberCard(
        kind, None if card.type in ("face-auth", "iphone") else card.pin,
        card.tries_left if tries_left is None else tries_left,
        auth.key, auth.cert_der, auth.ca_cert_der,
        atr=check_atr("card.atr", card.atr) if card.atr else None,
        sign_pin=None if phone else TEST_SIGN_PIN, sign_key=sign.key,
        sign_cert_der=sign.cert_der,
        sign_tries_left=5 if sign_tries_left is None else sign_tries_left,
        town_ap=town_ap_card(resident, pki), helper_ap=helper_ap_card(resident),
        reset_key=pki.symmetric_key(PIN_RESET_KEY, resident.id), reset_pins=reset_pins)


def town_ap_of(resident: Resident) -> TownApDef | None:
    """The town AP a resident's card carries: a juki card's (its user id, PIN and tries, in the
    resident's town), a My Number card's ``card.ap``, or none."""
    card = resident.card
    if card.type == "juki" and card.user_id and card.pin:
        return TownApDef(resident.municipality, card.user_id, card.pin, card.tries_left)
    return card.ap


def helper_ap_card(resident: Resident) -> HelperAP | None:
    """The text-helper AP of a My Number card: the world's name, address, birth date and sex,
    the individual number, and ``card.helper_pin`` (or the card's PIN)."""
    from drivers.card.emulator.helper_ap import HelperAP

    card = resident.card
    pin = card.helper_pin or card.pin
    if card.type != "mynumber" or pin is None:
        return None
    return HelperAP(pin, 3, resident.individual_number, resident.name.kanji, resident.address,
                    resident.born.replace("-", ""), "1" if resident.sex == "male" else "2")


def town_ap_card(resident: Resident, pki: TestJPKI) -> TownAP | None:
    """That AP as the emulated card carries it, with its key."""
    from drivers.card.emulator.town_ap import TownAP

    ap = town_ap_of(resident)
    if ap is None:
        return None
    return TownAP(ap.municipality, ap.user_id, ap.pin, ap.tries_left,
                  town_ap_key(pki, ap.municipality, ap.user_id))


def town_ap_key(pki: TestJPKI, municipality: str, user_id: str) -> bytes:
    """The AES key of a town AP, as the card and the center both hold it."""
    return pki.symmetric_key(f"card-ap:{municipality}", user_id)


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

    def reset_pins(self, resident_id: str) -> dict[int, PinDigest]:
        """The PINs a reset set on this card, as the salted hashes saved (never a PIN)."""
        try:
            return loaded_pins(json.loads(self._path(resident_id).read_text()).get("reset_pins"))
        except FileNotFoundError:
            return {}
        except (ValueError, AttributeError, TypeError):
            log.warning("reset PINs of %s unreadable: the world's PINs stand", resident_id)
            return {}

    def save_counters(self, resident_id: str, card: MyNumberCard) -> None:
        path = self._path(resident_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".part")
        partial.write_text(json.dumps({"tries_left": card.tries_left,
                                       "sign_tries_left": card.sign_tries_left,
                                       "reset_pins": saved_pins(card.reset_pins)}))
        partial.replace(path)


def saved_pins(pins: Mapping[int, PinDigest]) -> dict[str, dict[str, str]]:
    """The salted hashes of reset PINs as JSON data, by EF in hex ("0018")."""
    return {f"{ef:04X}": {"salt": d.salt.hex(), "hash": d.digest.hex()} for ef, d in pins.items()}


def loaded_pins(data: object) -> dict[int, PinDigest]:
    """``saved_pins`` read back; ValueError when malformed."""
    from drivers.card.emulator.pin_reset import PinDigest

    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ValueError("reset_pins must be an object")
    out = {}
    for ef, d in data.items():
        if not isinstance(d, dict) or set(d) != {"salt", "hash"}:
            raise ValueError("each reset PIN is a salt and a hash")
        out[int(ef, 16)] = PinDigest(bytes.fromhex(d["salt"]), bytes.fromhex(d["hash"]))
    return out


class CardMemory:
    """The cards issued in this process, by resident: what a PIN reset set on a card (and its
    counters since) survives lifting the card and placing it again, as ``CardState`` keeps it
    on disk for ``kiosk card emulate``."""

    def __init__(self) -> None:
        self._last: dict[str, MyNumberCard] = {}

    def issue(self, world: World, pki: TestJPKI, resident_id: str, now: datetime
              ) -> MyNumberCard:
        last = self._last.get(resident_id)
        if last is not None and last.reset_pins:
            card = resident_card(world, pki, resident_id, now, last.tries_left,
                                 last.sign_tries_left, last.reset_pins)
        else:
            card = resident_card(world, pki, resident_id, now)
        self._last[resident_id] = card
        return card
