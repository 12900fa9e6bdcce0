"""Whatever a card (or a broken connection) answers, the card layer raises only KioskErrors."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.card.emulator import MyNumberCard, TransitCard
from drivers.card.jpki import JPKIClient, digest_info_sha256
from drivers.card.jpki_algo import sha384
from drivers.card.jpki_port import JPKICardPort
from drivers.card.jpki_spec import EF_AUTH_PIN, EF_SIGN_PIN
from drivers.card.town_ap import find_town_ap, internal_authenticate, read_user_id
from drivers.card.town_ap_spec import town_aid
from kiosk.lab.center.pki import EcCardCredentials, TestJPKI
from kiosk.vocabulary.reasons import CardError, FaceAuthCard, KioskError, Reason

MAX_APDUS = 400  # far more than the operations of one test may take: more is a runaway loop
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Boom(Exception):
    """What a connection may raise when the card is pulled (pyscard raises its own types)."""


class FakeConnection:
    """Plays a script of responses (or exceptions), then repeats the last one forever."""

    def __init__(self, script: list[Any]) -> None:
        self.script = script or [([], 0x6F, 0x00)]
        self.sent = 0

    def transmit(self, apdu: list[int]) -> Any:
        assert self.sent < MAX_APDUS, "runaway APDU loop"
        response = self.script[min(self.sent, len(self.script) - 1)]
        self.sent += 1
        if isinstance(response, BaseException):
            raise response
        return response


byte = st.integers(0, 255)
known_sw = st.sampled_from([0x9000, 0x6282, 0x6100, 0x6110, 0x63C0, 0x63C2, 0x6300, 0x6700,
                            0x6982, 0x6983, 0x6984, 0x6985, 0x6A80, 0x6A82, 0x6B00, 0x6D00, 0x6E00,
                            0x6F00, 0x6C04])
data = st.lists(byte, max_size=300)
header = st.one_of(
    st.tuples(st.just(0x30), st.integers(0, 0x7F)),
    st.tuples(st.just(0x30), st.just(0x81), byte),
    st.tuples(st.just(0x30), st.just(0x82), byte, byte),
    st.tuples(byte, byte, byte, byte),
).map(list)
tokens = st.sampled_from([b"JPKIAPICCTOKEN2", b"JPKIAPGPSETOKEN", b"JPKIAPICCTOKEN", b"X",
                          b"\xff\xfe", b"JPKIAPICCTOKEN2" + b" " * 10]).map(list)
fci = st.sampled_from([  # a town AP's FCI, whole, cut, lying about its length, or another AID
    [0x6F, 0x0E, 0x84, 0x0C, *town_aid("162108")], [0x6F, 0x0E, 0x84, 0x0C, 0xD3],
    [0x6F, 0x02, 0x84, 0x09], [0x6F, 0x0B, 0x84, 0x09, *town_aid("162108")[:9]],
    [0x6F, 0x0E, 0x84, 0x0C, *town_aid("162108")[:9], 0xFF, 0xFF, 0xFF]])
good = st.builds(lambda d, sw: (d, sw >> 8, sw & 0xFF), st.one_of(data, header, tokens, fci),
                 known_sw)
random_sw = st.tuples(data, byte, byte)
malformed = st.sampled_from([
    None, (), ([], 0x90), ([], 0x90, 0x00, 0x00), "9000", ([], "90", 0), ([], 0x90, 256),
    ([], -1, 0), (5, 0x90, 0x00), ([1, 300], 0x90, 0x00), ([-1], 0x90, 0x00), (None, 0x90, 0),
    (b"\x30\x82", 0x90, 0x00), ([0.5], 0x90, 0x00), ([True], 0x90, 0x00),
])
raised = st.sampled_from([Boom("card pulled"), OSError("reader gone"), ValueError("odd"),
                          CardError("no card", reason=Reason.CARD_REMOVED)])
response = st.one_of(good, good, random_sw, malformed, raised)
script = st.lists(response, max_size=30)


def attempt(action) -> None:
    """Run one card operation: it may succeed or raise a KioskError, nothing else."""
    try:
        action()
    except KioskError:
        pass


@FUZZ
@given(script)
def test_client_raises_only_kiosk_errors(responses):
    conn = FakeConnection(responses)
    client = JPKIClient(conn)
    attempt(client.select_ap)
    attempt(client.card_kind)
    attempt(client.tries_left)
    attempt(lambda: client.verify(bytearray(b"1234")))
    attempt(lambda: client.sign(digest_info_sha256(b"nonce")))
    attempt(lambda: client.sign_ecdsa(sha384(b"nonce")))
    attempt(client.read_certificate)
    attempt(lambda: client.get_challenge(EF_AUTH_PIN))
    attempt(lambda: client.reset_retry_counter(EF_SIGN_PIN, bytes(16), bytearray(b"KIOSK2026")))
    attempt(client.has_pin)
    attempt(lambda: find_town_ap(client))
    attempt(lambda: read_user_id(client))
    attempt(lambda: internal_authenticate(client, b"kiosk-auth/v1"))
    assert client.stats.apdus == conn.sent


@FUZZ
@given(script)
def test_port_raises_only_kiosk_errors(responses):
    port = JPKICardPort(lambda: FakeConnection(responses))
    attempt(port.open)
    attempt(lambda: port.verify_pin(bytearray(b"1234")))
    attempt(lambda: port.sign_message(b"nonce"))
    attempt(port.read_auth_certificate)
    attempt(lambda: port.pin_reset_nonce("user"))
    attempt(lambda: port.reset_pin("user", bytes(16), bytearray(b"5173")))
    port.close()


@FUZZ
@given(script)
def test_port_by_a_town_ap_or_as_a_phone_raises_only_kiosk_errors(responses):
    """The card-AP method (a town taking it) and the iPhone's asks: typed errors only."""
    port = JPKICardPort(lambda: FakeConnection(responses))
    attempt(lambda: port.open(frozenset({"162108"})))
    attempt(lambda: port.verify_pin(bytearray(b"2468")))
    for _ in range(3):  # a phone asked again and again
        attempt(lambda: port.sign_message(b"nonce"))
    port.close()


@FUZZ
@given(header, st.lists(st.tuples(st.lists(byte, min_size=0, max_size=260), known_sw),
                        max_size=12))
def test_certificate_read_is_exact_or_card_error(head, chunks):
    ok = ([], 0x90, 0x00)
    script = [ok, (head, 0x90, 0x00)] + [(d, s >> 8, s & 0xFF) for d, s in chunks]
    client = JPKIClient(FakeConnection(script))
    try:
        der = client.read_certificate()
    except CardError:
        return
    if head[1] < 0x80:
        expected = 2 + head[1]
    else:
        expected = 2 + (head[1] & 0x7F) + int.from_bytes(bytes(head[2 : 2 + (head[1] & 0x7F)]))
    assert head[0] == 0x30 and len(der) == expected
    n = min(len(der), len(head))
    assert der[:n] == bytes(head[:n])


def test_der_length_past_the_end_of_the_file_is_unreadable():
    cut_short = b"\x30\x82\x04\x00" + bytes(100)
    card = MyNumberCard("mynumber", "1234", 3, _key(), cut_short, b"\x30\x00")
    card.power_on()
    client = JPKIClient(card)
    client.select_ap()
    try:
        client.read_certificate()
    except CardError as error:
        assert error.reason == Reason.CARD_UNREADABLE
    else:
        raise AssertionError("a DER length past the end must not read")


def test_endless_short_reads_and_response_chaining_stop():
    head = ([0x30, 0x82, 0x1F, 0x00], 0x90, 0x00)
    trickle = FakeConnection([([], 0x90, 0x00), head, ([0x00], 0x90, 0x00)])
    chaining = FakeConnection([([], 0x90, 0x00), ([1], 0x61, 0x01)])
    for conn, action in ((trickle, "read_certificate"), (chaining, "tries_left")):
        try:
            getattr(JPKIClient(conn), action)()
        except CardError:
            pass
        else:
            raise AssertionError(f"{action} should have given up")
        assert conn.sent < MAX_APDUS


_KEY: list[rsa.RSAPrivateKey] = []


def _key() -> rsa.RSAPrivateKey:
    if not _KEY:
        _KEY.append(rsa.generate_private_key(public_exponent=65537, key_size=1024))
    return _KEY[0]


apdu = st.one_of(
    st.lists(byte, max_size=270),
    st.tuples(st.sampled_from([0x00, 0x80, 0x90, 0xFF]), st.sampled_from([0xA4, 0xB0, 0x20, 0x2A,
                                                                          0x84, 0x2C]),
              byte, byte, st.lists(byte, max_size=40)).map(lambda t: [*t[:4], *t[4]]),
)


@FUZZ
@given(st.lists(apdu, max_size=40))
def test_card_models_always_answer_a_well_formed_response(apdus):
    card = MyNumberCard("mynumber", "1234", 3, _key(), b"\x30\x03\x02\x01\x00", b"\x30\x00")
    card.power_on()
    transit = TransitCard()
    transit.power_on()
    ec = _ec_card()
    face = MyNumberCard("mynumber", None, 3, _key(), b"\x30\x03\x02\x01\x00", b"\x30\x00")
    resettable = MyNumberCard("mynumber", "1234", 0, _key(), b"\x30\x03\x02\x01\x00",
                              b"\x30\x00", reset_key=bytes(16))  # GET CHALLENGE, 2C
    for extra in (ec, face, resettable):
        extra.power_on()
    for command in apdus:
        for model in (card, transit, ec, face, resettable):
            data, sw1, sw2 = model.transmit(command)
            assert all(0 <= b <= 255 for b in (*data, sw1, sw2))
            assert len(data) <= 256
    assert 0 <= card.tries_left <= 3
    assert resettable.tries_left == 0  # no authorisation: never reset


_EC: list[EcCardCredentials] = []


def _ec_card() -> MyNumberCard:
    """A fresh next-generation (ECDSA P-384) card: its key and certificate are made once."""
    if not _EC:
        _EC.append(TestJPKI().issue_card_ec("fuzz-ec", "valid",
                                            datetime(2026, 11, 21, tzinfo=UTC)))
    creds = _EC[0]
    return MyNumberCard("mynumber", "1234", 3, creds.key, creds.cert_der, creds.ca_cert_der)


class SignAnswer:
    """A real ECDSA card, except that its signature answers are the fuzzer's."""

    def __init__(self, answer: Any) -> None:
        self.card = _ec_card()
        self.card.power_on()
        self.answer = answer

    def transmit(self, apdu: list[int]) -> Any:
        if apdu[:2] == [0x80, 0x2A]:
            if isinstance(self.answer, BaseException):
                raise self.answer
            return self.answer
        return self.card.transmit(apdu)


@FUZZ
@given(st.one_of(response, st.builds(lambda d: (d, 0x90, 0x00), st.lists(byte, max_size=200))))
def test_an_ecdsa_card_sign_answer_gives_96_bytes_or_a_typed_error(answer):
    port = JPKICardPort(lambda: SignAnswer(answer))
    port.open()
    port.verify_pin(bytearray(b"1234"))
    try:
        signature = port.sign_message(b"nonce")
    except KioskError:
        return
    assert len(signature) == 96


@FUZZ
@given(script, st.integers(0, 6))
def test_69_84_anywhere_is_a_typed_error_and_spends_no_try(responses, at):
    """A face-authentication answer (69 84) wherever it comes: only typed errors."""
    responses = [*responses[:at], ([], 0x69, 0x84), *responses[at:]]
    port = JPKICardPort(lambda: FakeConnection(responses))
    for action in (port.open, lambda: port.verify_pin(bytearray(b"1234"))):
        try:
            action()
        except FaceAuthCard as error:
            assert error.reason == Reason.FACE_AUTH_CARD
        except KioskError:
            pass
    port.close()
