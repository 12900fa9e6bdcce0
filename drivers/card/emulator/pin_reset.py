"""The emulated card's PIN reset (暗証番号の再設定): GET CHALLENGE and RESET RETRY COUNTER.

With a PIN EF selected (0018 user authentication, 001B signing), ``00 84 00 00 08`` answers a
fresh 8-byte nonce, kept for that PIN only. ``00 2C 02 80 Lc`` carries a 16-byte authorisation
and the new PIN (4 to 16 ASCII letters or digits); the card checks the authorisation, an AES-CMAC
with its PIN-reset key over ``reset_message(pin, nonce)``, spends the nonce whatever the outcome
(single use), then sets the PIN and restores its tries. A PIN set this way is kept only as a
salted hash (``PinDigest``), which is all that is saved of it.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from cryptography.hazmat.primitives import cmac
from cryptography.hazmat.primitives.ciphers import algorithms

from drivers.card.emulator.iso import Command
from drivers.card.jpki_spec import (
    CARD_NONCE_BYTES,
    PIN_EFS,
    RESET_MAC_BYTES,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_FUNC_NOT_SUPPORTED,
    SW_INCOMPATIBLE_FILE,
    SW_NO_CURRENT_EF,
    SW_OK,
    SW_REF_DATA_BLOCKED,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
)
from kiosk.center.pin_reset_messages import reset_message

HASH_ROUNDS = 20_000  # PBKDF2-HMAC-SHA-256 rounds of a saved PIN's hash
SALT_BYTES = 16
PIN_NAMES = {ef: name for name, ef in PIN_EFS.items()}
_PIN_CHARS = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


@dataclass(frozen=True, repr=False)
class PinDigest:
    """A PIN as the card keeps one set by a reset: a salt and PBKDF2-SHA-256 of the PIN."""

    salt: bytes
    digest: bytes

    @classmethod
    def of(cls, pin: bytes) -> PinDigest:
        salt = os.urandom(SALT_BYTES)
        return cls(salt, _hash(pin, salt))

    def matches(self, pin: bytes) -> bool:
        return hmac.compare_digest(_hash(pin, self.salt), self.digest)

    def __repr__(self) -> str:
        return "PinDigest(…)"


def _hash(pin: bytes, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", pin, salt, HASH_ROUNDS)


def authorisation(key: bytes, pin: str, nonce: bytes) -> bytes:
    """The AES-CMAC the card expects for resetting ``pin`` ("user", "signing") over ``nonce``."""
    mac = cmac.CMAC(algorithms.AES(key))
    mac.update(reset_message(pin, nonce))
    return mac.finalize()


class ResettablePin(Protocol):
    """What the reset needs of a card's PIN object."""

    tries_left: int
    max_tries: int
    verified: bool
    usable: bool
    digest: PinDigest | None


class PinReset:
    """The card's reset side: its key, the nonce given for each PIN, the PINs it has set."""

    def __init__(self, key: bytes | None, pins: Mapping[int, ResettablePin],
                 saved: Mapping[int, PinDigest] | None = None) -> None:
        if key is not None and len(key) not in (16, 24, 32):
            raise ValueError("a PIN-reset key is an AES key of 16, 24 or 32 bytes")
        self._key = key
        self._pins = pins
        self._nonces: dict[int, bytes] = {}
        for ef, digest in (saved or {}).items():
            if ef not in pins:
                raise ValueError(f"a saved PIN for EF {ef:04X}, which this card has not")
            pins[ef].digest = digest

    def forget(self) -> None:
        """A reset or power-off: every nonce given is void."""
        self._nonces.clear()

    def digests(self) -> dict[int, PinDigest]:
        """The PINs set by a reset, as salted hashes, by EF (what may be saved)."""
        return {ef: pin.digest for ef, pin in self._pins.items() if pin.digest is not None}

    def _pin(self, current: int | None) -> tuple[int, ResettablePin | None]:
        if self._key is None:
            return SW_FUNC_NOT_SUPPORTED, None
        if current is None:
            return SW_NO_CURRENT_EF, None
        pin = self._pins.get(current)
        if pin is None:
            return SW_INCOMPATIBLE_FILE, None
        if not pin.usable:
            return SW_REF_DATA_BLOCKED, None
        return SW_OK, pin

    def get_challenge(self, cmd: Command, current: int | None) -> tuple[int, bytes]:
        if (cmd.p1, cmd.p2) != (0x00, 0x00):
            return SW_WRONG_P1P2, b""
        if cmd.data or cmd.le != CARD_NONCE_BYTES:
            return SW_WRONG_LENGTH, b""
        sw, pin = self._pin(current)
        if pin is None or current is None:
            return sw, b""
        nonce = os.urandom(CARD_NONCE_BYTES)
        self._nonces[current] = nonce
        return SW_OK, nonce

    def reset_retry_counter(self, cmd: Command, current: int | None) -> tuple[int, bytes]:
        if (cmd.p1, cmd.p2) != (0x02, 0x80):
            return SW_WRONG_P1P2, b""
        if cmd.le is not None or not RESET_MAC_BYTES + 4 <= len(cmd.data) <= RESET_MAC_BYTES + 16:
            return SW_WRONG_LENGTH, b""
        sw, pin = self._pin(current)
        if pin is None or current is None or self._key is None:
            return sw, b""
        nonce = self._nonces.pop(current, None)  # single use, whatever follows
        if nonce is None:
            return SW_CONDITIONS_NOT_SATISFIED, b""
        mac, new_pin = cmd.data[:RESET_MAC_BYTES], cmd.data[RESET_MAC_BYTES:]
        if any(b not in _PIN_CHARS for b in new_pin):
            return SW_WRONG_DATA, b""
        if not hmac.compare_digest(mac, authorisation(self._key, PIN_NAMES[current], nonce)):
            return SW_SECURITY_NOT_SATISFIED, b""
        pin.digest = PinDigest.of(new_pin)
        pin.tries_left = pin.max_tries
        pin.verified = False
        return SW_OK, b""
