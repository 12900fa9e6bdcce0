"""The test JPKI's keys and certificates as objects and files: the CA certificate, a card's
user-authentication certificate (for an RSA-2048 or an ECDSA P-384 key), PEM in and out.

The CA stays RSA-2048 whatever the card's key: one trust anchor and one CRL for both card
generations (as the center must trust both while the next-generation card is issued), state
directories written before the EC card existed load unchanged, and the fleet kit and OpenSC
interop keep their RSA cards. What the next-generation card changes — the card's own key and
signature — is what the test exercises.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.x509.oid import NameOID

CA_COMMON_NAME = "JPKI Test CA (simulated)"
KEY_BITS = 2048
# The CA outlives any clock a test or a replay may set.
CA_NOT_BEFORE = datetime(2015, 1, 1, tzinfo=UTC)
CA_NOT_AFTER = datetime(2099, 12, 31, tzinfo=UTC)
CARD_KEYS = ("rsa2048", "ecdsa-p384")
CardKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)


def new_p384_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP384R1())


def make_ca(key: rsa.RSAPrivateKey) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                      x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME)])
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(CA_NOT_BEFORE)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=False, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )


def user_cert(ca_key: rsa.RSAPrivateKey, ca_cert: x509.Certificate, subject: x509.Name,
              serial: int, key: CardKey, not_before: datetime, not_after: datetime,
              signing: bool = False) -> bytes:
    """A user-authentication certificate (DER) for ``key``, signed by the CA; with ``signing``
    the signing (電子署名) certificate instead: non-repudiation, no key identifiers."""
    public = key.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=signing, key_encipherment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False,
            crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    )
    if not signing:
        builder = (
            builder
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False))
    cert = builder.sign(ca_key, hashes.SHA256())
    return cert.public_bytes(serialization.Encoding.DER)


def write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def key_pem(key: CardKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def load_card_key(path: Path) -> CardKey:
    """An RSA or an ECDSA P-384 private key from a PEM file; ValueError for anything else."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if isinstance(key, rsa.RSAPrivateKey):
        return key
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp384r1":
        return key
    raise ValueError(f"{path}: not an RSA nor a P-384 private key")


def load_rsa_key(path: Path) -> rsa.RSAPrivateKey:
    key = load_card_key(path)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError(f"{path}: not an RSA private key")
    return key


P384_BYTES = 48


def card_signature_valid(public: object, signature: bytes, message: bytes) -> bool:
    """Whether a card signed ``message``: RSA PKCS #1 v1.5 over SHA-256, or ECDSA P-384 over
    SHA-384 answered as r‖s (96 bytes, made DER here for cryptography). ValueError for a key
    that is neither."""
    if isinstance(public, rsa.RSAPublicKey):
        try:
            public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True
    if isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp384r1":
        if len(signature) != 2 * P384_BYTES:
            return False
        r = int.from_bytes(signature[:P384_BYTES], "big")
        s = int.from_bytes(signature[P384_BYTES:], "big")
        try:
            public.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))
        except InvalidSignature:
            return False
        return True
    raise ValueError(f"{type(public).__name__} is not an RSA nor a P-384 key")
