"""The cards residents bring in 2026 at the JPKI level: the next-generation card (ECDSA P-384,
SHA-384, r‖s), the face-authentication card (PIN not usable, 69 84, told apart from a locked
PIN, 63 C0), and a card answering with an ATR nobody lists."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from drivers.card.emulator import CONTACT_ATR, MyNumberCard
from drivers.card.inprocess import InProcessReader
from drivers.card.jpki import JPKIClient, digest_info_sha256
from drivers.card.jpki_algo import scheme_of, sha384
from drivers.card.jpki_port import JPKICardPort
from drivers.card.jpki_spec import EF_AUTH_KEY, EF_AUTH_PIN, JPKI_AID
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.pki_certs import make_ca, new_rsa_key
from kiosk.vocabulary.reasons import CardError, FaceAuthCard, PinLocked, Reason

NOW = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
PIN = "3842"
NEW_ATR = bytes.fromhex("3B8C8131FE45804A504B492D4E455854000035")


@pytest.fixture(scope="module")
def pki() -> TestJPKI:
    return TestJPKI()


def ec_card(pki: TestJPKI, pin: str | None = PIN, tries_left: int = 3) -> MyNumberCard:
    creds = pki.issue_card_ec("next-r020", "valid", NOW)
    return MyNumberCard("mynumber", pin, tries_left, creds.key, creds.cert_der,
                        creds.ca_cert_der)


def rsa_card(pki: TestJPKI, pin: str | None = PIN, tries_left: int = 3,
             atr: bytes | None = None) -> MyNumberCard:
    creds = pki.issue_card("next-r022", "valid", NOW)
    return MyNumberCard("mynumber", pin, tries_left, creds.key, creds.cert_der,
                        creds.ca_cert_der, atr=atr)


class Recorder:
    """A connection to ``card`` that keeps every APDU sent."""

    def __init__(self, card: MyNumberCard) -> None:
        self.card = card
        self.sent: list[list[int]] = []

    def transmit(self, apdu: list[int]) -> Any:
        self.sent.append(list(apdu))
        return self.card.transmit(apdu)


def port_on(card: MyNumberCard) -> tuple[JPKICardPort, Recorder]:
    card.power_on()
    recorder = Recorder(card)
    return JPKICardPort(lambda: recorder), recorder


def verify_r_s(cert_der: bytes, signature: bytes, message: bytes) -> None:
    key = x509.load_der_x509_certificate(cert_der).public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey) and key.curve.name == "secp384r1"
    r, s = int.from_bytes(signature[:48], "big"), int.from_bytes(signature[48:], "big")
    key.verify(encode_dss_signature(r, s), message, ec.ECDSA(hashes.SHA384()))


# --- the next-generation card ---------------------------------------------------------------
def test_ecdsa_card_signs_sha384_as_r_s_that_its_certificate_verifies(pki):
    port, recorder = port_on(ec_card(pki))
    assert port.open().tries_left == 3
    port.verify_pin(bytearray(PIN.encode()))
    signature = port.sign_message(b"challenge")
    cert = port.read_auth_certificate()
    assert len(signature) == 96
    verify_r_s(cert, signature, b"challenge")
    sign_apdu = next(a for a in recorder.sent if a[:4] == [0x80, 0x2A, 0x00, 0x80])
    assert sign_apdu[4] == 48 and bytes(sign_apdu[5:53]) == sha384(b"challenge")


def test_the_algorithm_comes_from_the_certificate_read_once_per_card_session(pki):
    for card in (ec_card(pki), rsa_card(pki)):
        port, recorder = port_on(card)
        port.open()
        port.verify_pin(bytearray(PIN.encode()))
        port.sign_message(b"challenge")
        before = len(recorder.sent)
        port.read_auth_certificate()
        assert len(recorder.sent) == before  # the certificate was read for the signature
        assert port.stats.apdus <= 10


def test_rsa_card_still_signs_a_sha256_digest_info(pki):
    port, recorder = port_on(rsa_card(pki))
    port.open()
    port.verify_pin(bytearray(PIN.encode()))
    port.sign_message(b"challenge")
    sign_apdu = next(a for a in recorder.sent if a[:2] == [0x80, 0x2A])
    assert bytes(sign_apdu[5:-1]) == digest_info_sha256(b"challenge")
    assert scheme_of(port.read_auth_certificate()) == "rsa-sha256"


def test_ecdsa_card_refuses_a_digest_info_or_a_hash_of_another_length(pki):
    card = ec_card(pki)
    card.power_on()
    client = JPKIClient(card)
    client.select_ap()
    client.verify(bytearray(PIN.encode()))
    client.select_ef(EF_AUTH_KEY)
    for data in (digest_info_sha256(b"x"), bytes(32), bytes(64)):
        _, sw1, sw2 = card.transmit([0x80, 0x2A, 0x00, 0x80, len(data), *data, 0x00])
        assert (sw1, sw2) == (0x6A, 0x80)


@pytest.mark.parametrize("length", [0, 1, 48, 95, 97, 256])
def test_an_ecdsa_answer_of_the_wrong_length_is_a_card_error(length):
    class Answers:
        def transmit(self, apdu: list[int]) -> Any:
            if apdu[:2] == [0x80, 0x2A]:
                return [7] * length, 0x90, 0x00
            return [], 0x90, 0x00

    with pytest.raises(CardError) as raised:
        JPKIClient(Answers()).sign_ecdsa(sha384(b"m"))
    assert raised.value.reason == Reason.CARD_UNREADABLE


def test_a_certificate_with_another_key_is_card_unsupported(pki):
    ca_key = new_rsa_key()
    ca = make_ca(ca_key)
    leaf = (x509.CertificateBuilder().subject_name(ca.subject).issuer_name(ca.subject)
            .public_key(ed25519.Ed25519PrivateKey.generate().public_key())
            .serial_number(1).not_valid_before(NOW).not_valid_after(NOW)
            .sign(ca_key, hashes.SHA256()))
    with pytest.raises(CardError) as raised:
        scheme_of(leaf.public_bytes(serialization.Encoding.DER))
    assert raised.value.reason == Reason.CARD_UNSUPPORTED
    with pytest.raises(CardError):
        scheme_of(b"\x30\x03\x02\x01\x00")


# --- the face-authentication card ------------------------------------------------------------
def test_face_auth_card_is_told_apart_from_a_locked_one_and_no_try_is_spent(pki):
    card = rsa_card(pki, pin=None)
    port, recorder = port_on(card)
    with pytest.raises(FaceAuthCard) as raised:
        port.open()
    assert raised.value.reason == Reason.FACE_AUTH_CARD
    verifies = [a for a in recorder.sent if a[:2] == [0x00, 0x20]]
    assert verifies == [[0x00, 0x20, 0x00, 0x80]]  # the retry-counter read only: no PIN sent
    assert card.tries_left == 3


def test_face_auth_card_answers_69_84_even_to_a_pin(pki):
    card = rsa_card(pki, pin=None)
    card.power_on()
    client = JPKIClient(card)
    client.select_ap()
    with pytest.raises(FaceAuthCard):
        client.verify(bytearray(b"1234"))
    assert card.tries_left == 3


def test_a_locked_card_answers_63_c0_and_is_pin_locked(pki):
    card = rsa_card(pki, tries_left=0)
    card.power_on()
    for apdu in ([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID), *JPKI_AID],
                 [0x00, 0xA4, 0x02, 0x0C, 0x02, EF_AUTH_PIN >> 8, EF_AUTH_PIN & 0xFF]):
        card.transmit(apdu)
    assert card.transmit([0x00, 0x20, 0x00, 0x80])[1:] == (0x63, 0xC0)
    port, _ = port_on(rsa_card(pki, tries_left=0))
    assert port.open().tries_left == 0
    with pytest.raises(PinLocked):
        port.verify_pin(bytearray(PIN.encode()))


# --- another ATR --------------------------------------------------------------------------------
def test_a_card_with_an_unfamiliar_atr_answers_it_and_signs_in(pki):
    card = rsa_card(pki, atr=NEW_ATR)
    reader = InProcessReader()
    reader.place(card)
    assert card.atr == NEW_ATR != CONTACT_ATR
    port = JPKICardPort(reader.connect)
    assert port.open().kind == "mynumber"
    port.verify_pin(bytearray(PIN.encode()))
    assert port.sign_message(b"m")


def test_an_atr_out_of_range_is_refused(pki):
    with pytest.raises(ValueError):
        rsa_card(pki, atr=b"\x3b")
