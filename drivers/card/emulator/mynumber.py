"""The My Number card (and its smartphone and resident-card variants) at the APDU level.

Only the JPKI AP is modelled: the user-authentication side (cert 000A, CA 000B, key 0017,
PIN 0018 with 3 tries) and, when given its key and certificate, the signing side (cert 0001
readable only after its PIN, CA 0002, key 001A, PIN 001B with 5 tries).

The user-authentication key is RSA-2048 (PKCS #1 v1.5 over a DigestInfo) or, on the
next-generation card, ECDSA P-384: ``80 2A 00 80`` over the 48-byte SHA-384 hash, answered as
r‖s (96 bytes). A locked PIN answers ``63 C0``; a face-authentication card (no PIN given) has a
PIN that is not usable and answers ``69 84`` to every VERIFY, the retry-counter read included.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from drivers.card.emulator.iso import Command, Handler, IsoCard
from drivers.card.jpki_spec import (
    AUTH_PIN_TRIES,
    DIGEST_INFO_PREFIXES,
    EF_AUTH_CA,
    EF_AUTH_CERT,
    EF_AUTH_KEY,
    EF_AUTH_PIN,
    EF_SIGN_CA,
    EF_SIGN_CERT,
    EF_SIGN_KEY,
    EF_SIGN_PIN,
    EF_TOKEN,
    JPKI_AID,
    SIGN_PIN_TRIES,
    SW_FILE_NOT_FOUND,
    SW_INCOMPATIBLE_FILE,
    SW_NO_CURRENT_EF,
    SW_OFFSET_BEYOND_END,
    SW_OK,
    SW_REF_DATA_BLOCKED,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
    TOKEN_LENGTH,
    TOKENS,
)

if TYPE_CHECKING:
    from drivers.card.emulator.iso import EmulatedCard

CONTACT_ATR = bytes.fromhex("3BE000FF8131FE4514")
P384_BYTES = 48  # the size of r, of s, and of the SHA-384 hash the card signs
CardKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


@dataclass(repr=False)
class _Pin:
    """A PIN object: its value, retry counter and whether it is verified in this card session."""

    secret: bytes
    tries_left: int
    max_tries: int
    verified: bool = False
    usable: bool = True  # False on a face-authentication card: every VERIFY answers 69 84


@dataclass(frozen=True)
class _BinaryEF:
    data: bytes
    pin_ef: int | None = None  # readable only after this PIN is verified


@dataclass(frozen=True)
class _KeyEF:
    key: CardKey = field(repr=False)
    pin_ef: int


def _pin_bytes(pin: str, what: str) -> bytes:
    if not (4 <= len(pin) <= 16 and pin.isascii() and pin.isalnum()):
        raise ValueError(f"{what} must be 4 to 16 ASCII letters or digits")
    return pin.encode("ascii")


class MyNumberCard(IsoCard):
    """A JPKI card model: ``transmit(apdu) -> (data, sw1, sw2)``; PIN counters survive resets."""

    atr = CONTACT_ATR
    CLASSES = frozenset((0x00, 0x80))  # 80: the proprietary COMPUTE DIGITAL SIGNATURE

    def __init__(
        self,
        kind: str,
        pin: str | None,
        tries_left: int,
        auth_key: CardKey,
        auth_cert_der: bytes,
        ca_cert_der: bytes,
        *,
        atr: bytes | None = None,
        sign_pin: str | None = None,
        sign_tries_left: int = SIGN_PIN_TRIES,
        sign_key: rsa.RSAPrivateKey | None = None,
        sign_cert_der: bytes | None = None,
        sign_ca_cert_der: bytes | None = None,
    ) -> None:
        super().__init__()
        if kind not in TOKENS:
            raise ValueError(f"unknown card kind {kind!r}")
        if not 0 <= tries_left <= AUTH_PIN_TRIES:
            raise ValueError(f"tries_left must be 0..{AUTH_PIN_TRIES}")
        if isinstance(auth_key, ec.EllipticCurvePrivateKey) and auth_key.curve.name != "secp384r1":
            raise ValueError("an ECDSA user-authentication key must be on P-384")
        if atr is not None and not 2 <= len(atr) <= 33:
            raise ValueError("an ATR is 2 to 33 bytes")
        self.kind = kind
        self.atr = bytes(atr) if atr is not None else CONTACT_ATR
        token = TOKENS[kind].encode("ascii").ljust(TOKEN_LENGTH, b" ")
        auth_pin = (_Pin(b"", tries_left, AUTH_PIN_TRIES, usable=False) if pin is None
                    else _Pin(_pin_bytes(pin, "pin"), tries_left, AUTH_PIN_TRIES))
        self._pins = {EF_AUTH_PIN: auth_pin}
        self._files: dict[int, _BinaryEF | _KeyEF] = {
            EF_TOKEN: _BinaryEF(token),
            EF_AUTH_CERT: _BinaryEF(bytes(auth_cert_der)),
            EF_AUTH_CA: _BinaryEF(bytes(ca_cert_der)),
            EF_AUTH_KEY: _KeyEF(auth_key, EF_AUTH_PIN),
        }
        if sign_pin is not None:
            if sign_key is None or sign_cert_der is None:
                raise ValueError("the signing side needs sign_key and sign_cert_der")
            if not 0 <= sign_tries_left <= SIGN_PIN_TRIES:
                raise ValueError(f"sign_tries_left must be 0..{SIGN_PIN_TRIES}")
            secret = _pin_bytes(sign_pin, "sign_pin")
            self._pins[EF_SIGN_PIN] = _Pin(secret, sign_tries_left, SIGN_PIN_TRIES)
            self._files[EF_SIGN_CERT] = _BinaryEF(bytes(sign_cert_der), EF_SIGN_PIN)
            self._files[EF_SIGN_CA] = _BinaryEF(bytes(sign_ca_cert_der or ca_cert_der))
            self._files[EF_SIGN_KEY] = _KeyEF(sign_key, EF_SIGN_PIN)
        self._ap_selected = False
        self._current: int | None = None

    def __repr__(self) -> str:
        return f"MyNumberCard(kind={self.kind!r}, tries_left={self.tries_left})"

    # --- counters a caller may persist ---------------------------------------------------------
    @property
    def tries_left(self) -> int:
        """Tries left on the user-authentication PIN."""
        return self._pins[EF_AUTH_PIN].tries_left

    @property
    def sign_tries_left(self) -> int | None:
        """Tries left on the signing PIN, None when the signing side is not modelled."""
        pin = self._pins.get(EF_SIGN_PIN)
        return None if pin is None else pin.tries_left

    @property
    def verified(self) -> bool:
        """Whether the user-authentication PIN is verified in this card session."""
        return self._pins[EF_AUTH_PIN].verified

    # --- power: a reset or power-off clears selection and verified states, keeps the counters --
    def _clear_session(self) -> None:
        self._ap_selected = False
        self._current = None
        for pin in self._pins.values():
            pin.verified = False

    # --- APDUs ---------------------------------------------------------------------------------
    def _handlers(self) -> dict[tuple[int, int], Handler]:
        return {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0x20): self._verify,
            (0x80, 0x2A): self._sign,
        }

    def _select(self, cmd: Command) -> tuple[int, bytes]:
        if cmd.le is not None or not cmd.data:
            return SW_WRONG_LENGTH, b""
        if cmd.p2 != 0x0C:
            return SW_WRONG_P1P2, b""
        if cmd.p1 == 0x04:
            if cmd.data != JPKI_AID:
                return SW_FILE_NOT_FOUND, b""
            self._ap_selected = True
            self._current = None
            return SW_OK, b""
        if cmd.p1 == 0x02:
            if len(cmd.data) != 2:
                return SW_WRONG_LENGTH, b""
            fid = int.from_bytes(cmd.data, "big")
            if not self._ap_selected or (fid not in self._files and fid not in self._pins):
                return SW_FILE_NOT_FOUND, b""
            self._current = fid
            return SW_OK, b""
        return SW_WRONG_P1P2, b""

    def _read_binary(self, cmd: Command) -> tuple[int, bytes]:
        if cmd.p1 & 0x80:  # short EF identifier addressing: not modelled
            return SW_WRONG_P1P2, b""
        if cmd.le is None or cmd.data:
            return SW_WRONG_LENGTH, b""
        if self._current is None:
            return SW_NO_CURRENT_EF, b""
        ef = self._files.get(self._current)
        if not isinstance(ef, _BinaryEF):
            return SW_INCOMPATIBLE_FILE, b""
        if ef.pin_ef is not None and not self._pins[ef.pin_ef].verified:
            return SW_SECURITY_NOT_SATISFIED, b""
        if cmd.p1p2 >= len(ef.data):
            return SW_OFFSET_BEYOND_END, b""
        return SW_OK, ef.data[cmd.p1p2 : cmd.p1p2 + cmd.le]

    def _verify(self, cmd: Command) -> tuple[int, bytes]:
        if (cmd.p1, cmd.p2) != (0x00, 0x80):
            return SW_WRONG_P1P2, b""
        if cmd.le is not None:
            return SW_WRONG_LENGTH, b""
        pin = self._pins.get(self._current) if self._current is not None else None
        if pin is None:
            return SW_NO_CURRENT_EF, b""
        if not pin.usable:  # face-authentication card: no PIN to try, nothing spent
            return SW_REF_DATA_BLOCKED, b""
        if pin.tries_left == 0:  # locked: no tries left, and none spent
            return 0x63C0, b""
        if not cmd.data:  # retry-counter query: spends no try
            return 0x63C0 | pin.tries_left, b""
        if hmac.compare_digest(cmd.data, pin.secret):
            pin.tries_left = pin.max_tries
            pin.verified = True
            return SW_OK, b""
        pin.tries_left -= 1
        pin.verified = False
        return 0x63C0 | pin.tries_left, b""

    def _sign(self, cmd: Command) -> tuple[int, bytes]:
        if (cmd.p1, cmd.p2) != (0x00, 0x80):
            return SW_WRONG_P1P2, b""
        if not cmd.data:
            return SW_WRONG_LENGTH, b""
        ef = self._files.get(self._current) if self._current is not None else None
        if not isinstance(ef, _KeyEF):
            return SW_NO_CURRENT_EF, b""
        if not self._pins[ef.pin_ef].verified:
            return SW_SECURITY_NOT_SATISFIED, b""
        if isinstance(ef.key, ec.EllipticCurvePrivateKey):
            return _sign_ecdsa(ef.key, cmd)
        for name, prefix in DIGEST_INFO_PREFIXES.items():
            algorithm = _HASHES[name]()
            if cmd.data.startswith(prefix) and len(cmd.data) == len(prefix) + algorithm.digest_size:
                digest = cmd.data[len(prefix) :]
                signature = ef.key.sign(digest, padding.PKCS1v15(), Prehashed(algorithm))
                if cmd.le is not None and cmd.le < len(signature):
                    return SW_WRONG_LENGTH, b""
                return SW_OK, signature
        return SW_WRONG_DATA, b""


def _sign_ecdsa(key: ec.EllipticCurvePrivateKey, cmd: Command) -> tuple[int, bytes]:
    """ECDSA P-384 over a 48-byte SHA-384 hash, answered as r‖s (48 bytes each)."""
    if len(cmd.data) != P384_BYTES:
        return SW_WRONG_DATA, b""
    if cmd.le is not None and cmd.le < 2 * P384_BYTES:
        return SW_WRONG_LENGTH, b""
    der = key.sign(cmd.data, ec.ECDSA(Prehashed(hashes.SHA384())))
    r, s = decode_dss_signature(der)
    return SW_OK, r.to_bytes(P384_BYTES, "big") + s.to_bytes(P384_BYTES, "big")


if TYPE_CHECKING:  # mypy holds MyNumberCard to EmulatedCard: a drift fails here

    def _conforms_my_number_card(card: MyNumberCard) -> EmulatedCard:
        return card
