"""The JPKI protocol over any connection with pyscard's ``transmit(apdu) -> (data, sw1, sw2)``.

Every failure comes out as a typed ``CardError`` (or ``PinWrong`` / ``PinLocked`` /
``FaceAuthCard``: a PIN that is not usable, ``69 84``, is not a locked one, ``63 C0``); malformed
responses never escape as ``IndexError`` and the like. The PIN goes into one APDU buffer that is
overwritten with zeros after sending; it is never logged nor put in an exception.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from drivers.card.jpki_spec import (
    AUTH_PIN_TRIES,
    CARD_NONCE_BYTES,
    DIGEST_INFO_PREFIXES,
    EF_AUTH_CERT,
    EF_AUTH_KEY,
    EF_AUTH_PIN,
    EF_TOKEN,
    JPKI_AID,
    KINDS,
    MAX_TRIES,
    RESET_MAC_BYTES,
    SW_AUTH_BLOCKED,
    SW_CLA_NOT_SUPPORTED,
    SW_END_OF_FILE,
    SW_FILE_NOT_FOUND,
    SW_FUNC_NOT_SUPPORTED,
    SW_INS_NOT_SUPPORTED,
    SW_OFFSET_BEYOND_END,
    SW_OK,
    SW_REF_DATA_BLOCKED,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_P1P2,
    TOKEN_LENGTH,
)
from kiosk.vocabulary.reasons import (
    CardError,
    FaceAuthCard,
    KioskError,
    PinLocked,
    PinWrong,
    Reason,
)

log = logging.getLogger(__name__)

CHUNK = 0xFF  # the largest READ BINARY asked for (short Le)
MAX_CERT_LENGTH = 0x2000  # a JPKI certificate is well under 2 KiB; refuse absurd DER lengths
MAX_GET_RESPONSE = 16  # bound on T=0 ``61xx`` response chaining
P384_BYTES = 48  # SHA-384 hash; r and s of an ECDSA P-384 signature each
_UNSUPPORTED_SW = {
    SW_FILE_NOT_FOUND,
    SW_FUNC_NOT_SUPPORTED,
    SW_WRONG_P1P2,
    SW_INS_NOT_SUPPORTED,
    SW_CLA_NOT_SUPPORTED,
    0x6999,  # applet selection failed
}
_PIN_BYTES = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


class Transmitter(Protocol):
    def transmit(self, apdu: list[int]) -> tuple[Sequence[int], int, int]: ...


@dataclass
class APDUStats:
    """APDUs sent and bytes carried each way (status words included in ``bytes_in``)."""

    apdus: int = 0
    bytes_out: int = 0
    bytes_in: int = 0


def digest_info_sha256(data: bytes) -> bytes:
    """The PKCS #1 DigestInfo of SHA-256(data): what the card signs."""
    return DIGEST_INFO_PREFIXES["sha256"] + hashlib.sha256(data).digest()


def status_error(sw: int, doing: str) -> CardError:
    """The typed error for an unexpected status word (which it keeps, as ``sw``)."""
    if sw in _UNSUPPORTED_SW:
        error = CardError(f"{doing}: status {sw:04X}", reason=Reason.CARD_UNSUPPORTED)
    elif sw == SW_SECURITY_NOT_SATISFIED:
        error = CardError(f"{doing}: security status not satisfied (PIN not verified)")
    else:
        error = CardError(f"{doing}: status {sw:04X}", reason=Reason.CARD_UNREADABLE)
    error.sw = sw
    return error


def _parse_response(result: Any) -> tuple[bytes, int]:
    """``(data, sw1, sw2)`` checked and turned into ``(bytes, sw)``; CardError if malformed."""
    try:
        data, sw1, sw2 = result
    except Exception:  # anything the connection hands back, even an odd iterable
        raise CardError("malformed response from the card") from None
    if not isinstance(data, (list, tuple, bytes, bytearray)):
        raise CardError("malformed response data from the card")
    if not all(isinstance(b, int) and 0 <= b <= 0xFF for b in (sw1, sw2)):
        raise CardError("malformed status word from the card")
    try:
        body = bytes(data)  # each an int of 0 to 255, or ValueError/TypeError
    except (ValueError, TypeError):
        raise CardError("malformed response data from the card") from None
    return body, (sw1 << 8) | sw2


class JPKIClient:
    """Talks to the JPKI AP of one card through ``conn.transmit``."""

    def __init__(self, conn: Transmitter, extended: bool = True) -> None:
        self.conn = conn
        self.stats = APDUStats()
        self.extended = extended  # try one extended-length READ BINARY for a certificate
        self._selected: int | None = None  # the EF selected last, so it is not selected twice

    # --- transport -----------------------------------------------------------------------------
    def _send(self, apdu: list[int], *, sensitive: bool = False) -> tuple[bytes, int]:
        """One APDU out, one checked response in; a failing ``transmit`` means the card left."""
        self.stats.apdus += 1
        self.stats.bytes_out += len(apdu)
        try:
            result = self.conn.transmit(apdu)
        except KioskError:
            raise
        except Exception as exc:
            error = CardError(f"transmit failed: {type(exc).__name__}", reason=Reason.CARD_REMOVED)
            if sensitive:  # the cause might carry the APDU, which holds the PIN
                raise error from None
            raise error from exc
        data, sw = _parse_response(result)
        self.stats.bytes_in += len(data) + 2
        log.debug("APDU INS %02X -> %04X (%d bytes)", apdu[1], sw, len(data))
        return data, sw

    def _exchange(self, apdu: list[int], *, sensitive: bool = False) -> tuple[bytes, int]:
        """``_send`` plus T=0 response chaining (``61xx`` -> GET RESPONSE), bounded."""
        data, sw = self._send(apdu, sensitive=sensitive)
        rounds = 0
        while sw >> 8 == 0x61:
            rounds += 1
            if rounds > MAX_GET_RESPONSE:
                raise CardError("card kept announcing more response data")
            more, sw = self._send([0x00, 0xC0, 0x00, 0x00, sw & 0xFF])
            data += more
        return data, sw

    def exchange(self, apdu: list[int]) -> tuple[bytes, int]:
        """One command for another AP of the card; a SELECT by name forgets the EF selected."""
        if apdu[1:3] == [0xA4, 0x04]:
            self._selected = None
        return self._exchange(apdu)

    # --- selection -----------------------------------------------------------------------------
    def select_ap(self) -> None:
        """SELECT the JPKI AP by its AID; a card without it is card-unsupported."""
        self._selected = None
        _, sw = self._exchange([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID), *JPKI_AID])
        if sw == SW_OK:
            return
        if sw >> 8 in (0x69, 0x6A, 0x6D, 0x6E):  # not found, not selectable, not understood
            raise CardError(f"no JPKI AP: status {sw:04X}", reason=Reason.CARD_UNSUPPORTED)
        raise status_error(sw, "select JPKI AP")

    def select_ef(self, fid: int) -> None:
        """SELECT an EF of the current AP by its file id (unless it is the one selected)."""
        if self._selected == fid:
            return
        self._selected = None
        _, sw = self._exchange([0x00, 0xA4, 0x02, 0x0C, 0x02, (fid >> 8) & 0xFF, fid & 0xFF])
        if sw != SW_OK:
            raise status_error(sw, f"select EF {fid:04X}")
        self._selected = fid

    # --- reading -------------------------------------------------------------------------------
    def read_binary(self, offset: int, length: int) -> bytes:
        """READ BINARY of the current EF: 1..``length`` bytes from ``offset`` (short form)."""
        if not 0 <= offset <= 0x7FFF or not 1 <= length <= 0x100:
            raise CardError(f"read of {length} bytes at {offset} is out of range")
        apdu = [0x00, 0xB0, offset >> 8, offset & 0xFF, length & 0xFF]
        data, sw = self._exchange(apdu)
        if sw == SW_OFFSET_BEYOND_END:
            raise CardError(f"read at offset {offset}: beyond the end of the file")
        if sw not in (SW_OK, SW_END_OF_FILE):
            raise status_error(sw, f"read at offset {offset}")
        if not 1 <= len(data) <= length:
            raise CardError(f"read at offset {offset}: {len(data)} bytes for {length} asked")
        return data

    def read_token(self) -> str:
        """The AP token of EF 0006, without its space padding."""
        self.select_ef(EF_TOKEN)
        raw = self.read_binary(0, TOKEN_LENGTH)
        try:
            return raw.decode("ascii").strip(" \x00")
        except UnicodeDecodeError:
            raise CardError("token is not ASCII", reason=Reason.CARD_UNSUPPORTED) from None

    def card_kind(self) -> str:
        """"mynumber", "smartphone" or "juki", from the token; anything else is unsupported."""
        token = self.read_token()
        kind = KINDS.get(token)
        if kind is None:
            raise CardError(f"unknown JPKI token {token!r}", reason=Reason.CARD_UNSUPPORTED)
        return kind

    def read_certificate(self, fid: int = EF_AUTH_CERT) -> bytes:
        """A DER certificate from its EF in the fewest APDUs the reader allows: one extended
        READ BINARY, or else short reads of up to 255 bytes, the first giving the DER length."""
        self.select_ef(fid)
        if self.extended:
            try:
                return self._read_certificate_extended()
            except CardError as exc:
                log.info("extended-length read refused (%s): short reads from now on", exc)
                self.extended = False
        head = self.read_binary(0, CHUNK)
        total = _der_total_length(head)
        data = bytearray(head[:total])
        budget = 2 * (total // CHUNK + 1) + 2  # short reads are tolerated, not forever
        while len(data) < total:
            budget -= 1
            if budget < 0:
                raise CardError("certificate read made too little progress")
            data += self.read_binary(len(data), min(CHUNK, total - len(data)))
        return bytes(data)

    def _read_certificate_extended(self) -> bytes:
        """The whole EF with one case-2E READ BINARY (Le 0000: as much as there is)."""
        data, sw = self._exchange([0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])
        if sw not in (SW_OK, SW_END_OF_FILE):
            raise status_error(sw, "extended read")
        total = _der_total_length(data)
        if len(data) < total:
            raise CardError("extended read returned less than the certificate")
        return bytes(data[:total])

    # --- PIN -----------------------------------------------------------------------------------
    def has_pin(self, pin_ef: int = EF_AUTH_PIN) -> bool:
        """Whether the PIN's EF is there (an iPhone has none: its owner confirms on the phone)."""
        try:
            self.select_ef(pin_ef)
        except CardError as exc:
            if exc.sw == SW_FILE_NOT_FOUND:
                return False
            raise
        return True

    def tries_left(self, pin_ef: int = EF_AUTH_PIN) -> int:
        """The PIN's retry counter, asked with an empty VERIFY (spends no try)."""
        self.select_ef(pin_ef)
        _, sw = self._exchange([0x00, 0x20, 0x00, 0x80])
        if sw >> 4 == 0x63C:
            return sw & 0x0F
        if sw == SW_REF_DATA_BLOCKED:
            raise FaceAuthCard("PIN not usable (face-authentication card)")
        if sw == SW_AUTH_BLOCKED:
            return 0
        if sw == SW_OK:  # already verified in this card session: the counter is full
            return MAX_TRIES.get(pin_ef, AUTH_PIN_TRIES)
        raise status_error(sw, "read PIN retry counter")

    def verify(self, pin: bytearray, pin_ef: int = EF_AUTH_PIN) -> None:
        """VERIFY the PIN; raises PinWrong (tries left) or PinLocked. The APDU is wiped after."""
        if not 4 <= len(pin) <= 16 or any(b not in _PIN_BYTES for b in pin):
            raise ValueError("a PIN is 4 to 16 ASCII letters or digits")
        self.select_ef(pin_ef)
        apdu = [0x00, 0x20, 0x00, 0x80, len(pin)]
        apdu.extend(pin)
        try:
            _, sw = self._exchange(apdu, sensitive=True)
        finally:
            apdu[:] = bytes(len(apdu))
        if sw == SW_OK:
            return
        if sw >> 4 == 0x63C:
            if sw & 0x0F:
                raise PinWrong(sw & 0x0F)
            raise PinLocked("wrong PIN, now locked")
        if sw == SW_REF_DATA_BLOCKED:
            raise FaceAuthCard("PIN not usable (face-authentication card)")
        if sw == SW_AUTH_BLOCKED:
            raise PinLocked("PIN locked")
        raise status_error(sw, "verify PIN")

    # --- signing -------------------------------------------------------------------------------
    def sign(self, digest_info: bytes, key_ef: int = EF_AUTH_KEY) -> bytes:
        """COMPUTE DIGITAL SIGNATURE (PKCS #1 v1.5) over a DigestInfo, after VERIFY."""
        if not 1 <= len(digest_info) <= 0xFF:
            raise ValueError("a DigestInfo is 1 to 255 bytes")
        self.select_ef(key_ef)
        data, sw = self._exchange([0x80, 0x2A, 0x00, 0x80, len(digest_info), *digest_info, 0x00])
        if sw != SW_OK:
            raise status_error(sw, "sign")
        if not data:
            raise CardError("sign: the card returned no signature")
        return data

    def sign_ecdsa(self, digest: bytes, key_ef: int = EF_AUTH_KEY) -> bytes:
        """COMPUTE DIGITAL SIGNATURE (ECDSA P-384) over a SHA-384 hash, after VERIFY: r‖s."""
        if len(digest) != P384_BYTES:
            raise ValueError("an ECDSA P-384 signature is over a 48-byte SHA-384 hash")
        self.select_ef(key_ef)
        data, sw = self._exchange([0x80, 0x2A, 0x00, 0x80, P384_BYTES, *digest, 0x00])
        if sw != SW_OK:
            raise status_error(sw, "sign")
        if len(data) != 2 * P384_BYTES:
            raise CardError(f"sign: {len(data)} bytes for an r‖s of {2 * P384_BYTES}")
        return data

    # --- PIN reset -----------------------------------------------------------------------------
    def get_challenge(self, pin_ef: int) -> bytes:
        """GET CHALLENGE with the PIN's EF selected: the card's single-use 8-byte reset nonce."""
        self.select_ef(pin_ef)
        data, sw = self._exchange([0x00, 0x84, 0x00, 0x00, CARD_NONCE_BYTES])
        if sw != SW_OK:
            raise status_error(sw, "get challenge")
        if len(data) != CARD_NONCE_BYTES:
            raise CardError(f"get challenge: {len(data)} bytes for {CARD_NONCE_BYTES}")
        return data

    def reset_retry_counter(self, pin_ef: int, authorisation: bytes, new_pin: bytearray) -> None:
        """RESET RETRY COUNTER ``00 2C 02 80``: authorisation ‖ new PIN; the APDU is wiped after."""
        if len(authorisation) != RESET_MAC_BYTES:
            raise ValueError(f"an authorisation is {RESET_MAC_BYTES} bytes")
        if not 4 <= len(new_pin) <= 16 or any(b not in _PIN_BYTES for b in new_pin):
            raise ValueError("a PIN is 4 to 16 ASCII letters or digits")
        self.select_ef(pin_ef)
        apdu = [0x00, 0x2C, 0x02, 0x80, RESET_MAC_BYTES + len(new_pin), *authorisation]
        apdu.extend(new_pin)
        try:
            data, sw = self._exchange(apdu, sensitive=True)
        finally:
            apdu[:] = bytes(len(apdu))
        if sw == SW_REF_DATA_BLOCKED:
            raise FaceAuthCard("PIN not usable (face-authentication card)")
        if sw != SW_OK:
            raise status_error(sw, "reset retry counter")
        if data:
            raise CardError("reset retry counter: the card answered data")


def _der_total_length(head: bytes) -> int:
    """Header plus content length of a DER SEQUENCE from its first bytes; CardError if bad."""
    if len(head) < 2 or head[0] != 0x30:
        raise CardError("certificate EF does not start with a DER SEQUENCE")
    first = head[1]
    if first < 0x80:
        header, length = 2, first
    elif first in (0x81, 0x82):
        header = 2 + (first & 0x7F)
        if len(head) < header:
            raise CardError("certificate DER header is cut short")
        length = int.from_bytes(head[2:header], "big")
    else:
        raise CardError(f"certificate DER length form {first:02X} is not supported")
    total = header + length
    if length == 0 or total > MAX_CERT_LENGTH:
        raise CardError(f"certificate DER length {length} is implausible")
    return total
