"""The test JPKI: certificate states, signatures, serial -> resident, the CRL, sharing, caching."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from kiosk.center.protocol import auth_message, binding_message
from kiosk.lab.center.pki import (
    CA_COMMON_NAME,
    CardCredentials,
    CenterKeys,
    TestJPKI,
    serial_for,
    verify_binding,
)

NOW = datetime(2026, 11, 21, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki() -> TestJPKI:
    return TestJPKI()


@pytest.fixture(scope="module")
def cards(pki: TestJPKI) -> dict[str, CardCredentials]:
    return {state: pki.issue_card(f"pki-{state}", state, NOW)
            for state in ("valid", "revoked", "expired")}


def cert_of(creds: CardCredentials) -> x509.Certificate:
    return x509.load_der_x509_certificate(creds.cert_der)


@pytest.mark.parametrize("state", ["valid", "revoked", "expired"])
def test_issued_state_is_what_check_says(pki: TestJPKI, cards: dict[str, CardCredentials],
                                         state: str) -> None:
    assert pki.check(cards[state].cert_der, NOW) == state


def test_expiry_follows_the_clock(pki: TestJPKI, cards: dict[str, CardCredentials]) -> None:
    valid = cards["valid"].cert_der
    assert pki.check(valid, NOW + timedelta(days=4 * 365 - 1)) == "valid"
    assert pki.check(valid, NOW + timedelta(days=4 * 365 + 1)) == "expired"
    assert pki.check(valid, NOW - timedelta(days=400)) == "untrusted"  # not yet valid
    assert pki.check(valid, NOW.replace(tzinfo=None)) == "valid"  # naive means UTC


def test_untrusted(pki: TestJPKI, cards: dict[str, CardCredentials]) -> None:
    valid = cards["valid"].cert_der
    assert pki.check(b"", NOW) == "untrusted"
    assert pki.check(b"not a certificate", NOW) == "untrusted"
    assert pki.check(valid[:-10], NOW) == "untrusted"
    tampered = bytearray(valid)
    tampered[-5] ^= 0x01  # inside the signature
    assert pki.check(bytes(tampered), NOW) == "untrusted"
    assert pki.check(pki.ca_cert_der, NOW) == "untrusted"  # the CA is not a card


def test_a_certificate_from_another_ca_of_the_same_name_is_untrusted(pki: TestJPKI) -> None:
    other = TestJPKI.with_new_ca()
    assert other.ca_certificate.subject == pki.ca_certificate.subject
    forged = other.issue_card("pki-valid", "valid", NOW)
    assert other.check(forged.cert_der, NOW) == "valid"
    assert pki.check(forged.cert_der, NOW) == "untrusted"


def test_the_card_key_signs_what_the_certificate_verifies(
        cards: dict[str, CardCredentials]) -> None:
    creds = cards["valid"]
    message = auth_message(b"\x01" * 32, "store-0001")
    signature = creds.key.sign(message, padding.PKCS1v15(), hashes.SHA256())
    public = cert_of(creds).public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


def test_the_certificates_carry_no_personal_data(pki: TestJPKI,
                                                 cards: dict[str, CardCredentials]) -> None:
    ca = x509.load_der_x509_certificate(cards["valid"].ca_cert_der)
    assert ca.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value == CA_COMMON_NAME
    assert cards["valid"].ca_cert_der == pki.ca_cert_der
    cert = cert_of(cards["valid"])
    assert "pki-valid" not in cert.subject.rfc4514_string()
    assert [a.oid for a in cert.subject] == [x509.NameOID.COUNTRY_NAME,
                                            x509.NameOID.COMMON_NAME]
    assert len(cert.extensions) == 4  # constraints, key usage, key identifiers: nothing else
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and not usage.key_cert_sign
    assert cert.public_key().key_size == 2048
    assert cert.not_valid_before_utc == NOW - timedelta(days=365)
    assert cert.not_valid_after_utc == NOW + timedelta(days=4 * 365)


def test_serial_maps_back_to_the_resident(pki: TestJPKI,
                                          cards: dict[str, CardCredentials]) -> None:
    serial = cert_of(cards["revoked"]).serial_number
    assert serial == serial_for("pki-revoked")
    assert 0 < serial < 2**159
    assert pki.resident_for_serial(serial) == "pki-revoked"
    assert pki.resident_for_serial(serial_for("never-seen")) is None
    fresh = TestJPKI()  # knows no resident until told
    assert fresh.resident_for_serial(serial) is None
    fresh.register("pki-revoked")
    assert fresh.resident_for_serial(serial) == "pki-revoked"
    assert serial_for("r001") != serial_for("r002")


def test_the_crl_lists_exactly_the_revoked(pki: TestJPKI,
                                           cards: dict[str, CardCredentials]) -> None:
    crl = pki.crl(NOW)
    assert crl.is_signature_valid(pki.ca_certificate.public_key())
    assert crl.issuer == pki.ca_certificate.subject
    assert {r.serial_number for r in crl} == {serial_for("pki-revoked")}
    local = TestJPKI()
    local.register("crl-a", "revoked")
    local.register("crl-b", "valid")
    assert {r.serial_number for r in local.crl(NOW)} == {serial_for("crl-a")}
    local.register("crl-a", "valid")  # reinstated
    assert list(local.crl(NOW)) == []
    with pytest.raises(ValueError, match="cert_state"):
        local.register("crl-c", "lost")


def test_keys_and_the_ca_are_cached_per_process(pki: TestJPKI) -> None:
    again = TestJPKI()
    assert again.ca_cert_der == pki.ca_cert_der
    assert again.card_key("pki-valid") is pki.card_key("pki-valid")
    assert again.issue_card("pki-valid", "valid", NOW).key is pki.card_key("pki-valid")
    assert TestJPKI.with_new_ca().ca_cert_der != pki.ca_cert_der


def test_save_and_load_share_the_ca_and_the_card_keys(pki: TestJPKI, tmp_path: Path,
                                                      cards: dict[str, CardCredentials]) -> None:
    pki.save(tmp_path)
    assert stat.S_IMODE((tmp_path / "ca-key.pem").stat().st_mode) == 0o600
    on_disk = serialization.load_pem_private_key(
        (tmp_path / "cards" / "pki-valid.key.pem").read_bytes(), password=None)
    assert on_disk.private_numbers() == pki.card_key("pki-valid").private_numbers()
    loaded = TestJPKI.load(tmp_path)
    assert loaded.ca_cert_der == pki.ca_cert_der
    assert loaded.check(cards["valid"].cert_der, NOW) == "valid"
    assert loaded.resident_for_serial(serial_for("pki-expired")) == "pki-expired"
    saved_key = loaded.card_key("pki-valid")
    assert saved_key.private_numbers() == pki.card_key("pki-valid").private_numbers()
    # a certificate issued by the loaded copy verifies in the original
    assert pki.check(loaded.issue_card("pki-valid", "valid", NOW).cert_der, NOW) == "valid"


def test_a_next_generation_card_has_a_p384_key_the_same_serial_and_an_rsa_ca(
        pki: TestJPKI, tmp_path: Path) -> None:
    creds = pki.issue_card_ec("pki-ec", "valid", NOW)
    cert = x509.load_der_x509_certificate(creds.cert_der)
    public = cert.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp384r1"
    assert cert.serial_number == serial_for("pki-ec")
    assert pki.check(creds.cert_der, NOW) == "valid"
    assert isinstance(pki.ca_certificate.public_key(), rsa.RSAPublicKey)
    assert pki.issue_card_ec("pki-ec", "valid", NOW) is creds  # issued once per moment
    pki.save(tmp_path)
    loaded = TestJPKI.load(tmp_path)
    assert loaded.card_key_ec("pki-ec").private_numbers() == creds.key.private_numbers()
    assert loaded.card_key("pki-valid").private_numbers() == \
        pki.card_key("pki-valid").private_numbers()


def test_a_foreign_ca_key_and_cert_must_match() -> None:
    pki = TestJPKI()
    other = TestJPKI.with_new_ca()
    with pytest.raises(ValueError, match="does not belong"):
        TestJPKI(pki._ca_key, other.ca_certificate)
    with pytest.raises(ValueError, match="both"):
        TestJPKI(pki._ca_key, None)


# --- the center's document-binding key ---------------------------------------------------------
def test_center_signature_binds_the_document() -> None:
    keys = CenterKeys()
    public = keys.public_key_bytes()
    assert len(public) == 32
    message = binding_message("order-1", "ab" * 32)
    signature = keys.sign(message)
    assert verify_binding(public, message, signature)
    assert not verify_binding(public, binding_message("order-2", "ab" * 32), signature)
    assert not verify_binding(CenterKeys().public_key_bytes(), message, signature)
    assert not verify_binding(public[:31], message, signature)
    assert not verify_binding(public, message, signature[:-1])
