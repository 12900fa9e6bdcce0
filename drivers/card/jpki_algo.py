"""How a card signs, read from its user-authentication certificate (never from the ATR).

An RSA key signs a PKCS #1 v1.5 DigestInfo of SHA-256; an ECDSA P-384 key (the next-generation
card) signs the 48-byte SHA-384 hash and answers r‖s. Anything else is card-unsupported.
"""

from __future__ import annotations

import hashlib
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from kiosk.vocabulary.reasons import CardError, Reason

Scheme = Literal["rsa-sha256", "ecdsa-p384-sha384"]


def scheme_of(cert_der: bytes) -> Scheme:
    """The signing scheme of the certificate's key; CardError(card-unsupported) otherwise."""
    try:
        key = x509.load_der_x509_certificate(cert_der).public_key()
    except (ValueError, TypeError):
        raise CardError("the user-authentication certificate cannot be parsed") from None
    except Exception as exc:  # an unsupported key algorithm, among others
        raise CardError(f"certificate key: {type(exc).__name__}",
                        reason=Reason.CARD_UNSUPPORTED) from None
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa-sha256"
    if isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1":
        return "ecdsa-p384-sha384"
    raise CardError(f"certificate key {type(key).__name__} is not RSA nor ECDSA P-384",
                    reason=Reason.CARD_UNSUPPORTED)


def sha384(message: bytes) -> bytes:
    """The 48-byte hash an ECDSA P-384 card signs."""
    return hashlib.sha384(message).digest()
