"""The My Number card (and its smartphone and resident-card variants) at the APDU level.

Only the JPKI AP is modelled: the user-authentication side (cert 000A, CA 000B, key 0017,
PIN 0018 with 3 tries) and, when given its key and certificate, the signing side (cert 0001
readable only after its PIN, CA 0002, key 001A, PIN 001B with 5 tries). A municipality's own AP
(``town_ap``) and the text-helper AP (``helper_ap``) may sit beside it: emulator/*_ap.py.

An iPhone (``kind = "iphone"``) answers as a phone (the smartphone's token) but has no PIN at the
reader (EF 0018 is not there): its owner confirms on the phone (Face ID), and until then the sign
command answers ``69 82``; after a decline it answers ``69 85`` (conditions of use not
satisfied). ``phone_confirm()`` / ``phone_decline()`` are the owner's hand; a reset forgets both.

The user-authentication key is RSA-2048 (PKCS #1 v1.5 over a DigestInfo) or, on the
next-generation card, ECDSA P-384: ``80 2A 00 80`` over the 48-byte SHA-384 hash, answered as
r‖s (96 bytes). A locked PIN answers ``63 C0``; a face-authentication card (no PIN given) has a
PIN that is not usable and answers ``69 84`` to every VERIFY, the retry-counter read included.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed, decode_dss_signature

from drivers.card.emulator.helper_ap import HelperAP
from drivers.card.emulator.iso import Command, Handler, IsoCard
from drivers.card.emulator.pin_reset import PinDigest, PinReset
from drivers.card.emulator.town_ap import TownAP
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
    SW_CONDITIONS_NOT_SATISFIED,
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
    digest: PinDigest | None = None  # set by a PIN reset: the PIN kept only as a salted hash

    def matches(self, typed: bytes) -> bool:
        if self.digest is not None:
            return self.digest.matches(typed)
        return hmac.compare_digest(typed, self.secret)


@dataclass(frozen=True)
class _BinaryEF:
    data: bytes
    pin_ef: int | None = None  # readable only after this PIN is verified


@dataclass(frozen=True)
class _KeyEF:
    key: CardKey = field(repr=False)
    pin_ef: int | None  # None: an iPhone's key, released by its owner's confirmation


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
        town_ap: TownAP | None = None,
        helper_ap: HelperAP | None = None,
        reset_key: bytes | None = None,
        reset_pins: Mapping[int, PinDigest] | None = None,
    ) -> None:
        super().__init__()
        if kind not in TOKENS and kind != "iphone":
            raise ValueError(f"unknown card kind {kind!r}")
        if kind == "iphone" and (pin is not None or sign_pin is not None):
            raise ValueError("an iPhone has no PIN at the reader")
        if not 0 <= tries_left <= AUTH_PIN_TRIES:
            raise ValueError(f"tries_left must be 0..{AUTH_PIN_TRIES}")
        if isinstance(auth_key, ec.EllipticCurvePrivateKey) and auth_key.curve.name != "secp384r1":
            raise ValueError("an ECDSA user-authentication key must be on P-384")
        if atr is not None and not 2 <= len(atr) <= 33:
            raise ValueError("an ATR is 2 to 33 bytes")
        self.kind = kind
        self.atr = bytes(atr) if atr is not None else CONTACT_ATR
        phone = kind == "iphone"
        token = TOKENS["smartphone" if phone else kind].encode("ascii").ljust(TOKEN_LENGTH, b" ")
        auth_pin = (_Pin(b"", tries_left, AUTH_PIN_TRIES, usable=False) if pin is None
                    else _Pin(_pin_bytes(pin, "pin"), tries_left, AUTH_PIN_TRIES))
        self._pins = {} if phone else {EF_AUTH_PIN: auth_pin}
        self._files: dict[int, _BinaryEF | _KeyEF] = {
            EF_TOKEN: _BinaryEF(token),
            EF_AUTH_CERT: _BinaryEF(bytes(auth_cert_der)),
            EF_AUTH_CA: _BinaryEF(bytes(ca_cert_der)),
            EF_AUTH_KEY: _KeyEF(auth_key, None if phone else EF_AUTH_PIN),
        }
        self.town_ap = town_ap
        self.helper_ap = helper_ap
        self._in_helper = False  # the text-helper AP is the one selected
        self.phone = "waiting"  # an iPhone's owner: "waiting", "confirmed" or "declined"
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
        self._in_town_ap = False  # the town AP is the one selected
        self._current: int | None = None
        self._reset = PinReset(reset_key, self._pins, reset_pins)  # GET CHALLENGE, 2C

    def __repr__(self) -> str:
        return f"MyNumberCard(kind={self.kind!r}, tries_left={self.tries_left})"

    # --- counters a caller may persist ---------------------------------------------------------
    @property
    def tries_left(self) -> int:
        """Tries left on the user-authentication PIN (an iPhone's: always full)."""
        pin = self._pins.get(EF_AUTH_PIN)
        return AUTH_PIN_TRIES if pin is None else pin.tries_left

    @property
    def sign_tries_left(self) -> int | None:
        """Tries left on the signing PIN, None when the signing side is not modelled."""
        pin = self._pins.get(EF_SIGN_PIN)
        return None if pin is None else pin.tries_left

    @property
    def reset_pins(self) -> dict[int, PinDigest]:
        """The PINs a reset has set, as salted hashes by EF: what may be saved of them."""
        return self._reset.digests()

    @property
    def verified(self) -> bool:
        """Whether the user-authentication PIN is verified in this card session."""
        pin = self._pins.get(EF_AUTH_PIN)
        return pin is not None and pin.verified

    # --- the iPhone's owner ----------------------------------------------------------------------
    def phone_confirm(self) -> None:
        """The owner confirms with Face ID: the next signature is given."""
        self.phone = "confirmed"

    def phone_decline(self) -> None:
        """The owner declines on the phone: signing answers 69 85 until a reset."""
        self.phone = "declined"

    # --- power: a reset or power-off clears selection and verified states, keeps the counters --
    def _clear_session(self) -> None:
        self._ap_selected = self._in_town_ap = self._in_helper = False
        self._current = None
        self.phone = "waiting"
        self._reset.forget()
        for pin in self._pins.values():
            pin.verified = False
        if self.town_ap is not None:
            self.town_ap.clear()
        if self.helper_ap is not None:
            self.helper_ap.clear()

    # --- APDUs ---------------------------------------------------------------------------------
    def _handlers(self) -> dict[tuple[int, int], Handler]:
        return {
            (0x00, 0xA4): self._select,
            (0x00, 0xB0): self._read_binary,
            (0x00, 0x20): self._verify,
            (0x80, 0x2A): self._sign,
            (0x00, 0x88): self._internal_authenticate,
            (0x00, 0x84): lambda cmd: self._reset.get_challenge(cmd, self._jpki_ef()),
            (0x00, 0x2C): lambda cmd: self._reset.reset_retry_counter(cmd, self._jpki_ef()),
        }

    def _jpki_ef(self) -> int | None:
        """The JPKI AP's EF selected now (None with another AP selected)."""
        return None if self._in_town_ap or self._in_helper else self._current

    def _select(self, cmd: Command) -> tuple[int, bytes]:
        if not cmd.data:
            return SW_WRONG_LENGTH, b""
        if cmd.p1 == 0x04 and cmd.p2 == 0x00:  # by DF name, maybe partial, answering the FCI
            return self._select_by_name(cmd)
        if cmd.le is not None:
            return SW_WRONG_LENGTH, b""
        if cmd.p2 != 0x0C:
            return SW_WRONG_P1P2, b""
        if cmd.p1 == 0x04:
            if self.town_ap is not None and cmd.data == self.town_ap.aid:
                self._enter_town_ap()
                return SW_OK, b""
            if self.helper_ap is not None and cmd.data == self.helper_ap.aid:
                return self._enter_helper_ap()
            if cmd.data != JPKI_AID:
                return SW_FILE_NOT_FOUND, b""
            self._ap_selected, self._in_town_ap = True, False
            self._current = None
            if self.town_ap is not None:
                self.town_ap.clear()
            self._in_helper = False
            return SW_OK, b""
        if cmd.p1 == 0x02:
            if self._in_town_ap and self.town_ap is not None:
                return self.town_ap.select_ef(cmd)
            if self._in_helper and self.helper_ap is not None:
                return self.helper_ap.select_ef(cmd)
            if len(cmd.data) != 2:
                return SW_WRONG_LENGTH, b""
            fid = int.from_bytes(cmd.data, "big")
            if not self._ap_selected or (fid not in self._files and fid not in self._pins):
                return SW_FILE_NOT_FOUND, b""
            self._current = fid
            return SW_OK, b""
        return SW_WRONG_P1P2, b""

    def _select_by_name(self, cmd: Command) -> tuple[int, bytes]:
        """SELECT by DF name, P2 00: the town AP whose AID starts with the data, with its FCI."""
        town = self.town_ap
        if town is None or not town.aid.startswith(cmd.data):
            return SW_FILE_NOT_FOUND, b""
        if cmd.le is not None and cmd.le < len(town.fci()):
            return SW_WRONG_LENGTH, b""
        self._enter_town_ap()
        return SW_OK, town.fci()

    def _enter_town_ap(self) -> None:
        assert self.town_ap is not None
        for pin in self._pins.values():  # leaving the JPKI AP clears its security state
            pin.verified = False
        self._ap_selected, self._in_town_ap, self._current = False, True, None
        self.town_ap.clear()
        self._in_helper = False

    def _enter_helper_ap(self) -> tuple[int, bytes]:
        self._clear_session()  # leaving the JPKI or a town AP clears their security state
        self._in_helper = True
        return SW_OK, b""

    def _internal_authenticate(self, cmd: Command) -> tuple[int, bytes]:
        if not self._in_town_ap or self.town_ap is None:
            return SW_CONDITIONS_NOT_SATISFIED, b""
        return self.town_ap.internal_authenticate(cmd)

    def _read_binary(self, cmd: Command) -> tuple[int, bytes]:
        if cmd.p1 & 0x80:  # short EF identifier addressing: not modelled
            return SW_WRONG_P1P2, b""
        if cmd.le is None or cmd.data:
            return SW_WRONG_LENGTH, b""
        if self._in_town_ap and self.town_ap is not None:
            return self.town_ap.read_binary(cmd)
        if self._in_helper and self.helper_ap is not None:
            return self.helper_ap.read_binary(cmd)
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
        if self._in_town_ap and self.town_ap is not None:
            return self.town_ap.verify(cmd)
        if self._in_helper and self.helper_ap is not None:
            return self.helper_ap.verify(cmd)
        pin = self._pins.get(self._current) if self._current is not None else None
        if pin is None:
            return SW_NO_CURRENT_EF, b""
        if not pin.usable:  # face-authentication card: no PIN to try, nothing spent
            return SW_REF_DATA_BLOCKED, b""
        if pin.tries_left == 0:  # locked: no tries left, and none spent
            return 0x63C0, b""
        if not cmd.data:  # retry-counter query: spends no try
            return 0x63C0 | pin.tries_left, b""
        if pin.matches(cmd.data):
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
        if ef.pin_ef is None:  # an iPhone: its owner's word on the phone, once
            if self.phone != "confirmed":
                return (SW_CONDITIONS_NOT_SATISFIED if self.phone == "declined"
                        else SW_SECURITY_NOT_SATISFIED), b""
            self.phone = "waiting"
        elif not self._pins[ef.pin_ef].verified:
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
