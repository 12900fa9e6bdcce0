"""The JPKI client, the card port and the in-process reader against the emulated My Number card."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from drivers.card.emulator import CONTACT_ATR, CardPoweredOff, MyNumberCard, TransitCard
from drivers.card.inprocess import InProcessReader
from drivers.card.jpki import JPKIClient, digest_info_sha256
from drivers.card.jpki_port import JPKICardPort
from drivers.card.jpki_spec import DIGEST_INFO_PREFIXES, EF_AUTH_CA, EF_SIGN_CERT, EF_SIGN_PIN
from kiosk.vocabulary.events import CardPlaced, CardRemoved, Event
from kiosk.vocabulary.reasons import CardError, PinLocked, PinWrong, Reason

PIN = "1234"
SIGN_PIN = "ABC123"


@dataclass(frozen=True)
class PKI:
    ca_der: bytes
    auth_key: rsa.RSAPrivateKey
    auth_der: bytes
    sign_key: rsa.RSAPrivateKey
    sign_der: bytes


def _cert(subject: str, key: rsa.RSAPrivateKey, issuer: str, ca_key: rsa.RSAPrivateKey,
          *, ca: bool = False) -> bytes:
    now = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=5 * 365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.DER)


@pytest.fixture(scope="module")
def pki() -> PKI:
    """A throwaway JPKI test CA with one card's authentication and signing certificates."""
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    auth_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    sign_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return PKI(
        ca_der=_cert("Test JPKI CA", ca_key, "Test JPKI CA", ca_key, ca=True),
        auth_key=auth_key,
        auth_der=_cert("Test JPKI user authentication", auth_key, "Test JPKI CA", ca_key),
        sign_key=sign_key,
        sign_der=_cert("Test JPKI signature", sign_key, "Test JPKI CA", ca_key),
    )


def make_card(pki: PKI, kind: str = "mynumber", tries_left: int = 3) -> MyNumberCard:
    return MyNumberCard(kind, PIN, tries_left, pki.auth_key, pki.auth_der, pki.ca_der,
                        sign_pin=SIGN_PIN, sign_key=pki.sign_key, sign_cert_der=pki.sign_der)


def powered(card: MyNumberCard) -> MyNumberCard:
    card.power_on()
    return card


@pytest.fixture
def events() -> list[Event]:
    return []


@pytest.fixture
def reader(events: list[Event]) -> InProcessReader:
    return InProcessReader(post=events.append)


class RemoveAfter:
    """Wraps a card: the reader loses it after ``n`` APDUs (between two APDUs)."""

    def __init__(self, card: MyNumberCard, reader: InProcessReader, n: int) -> None:
        self.card, self.reader, self.n = card, reader, n
        self.atr = card.atr

    def power_on(self) -> bytes:
        return self.card.power_on()

    def power_off(self) -> None:
        self.card.power_off()

    def reset(self) -> bytes:
        return self.card.reset()

    def transmit(self, apdu):
        response = self.card.transmit(apdu)
        self.n -= 1
        if self.n == 0:
            self.reader.remove()
        return response


# --- the whole authentication through the port ---------------------------------------------
def test_authentication_signature_verifies_with_the_certificate_key(pki, reader):
    reader.place(make_card(pki))
    port = JPKICardPort(reader.connect)
    data = b"challenge nonce from the center"

    info = port.open()
    port.verify_pin(bytearray(PIN.encode()))
    signature = port.sign_message(data)
    der = port.read_auth_certificate()
    port.close()

    assert (info.kind, info.tries_left) == ("mynumber", 3)
    assert der == pki.auth_der
    public_key = x509.load_der_x509_certificate(der).public_key()
    public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    assert port.stats.apdus <= 16


def test_apdu_stats_count_every_byte_each_way(pki):
    client = JPKIClient(powered(make_card(pki)))
    client.select_ap()
    assert (client.stats.apdus, client.stats.bytes_out, client.stats.bytes_in) == (1, 15, 2)
    client.read_token()
    assert (client.stats.apdus, client.stats.bytes_out, client.stats.bytes_in) == (3, 27, 26)


def test_client_selects_tells_kind_and_reads_tries(pki):
    client = JPKIClient(powered(make_card(pki)))
    client.select_ap()
    assert client.read_token() == "JPKIAPICCTOKEN2"
    assert client.card_kind() == "mynumber"
    assert client.tries_left() == 3


def test_smartphone_kind_opens(pki, reader):
    reader.place(make_card(pki, kind="smartphone"))
    assert JPKICardPort(reader.connect).open().kind == "smartphone"


def test_juki_kind_is_told_but_unsupported_by_the_port(pki, reader):
    client = JPKIClient(powered(make_card(pki, kind="juki")))
    client.select_ap()
    assert client.card_kind() == "juki"
    reader.place(make_card(pki, kind="juki"))
    with pytest.raises(CardError) as raised:
        JPKICardPort(reader.connect).open()
    assert raised.value.reason == Reason.CARD_UNSUPPORTED


def test_transit_card_is_unsupported(reader):
    reader.place(TransitCard())
    with pytest.raises(CardError) as raised:
        JPKICardPort(reader.connect).open()
    assert raised.value.reason == Reason.CARD_UNSUPPORTED


# --- PIN --------------------------------------------------------------------------------------
def test_wrong_pin_counts_down_three_two_one_then_locked(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    client.select_ap()
    for expected in (2, 1):
        with pytest.raises(PinWrong) as raised:
            client.verify(bytearray(b"9999"))
        assert raised.value.tries_left == expected
        assert raised.value.reason == Reason.PIN_WRONG
    with pytest.raises(PinLocked):
        client.verify(bytearray(b"9999"))
    assert card.tries_left == 0
    with pytest.raises(PinLocked):
        client.verify(bytearray(PIN.encode()))
    assert client.tries_left() == 0


def test_locked_card_opens_with_zero_tries_and_refuses_verify(pki, reader):
    reader.place(make_card(pki, tries_left=0))
    port = JPKICardPort(reader.connect)
    assert port.open().tries_left == 0
    with pytest.raises(PinLocked) as raised:
        port.verify_pin(bytearray(PIN.encode()))
    assert raised.value.reason == Reason.PIN_LOCKED


def test_right_pin_after_a_wrong_one_restores_the_counter(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    client.select_ap()
    with pytest.raises(PinWrong):
        client.verify(bytearray(b"0000"))
    client.verify(bytearray(PIN.encode()))
    assert card.tries_left == 3 and card.verified


def test_retry_query_spends_no_try(pki):
    card = powered(make_card(pki, tries_left=2))
    client = JPKIClient(card)
    client.select_ap()
    assert [client.tries_left() for _ in range(5)] == [2] * 5
    assert card.tries_left == 2


def test_malformed_pin_is_refused_before_any_apdu(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    for pin in (b"", b"12", b"12 4", bytes([1, 2, 3, 4]), b"1" * 17):
        with pytest.raises(ValueError):
            client.verify(bytearray(pin))
    assert card.apdus_received == 0


class Recorder:
    """A connection that keeps every APDU list it was given (to see them wiped)."""

    def __init__(self, card: MyNumberCard) -> None:
        self.card = card
        self.sent: list[list[int]] = []

    def transmit(self, apdu: list[int]):
        self.sent.append(apdu)
        return self.card.transmit(list(apdu))


def test_pin_apdu_is_wiped_and_pin_never_in_errors_or_logs(pki, caplog):
    caplog.set_level(logging.DEBUG)
    card = powered(make_card(pki))
    conn = Recorder(card)
    client = JPKIClient(conn)
    client.select_ap()
    with pytest.raises(PinWrong) as raised:
        client.verify(bytearray(b"9876"))
    verify_apdu = conn.sent[-1]
    assert verify_apdu == [0] * 9
    client.verify(bytearray(PIN.encode()))
    assert conn.sent[-1] == [0] * 9
    texts = [str(raised.value), repr(raised.value), repr(card), caplog.text]
    for secret in ("9876", PIN, "39383736", "31323334", "57, 56, 55, 54"):
        assert all(secret not in text for text in texts)


# --- signing and reading ----------------------------------------------------------------------
def test_signing_before_verify_is_refused(pki):
    client = JPKIClient(powered(make_card(pki)))
    client.select_ap()
    with pytest.raises(CardError) as raised:
        client.sign(digest_info_sha256(b"data"))
    assert type(raised.value) is CardError
    assert "not verified" in str(raised.value)


def test_reading_certificates_returns_exactly_the_der(pki):
    client = JPKIClient(powered(make_card(pki)))
    client.select_ap()
    assert client.read_certificate() == pki.auth_der
    assert client.read_certificate(EF_AUTH_CA) == pki.ca_der


def test_signing_certificate_is_readable_only_after_the_signing_pin(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    client.select_ap()
    with pytest.raises(CardError):
        client.read_certificate(EF_SIGN_CERT)
    assert client.tries_left(EF_SIGN_PIN) == 5
    with pytest.raises(PinWrong) as raised:
        client.verify(bytearray(b"WRONG1"), EF_SIGN_PIN)
    assert raised.value.tries_left == 4
    client.verify(bytearray(SIGN_PIN.encode()), EF_SIGN_PIN)
    assert client.read_certificate(EF_SIGN_CERT) == pki.sign_der
    assert card.sign_tries_left == 5 and card.tries_left == 3


# --- resets and removal -----------------------------------------------------------------------
def test_reset_clears_verified_state_but_keeps_counters(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    client.select_ap()
    with pytest.raises(PinWrong):
        client.verify(bytearray(b"0000"))
    client.verify(bytearray(PIN.encode()))
    with pytest.raises(PinWrong):
        client.verify(bytearray(b"0000"))
    client.verify(bytearray(PIN.encode()))
    card.reset()
    assert not card.verified
    client.select_ap()
    with pytest.raises(CardError):
        client.sign(digest_info_sha256(b"data"))
    with pytest.raises(PinWrong):
        client.verify(bytearray(b"0000"))
    card.reset()
    assert card.tries_left == 2
    client.select_ap()
    assert client.tries_left() == 2


def test_port_close_resets_the_card(pki, reader):
    card = make_card(pki)
    reader.place(card)
    port = JPKICardPort(reader.connect)
    port.open()
    port.verify_pin(bytearray(PIN.encode()))
    assert card.verified
    port.close()
    assert not card.verified
    with pytest.raises(CardError) as raised:
        port.sign_message(b"data")
    assert raised.value.reason == Reason.CARD_REMOVED


def test_card_removed_between_apdus_is_card_removed_and_spends_no_try(pki, reader, events):
    card = make_card(pki)
    port = JPKICardPort(reader.connect)
    reader.place(RemoveAfter(card, reader, n=5))  # open takes 5: lifted before the VERIFY
    port.open()
    with pytest.raises(CardError) as raised:
        port.verify_pin(bytearray(PIN.encode()))
    assert raised.value.reason == Reason.CARD_REMOVED
    assert card.tries_left == 3 and not card.verified
    assert events == [CardPlaced("Emulated reader"), CardRemoved("Emulated reader")]


def test_open_without_a_card_is_card_removed(reader):
    with pytest.raises(CardError) as raised:
        JPKICardPort(reader.connect).open()
    assert raised.value.reason == Reason.CARD_REMOVED


def test_a_new_card_does_not_answer_an_old_connection(pki, reader):
    reader.place(make_card(pki))
    conn = reader.connect()
    reader.remove()
    reader.place(make_card(pki))
    with pytest.raises(CardError) as raised:
        JPKIClient(conn).select_ap()
    assert raised.value.reason == Reason.CARD_REMOVED


def test_reader_posts_placed_and_removed(pki, reader, events):
    card = make_card(pki)
    reader.place(card)
    assert reader.card_present
    with pytest.raises(ValueError):
        reader.place(make_card(pki))
    reader.remove()
    reader.remove()
    assert events == [CardPlaced("Emulated reader"), CardRemoved("Emulated reader")]
    assert not reader.card_present
    with pytest.raises(CardPoweredOff):
        card.transmit([0x00, 0xA4, 0x04, 0x0C])


# --- the card model's status words ------------------------------------------------------------
AID_SELECT = [0x00, 0xA4, 0x04, 0x0C, 0x0A, 0xD3, 0x92, 0xF0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00,
              0x01]


def sw(response) -> int:
    return (response[1] << 8) | response[2]


def test_card_status_words(pki):
    card = powered(make_card(pki))
    assert card.power_on() == CONTACT_ATR == bytes.fromhex("3BE000FF8131FE4514")
    assert sw(card.transmit([0x00, 0xA4, 0x04, 0x0C, 0x02, 0xD3, 0x92])) == 0x6A82
    assert sw(card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A])) == 0x6A82  # no AP yet
    assert sw(card.transmit(AID_SELECT)) == 0x9000
    assert sw(card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x99])) == 0x6A82
    assert sw(card.transmit([0x00, 0x99, 0x00, 0x00])) == 0x6D00
    assert sw(card.transmit([0x90, 0xB0, 0x00, 0x00, 0x04])) == 0x6E00
    assert sw(card.transmit([0x00, 0xB0, 0x00])) == 0x6700
    assert sw(card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x03, 0x00, 0x0A])) == 0x6700
    assert sw(card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x0A])) == 0x9000
    data, *status = card.transmit([0x00, 0xB0, 0x00, 0x00, 0x00])
    assert (bytes(data), status) == (pki.auth_der[:256], [0x90, 0x00])
    end = len(pki.auth_der)
    data, *status = card.transmit([0x00, 0xB0, (end - 3) >> 8, (end - 3) & 0xFF, 0xFF])
    assert (bytes(data), status) == (pki.auth_der[-3:], [0x90, 0x00])
    assert sw(card.transmit([0x00, 0xB0, end >> 8, end & 0xFF, 0x10])) == 0x6B00
    assert sw(card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x01])) == 0x9000
    assert sw(card.transmit([0x00, 0xB0, 0x00, 0x00, 0x04])) == 0x6982


def test_card_signs_any_known_digest_info_and_rejects_others(pki):
    card = powered(make_card(pki))
    client = JPKIClient(card)
    client.select_ap()
    client.verify(bytearray(PIN.encode()))
    digest = hashes.Hash(hashes.SHA384())
    digest.update(b"data")
    signature = client.sign(DIGEST_INFO_PREFIXES["sha384"] + digest.finalize())
    pki.auth_key.public_key().verify(signature, b"data", padding.PKCS1v15(), hashes.SHA384())
    for bad in (b"\x00" * 32, DIGEST_INFO_PREFIXES["sha256"] + b"\x00" * 31):
        with pytest.raises(CardError) as raised:
            client.sign(bad)
        assert "6A80" in str(raised.value)


def test_one_authentication_takes_ten_apdus_extended_and_nine_plus_one_per_255_bytes_short(
        pki, reader):
    short_reads = -(-len(pki.auth_der) // 255)
    for extended, expected in ((True, 10), (False, 9 + short_reads)):
        card = make_card(pki)
        reader.place(card)
        port = JPKICardPort(reader.connect, extended=extended)
        port.open()
        port.verify_pin(bytearray(PIN.encode()))
        port.sign_message(b"challenge")
        assert port.read_auth_certificate() == pki.auth_der
        assert port.stats.apdus == expected, (extended, port.stats)
        port.close()
        reader.remove()


def test_a_reader_that_refuses_extended_length_falls_back_to_short_reads(pki, reader):
    class ShortOnly:
        """A card behind a reader that cannot carry extended APDUs."""

        def __init__(self, card):
            self.card, self.atr = card, card.atr

        def transmit(self, apdu):
            if len(apdu) == 7 and apdu[1] == 0xB0 and apdu[4] == 0:
                return [], 0x67, 0x00
            return self.card.transmit(apdu)

        def __getattr__(self, name):
            return getattr(self.card, name)

    reader.place(ShortOnly(make_card(pki)))
    port = JPKICardPort(reader.connect)
    port.open()
    assert port.read_auth_certificate() == pki.auth_der
    assert not port.extended  # remembered for the next card on this reader
