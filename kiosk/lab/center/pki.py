"""The test JPKI (a CA, residents' user-authentication certificates, the CRL) and the center's
document-signing key.

User-authentication certificates carry no personal data. Their serial is derived from the
resident id (``serial_for``), so the center maps a presented certificate back to the resident
without state shared with whoever issued the card. RSA keys are slow to make, so the shared CA and
every card key are cached per process. A card's key is RSA-2048 or, on the next-generation card,
ECDSA P-384 (``issue_card_ec``); the CA is RSA for both (``pki_certs`` says why).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import ClassVar

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

from kiosk.lab.center.pki_certs import (
    CA_COMMON_NAME,
    CardKey,
    key_pem,
    load_card_key,
    load_rsa_key,
    make_ca,
    new_p384_key,
    new_rsa_key,
    user_cert,
    write_private,
)

__all__ = ["CA_COMMON_NAME", "CardCredentials", "CenterKeys", "EcCardCredentials", "TestJPKI",
           "serial_for", "verify_binding"]

CERT_STATES = ("valid", "revoked", "expired")

_CA_KEY_FILE = "ca-key.pem"
_CA_CERT_FILE = "ca-cert.pem"
_CARDS_DIR = "cards"
_CARD_SUFFIX = ".key.pem"
_SAFE_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*")
EC_PREFIX = "p384-"  # ECDSA P-384 card keys are kept as "p384-<resident id>"


def serial_for(resident_id: str) -> int:
    """The serial of a resident's user-authentication certificate: positive, below 2**159."""
    digest = hashlib.sha256(b"jpki-auth:" + resident_id.encode()).digest()
    return (int.from_bytes(digest[:20], "big") >> 1) or 1


def _subject_for(resident_id: str) -> x509.Name:
    """An opaque subject: nothing in it says who the holder is."""
    opaque = hashlib.sha256(b"jpki-subject:" + resident_id.encode()).hexdigest()[:32].upper()
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                      x509.NameAttribute(NameOID.COMMON_NAME, opaque)])


def _utc(now: datetime) -> datetime:
    return now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)


MAX_VERIFIED = 4096  # certificates whose signature check is remembered (then forgotten at once)
_UNSEEN = object()

SIGNING_PREFIX = "sign-"  # card keys of the signing side are kept as "sign-<resident id>"


@dataclass(frozen=True)
class CardCredentials:
    """What a card carries: its private key, its certificate and the CA's certificate."""

    key: rsa.RSAPrivateKey
    cert_der: bytes
    ca_cert_der: bytes


@dataclass(frozen=True)
class EcCardCredentials:
    """What a next-generation card carries: an ECDSA P-384 key, its certificate, the CA's."""

    key: ec.EllipticCurvePrivateKey
    cert_der: bytes
    ca_cert_der: bytes


class TestJPKI:
    """A test JPKI CA: issues user-authentication certificates, keeps the CRL, checks validity."""

    __test__ = False  # a pytest-looking name that is not a test class

    _lock: ClassVar[threading.Lock] = threading.Lock()
    _shared_ca: ClassVar[tuple[rsa.RSAPrivateKey, x509.Certificate] | None] = None
    _card_keys: ClassVar[dict[tuple[str, str], rsa.RSAPrivateKey]] = {}
    _ec_keys: ClassVar[dict[tuple[str, str], ec.EllipticCurvePrivateKey]] = {}
    # Certificates issued, by CA, subject, state and time: a replay that places the same card
    # at the same virtual moment gets the same certificate without signing it again.
    _issued: ClassVar[dict[tuple[str, str, str, datetime], CardCredentials]] = {}
    _issued_ec: ClassVar[dict[tuple[str, str, str, datetime], EcCardCredentials]] = {}
    ISSUED_KEPT: ClassVar[int] = 4096

    def __init__(self, ca_key: rsa.RSAPrivateKey | None = None,
                 ca_cert: x509.Certificate | None = None) -> None:
        """Use the given CA, or with none the CA shared by every TestJPKI of this process."""
        if (ca_key is None) != (ca_cert is None):
            raise ValueError("give both the CA key and the CA certificate, or neither")
        if ca_key is None or ca_cert is None:
            ca_key, ca_cert = self._process_ca()
        elif ca_cert.public_key() != ca_key.public_key():
            raise ValueError("the CA certificate does not belong to the CA key")
        self._ca_key = ca_key
        self._ca_cert = ca_cert
        self._ca_der = ca_cert.public_bytes(serialization.Encoding.DER)
        spki = ca_key.public_key().public_bytes(serialization.Encoding.DER,
                                                serialization.PublicFormat.SubjectPublicKeyInfo)
        self._ca_id = hashlib.sha256(spki).hexdigest()
        self._residents: dict[int, str] = {}
        self._revoked: set[int] = set()
        self._verified: dict[bytes, x509.Certificate | None] = {}  # by DER: signed by this CA?
        self._secret: bytes | None = None  # what symmetric_key derives from, made once

    @classmethod
    def with_new_ca(cls) -> TestJPKI:
        """A TestJPKI with a CA of its own, not the process's shared one."""
        key = new_rsa_key()
        return cls(key, make_ca(key))

    @classmethod
    def _process_ca(cls) -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
        with cls._lock:
            if cls._shared_ca is None:
                key = new_rsa_key()
                cls._shared_ca = (key, make_ca(key))
            return cls._shared_ca

    # --- the CA ----------------------------------------------------------------------------------
    @property
    def ca_cert_der(self) -> bytes:
        return self._ca_der

    @property
    def ca_certificate(self) -> x509.Certificate:
        return self._ca_cert

    def card_key(self, resident_id: str) -> rsa.RSAPrivateKey:
        """The resident's card key under this CA, made once per process."""
        slot = (self._ca_id, resident_id)
        with self._lock:
            key = self._card_keys.get(slot)
            if key is None:
                key = self._card_keys[slot] = new_rsa_key()
            return key

    def card_key_ec(self, resident_id: str) -> ec.EllipticCurvePrivateKey:
        """The resident's next-generation (ECDSA P-384) card key under this CA, made once."""
        slot = (self._ca_id, resident_id)
        with self._lock:
            key = self._ec_keys.get(slot)
            if key is None:
                key = self._ec_keys[slot] = new_p384_key()
            return key

    def symmetric_key(self, purpose: str, name: str) -> bytes:
        """A 16-byte AES key the card and the center share (a card AP's key, the card's PIN-reset
        key), derived from this CA's private key: every process holding the CA has it."""
        if not purpose or not name:
            raise ValueError("a symmetric key needs a purpose and a name")
        with self._lock:
            secret = self._secret
            if secret is None:
                der = self._ca_key.private_bytes(serialization.Encoding.DER,
                                                 serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption())
                secret = self._secret = hashlib.sha256(b"kiosk-lab-card-keys/v1\n" + der).digest()
        message = f"{purpose}\n{name}".encode()
        return hmac.new(secret, message, hashlib.sha256).digest()[:16]

    def register(self, resident_id: str, cert_state: str = "valid") -> None:
        """Know this resident's serial, and put it on the CRL if its certificate is revoked."""
        if cert_state not in CERT_STATES:
            raise ValueError(f"cert_state must be one of {', '.join(CERT_STATES)}")
        serial = serial_for(resident_id)
        self._residents[serial] = resident_id
        if cert_state == "revoked":
            self._revoked.add(serial)
        else:
            self._revoked.discard(serial)

    def resident_for_serial(self, serial: int) -> str | None:
        return self._residents.get(serial)

    def issue_card(self, resident_id: str, cert_state: str, now: datetime) -> CardCredentials:
        """A card for the resident whose certificate is ``cert_state`` at ``now``."""
        self.register(resident_id, cert_state)
        slot = (self._ca_id, resident_id, cert_state, now)
        with self._lock:
            issued = self._issued.get(slot)
        return issued or self._keep(slot, self._issue_card(resident_id, cert_state, now))

    def _keep(self, slot: tuple[str, str, str, datetime],
              credentials: CardCredentials) -> CardCredentials:
        with self._lock:
            if len(self._issued) >= self.ISSUED_KEPT:
                self._issued.clear()
            self._issued[slot] = credentials
        return credentials

    def _validity(self, cert_state: str, now: datetime) -> tuple[datetime, datetime]:
        now = _utc(now)
        if cert_state == "expired":
            return now - timedelta(days=6 * 365), now - timedelta(days=1)
        return now - timedelta(days=365), now + timedelta(days=4 * 365)

    def _user_cert(self, resident_id: str, key: CardKey, cert_state: str,
                   now: datetime) -> bytes:
        not_before, not_after = self._validity(cert_state, now)
        return user_cert(self._ca_key, self._ca_cert, _subject_for(resident_id),
                         serial_for(resident_id), key, not_before, not_after)

    def _issue_card(self, resident_id: str, cert_state: str, now: datetime) -> CardCredentials:
        key = self.card_key(resident_id)
        return CardCredentials(key, self._user_cert(resident_id, key, cert_state, now),
                               self._ca_der)

    def issue_card_ec(self, resident_id: str, cert_state: str,
                      now: datetime) -> EcCardCredentials:
        """A next-generation card (ECDSA P-384 key) for the resident, ``cert_state`` at
        ``now``: the same serial and subject as the RSA card's, so the center finds the
        resident the same way."""
        self.register(resident_id, cert_state)
        slot = (self._ca_id, resident_id, cert_state, now)
        with self._lock:
            issued = self._issued_ec.get(slot)
        if issued is not None:
            return issued
        key = self.card_key_ec(resident_id)
        issued = EcCardCredentials(key, self._user_cert(resident_id, key, cert_state, now),
                                   self._ca_der)
        with self._lock:
            if len(self._issued_ec) >= self.ISSUED_KEPT:
                self._issued_ec.clear()
            self._issued_ec[slot] = issued
        return issued

    def issue_signing(self, resident_id: str, now: datetime) -> CardCredentials:
        """The card's signing (電子署名) key and certificate: a key of its own, the same CA."""
        slot = (self._ca_id, SIGNING_PREFIX + resident_id, "valid", now)
        with self._lock:
            issued = self._issued.get(slot)
        return issued or self._keep(slot, self._issue_signing(resident_id, now))

    def _issue_signing(self, resident_id: str, now: datetime) -> CardCredentials:
        key = self.card_key(SIGNING_PREFIX + resident_id)
        now = _utc(now)
        der = user_cert(self._ca_key, self._ca_cert, _subject_for(SIGNING_PREFIX + resident_id),
                        serial_for(SIGNING_PREFIX + resident_id), key,
                        now - timedelta(days=365), now + timedelta(days=4 * 365), signing=True)
        return CardCredentials(key, der, self._ca_der)

    def crl(self, now: datetime | None = None) -> x509.CertificateRevocationList:
        """The CRL of this CA, listing the revoked certificates it knows."""
        now = _utc(now or datetime.now(UTC))
        builder = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(self._ca_cert.subject)
            .last_update(now)
            .next_update(now + timedelta(days=1))
        )
        for serial in sorted(self._revoked):
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(now).build())
        return builder.sign(self._ca_key, hashes.SHA256())

    def check(self, cert_der: bytes, now: datetime) -> str:
        """The validity of a presented certificate: valid, revoked, expired or untrusted.

        Untrusted: not a certificate, not issued by this CA, not an end-entity signing
        certificate, or not yet valid. The CA's signature on a certificate is checked once per
        process (a card presents the same certificate every time); its dates and the CRL every
        time.
        """
        cert = self._verified.get(cert_der, _UNSEEN)
        if cert is _UNSEEN:
            cert = self._verify(cert_der)
            if len(self._verified) >= MAX_VERIFIED:
                self._verified.clear()
            self._verified[cert_der] = cert
        if not isinstance(cert, x509.Certificate):
            return "untrusted"
        now = _utc(now)
        if now < cert.not_valid_before_utc:
            return "untrusted"
        if now > cert.not_valid_after_utc:
            return "expired"
        if cert.serial_number in self._revoked:
            return "revoked"
        return "valid"

    def _verify(self, cert_der: bytes) -> x509.Certificate | None:
        """The certificate if this CA signed it as an end-entity signing certificate."""
        try:
            cert = x509.load_der_x509_certificate(cert_der)
            if cert.issuer != self._ca_cert.subject or not self._is_user_cert(cert):
                return None
            algorithm = cert.signature_hash_algorithm
            if algorithm is None:
                return None
            self._ca_key.public_key().verify(cert.signature, cert.tbs_certificate_bytes,
                                             padding.PKCS1v15(), algorithm)
        except (ValueError, TypeError, InvalidSignature, UnsupportedAlgorithm):
            return None
        return cert

    @staticmethod
    def _is_user_cert(cert: x509.Certificate) -> bool:
        """An end-entity certificate for signatures (so never the CA certificate itself)."""
        extensions = cert.extensions
        try:
            if extensions.get_extension_for_class(x509.BasicConstraints).value.ca:
                return False
        except x509.ExtensionNotFound:
            pass
        try:
            return extensions.get_extension_for_class(x509.KeyUsage).value.digital_signature
        except x509.ExtensionNotFound:
            return False

    # --- sharing with another process ------------------------------------------------------------
    def save(self, directory: str | Path) -> None:
        """Write the CA key and certificate and the card keys made under it as PEM files."""
        with self._lock:
            mine: list[tuple[str, CardKey]] = [
                (rid, key) for (ca_id, rid), key in self._card_keys.items()
                if ca_id == self._ca_id]
            mine += [(EC_PREFIX + rid, key) for (ca_id, rid), key in self._ec_keys.items()
                     if ca_id == self._ca_id]
        for resident_id, _ in mine:
            if not _SAFE_ID.fullmatch(resident_id):
                raise ValueError(f"resident id {resident_id!r} cannot be a file name")
        root = Path(directory)
        cards = root / _CARDS_DIR
        cards.mkdir(parents=True, exist_ok=True)
        write_private(root / _CA_KEY_FILE, key_pem(self._ca_key))
        (root / _CA_CERT_FILE).write_bytes(self._ca_cert.public_bytes(serialization.Encoding.PEM))
        for resident_id, key in mine:
            write_private(cards / f"{resident_id}{_CARD_SUFFIX}", key_pem(key))

    @classmethod
    def load(cls, directory: str | Path) -> TestJPKI:
        """The TestJPKI saved in ``directory``; its card keys join this process's cache."""
        root = Path(directory)
        ca_cert = x509.load_pem_x509_certificate((root / _CA_CERT_FILE).read_bytes())
        pki = cls(load_rsa_key(root / _CA_KEY_FILE), ca_cert)
        cards = root / _CARDS_DIR
        for path in sorted(cards.glob(f"*{_CARD_SUFFIX}")) if cards.is_dir() else []:
            resident_id = path.name[: -len(_CARD_SUFFIX)]
            key = load_card_key(path)
            with cls._lock:
                if isinstance(key, ec.EllipticCurvePrivateKey):
                    resident_id = resident_id.removeprefix(EC_PREFIX)
                    cls._ec_keys[(pki._ca_id, resident_id)] = key
                else:
                    cls._card_keys[(pki._ca_id, resident_id)] = key
            pki._residents[serial_for(resident_id)] = resident_id
        return pki


# --- the center's document-signing key -----------------------------------------------------------
class CenterKeys:
    """The center's Ed25519 key that binds each document to its order."""

    def __init__(self, private_key: Ed25519PrivateKey | None = None) -> None:
        self._key = private_key or Ed25519PrivateKey.generate()

    def sign(self, message: bytes) -> bytes:
        return self._key.sign(message)

    def public_key_bytes(self) -> bytes:
        """The raw 32-byte public key."""
        return self._key.public_key().public_bytes_raw()


def verify_binding(public_key_raw: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the center's Ed25519 signature of ``message``."""
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(signature, message)
    except (ValueError, InvalidSignature):
        return False
    return True
