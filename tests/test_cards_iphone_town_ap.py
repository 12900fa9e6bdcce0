"""The iPhone (no PIN at the reader: its owner confirms on the phone) and a town's own card AP
(the card-AP method) at the APDU level, through the kiosk's card port; and the center's
``authenticate_ap`` with its refusals, the card body's expiry among them."""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import pytest
from test_jpki_next_cards import Recorder as ApduRecorder

from drivers.card.emulator import MyNumberCard
from drivers.card.emulator.town_ap import TownAP
from drivers.card.jpki import JPKIClient
from drivers.card.jpki_port import JPKICardPort
from drivers.card.town_ap import find_town_ap, internal_authenticate
from drivers.card.town_ap_spec import TOWN_AP_PREFIX, ap_mac, municipality_of, town_aid
from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.clock import JST, VirtualClock
from kiosk.lab.center.cards import resident_card, town_ap_key
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.vocabulary.ports import TownCard
from kiosk.vocabulary.reasons import (
    CardError,
    CenterError,
    PhoneDeclined,
    PhoneNotConfirmed,
    PinWrong,
    Reason,
)

WORLD = Path(__file__).parent / "worlds" / "next-cards.toml"
KIOSK = "store-0001"
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=JST)
NANTO = "162108"


@pytest.fixture(scope="module")
def center() -> ReferenceCenter:
    return ReferenceCenter.for_world(WORLD, VirtualClock(NOW))


@pytest.fixture
def client(center: ReferenceCenter) -> CenterClient:
    center.clock.set(NOW)  # type: ignore[attr-defined]
    return CenterClient(LocalTransport(center, KIOSK), center.keys.public_key_bytes())


class Recorder(ApduRecorder):
    """A connection to ``card`` that keeps every APDU sent, and is reset as the kiosk's
    release resets it."""

    def reset(self) -> None:
        """What the kiosk's release does to the card: a warm reset."""
        self.card.reset()


def card_of(center: ReferenceCenter, resident: str) -> MyNumberCard:
    card = resident_card(center.world, center.pki, resident, NOW)
    card.power_on()
    return card


def port_on(card: MyNumberCard) -> tuple[JPKICardPort, Recorder]:
    recorder = Recorder(card)
    return JPKICardPort(lambda: recorder), recorder


# --- the iPhone -----------------------------------------------------------------------------
def test_an_iphone_is_told_by_its_missing_pin_not_by_its_atr(center) -> None:
    phone = card_of(center, "r030")
    port, recorder = port_on(phone)
    info = port.open()
    assert (info.kind, info.method, info.needs_pin) == ("iphone", "phone", False)
    assert not any(apdu[1] == 0x20 for apdu in recorder.sent)  # no VERIFY, not even empty
    assert phone.atr == card_of(center, "r001").atr  # the same ATR as a card: not how it is told


def test_an_iphone_signs_only_after_its_owner_confirms_and_once(center) -> None:
    phone = card_of(center, "r030")
    port, _ = port_on(phone)
    port.open()
    with pytest.raises(PhoneNotConfirmed):
        port.sign_message(b"challenge")
    with pytest.raises(PhoneNotConfirmed):  # asking again changes nothing
        port.sign_message(b"challenge")
    phone.phone_confirm()
    assert len(port.sign_message(b"challenge")) == 256
    with pytest.raises(PhoneNotConfirmed):  # one confirmation, one signature
        port.sign_message(b"again")


def test_a_declined_iphone_says_so_and_a_reset_forgets_it(center) -> None:
    phone = card_of(center, "r030")
    port, _ = port_on(phone)
    port.open()
    phone.phone_decline()
    with pytest.raises(PhoneDeclined) as raised:
        port.sign_message(b"challenge")
    assert raised.value.reason == Reason.PHONE_DECLINED
    port.close()  # the kiosk's reset
    port.open()
    with pytest.raises(PhoneNotConfirmed):
        port.sign_message(b"challenge")


def test_an_iphone_answers_no_verify_and_a_card_never_says_phone_declined(center) -> None:
    phone = card_of(center, "r030")
    client = JPKIClient(phone)
    client.select_ap()
    assert not client.has_pin()
    card = card_of(center, "r001")
    port, _ = port_on(card)
    port.open()
    with pytest.raises(CardError) as raised:  # no PIN verified: a plain card error
        port.sign_message(b"challenge")
    assert not isinstance(raised.value, (PhoneDeclined, PhoneNotConfirmed))


# --- the town AP ----------------------------------------------------------------------------
def test_a_town_aid_carries_its_municipality_and_nothing_else_parses() -> None:
    assert municipality_of(town_aid(NANTO)) == NANTO
    assert municipality_of(TOWN_AP_PREFIX + b"\xff\xff\xff") is None
    assert municipality_of(b"\xd3\x92" + bytes(10)) is None
    with pytest.raises(ValueError):
        town_aid("16210")


def test_one_select_finds_the_town_ap_and_a_card_without_one_answers_none(center) -> None:
    juki = JPKIClient(card_of(center, "r008"))
    assert find_town_ap(juki) == NANTO
    assert juki.stats.apdus == 1
    assert find_town_ap(JPKIClient(card_of(center, "r001"))) is None


def test_a_juki_card_signs_in_by_its_town_ap_only_where_the_town_takes_it(center) -> None:
    port, recorder = port_on(card_of(center, "r008"))
    info = port.open(frozenset({NANTO}))
    assert (info.kind, info.method, info.municipality, info.tries_left) == (
        "card-ap", "card-ap", NANTO, 3)
    assert port.town_card() == TownCard(NANTO, "NT00012345")
    port.close()
    with pytest.raises(CardError) as raised:  # no card-AP town known: the JPKI way, refused
        port.open(frozenset({"131130"}))
    assert raised.value.reason == Reason.CARD_UNSUPPORTED


def test_a_my_number_card_with_a_town_ap_uses_it_in_that_town_and_jpki_elsewhere(center) -> None:
    port, _ = port_on(card_of(center, "r031"))
    assert port.open(frozenset({NANTO})).method == "card-ap"
    with pytest.raises(PinWrong) as raised:  # the JPKI PIN is not the AP's
        port.verify_pin(bytearray(b"1470"))
    assert raised.value.tries_left == 2
    port.verify_pin(bytearray(b"3579"))
    message = b"kiosk-auth/v1\nnonce\nstore-0001"
    key = town_ap_key(center.pki, NANTO, "NT00067890")
    assert port.sign_message(message) == ap_mac(key, hashlib.sha256(message).digest())
    port.close()
    info = port.open()  # no card-AP towns: JPKI
    assert (info.kind, info.method) == ("mynumber", "jpki")
    port.verify_pin(bytearray(b"1470"))


def test_the_town_ap_refuses_to_authenticate_before_its_pin_and_bad_challenges(center) -> None:
    client = JPKIClient(card_of(center, "r008"))
    find_town_ap(client)
    with pytest.raises(CardError):
        internal_authenticate(client, b"before the PIN")
    card = card_of(center, "r008")
    card.transmit([0x00, 0xA4, 0x04, 0x0C, 12, *town_aid(NANTO)])
    card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x11])
    assert card.transmit([0x00, 0x20, 0x00, 0x80, 4, *b"2468"])[1:] == (0x90, 0x00)
    card.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, 0x00, 0x12])
    assert card.transmit([0x00, 0x88, 0x00, 0x00, 3, 1, 2, 3, 0x00])[1:] == (0x6A, 0x80)
    assert card.transmit([0x00, 0x88, 0x01, 0x00, 32, *bytes(32), 0x00])[1:] == (0x6A, 0x86)
    assert card.transmit([0x00, 0x88, 0x00, 0x00, 32, *bytes(32), 0x08])[1:] == (0x67, 0x00)
    data, sw1, sw2 = card.transmit([0x00, 0x88, 0x00, 0x00, 32, *bytes(32), 0x00])
    assert (sw1, sw2, len(data)) == (0x90, 0x00, 16)


def test_a_locked_town_ap_pin_spends_nothing_more() -> None:
    ap = TownAP(NANTO, "NT1", "1234", 0, bytes(16))
    assert ap.tries_left == 0
    with pytest.raises(ValueError):
        TownAP(NANTO, "NT1", "12345", 3, bytes(16))
    with pytest.raises(ValueError):
        TownAP(NANTO, "NT-1", "1234", 3, bytes(16))


# --- the center -----------------------------------------------------------------------------
def ap_sign_in(center: ReferenceCenter, client: CenterClient, user_id: str,
               town: str = NANTO, key_town: str | None = None) -> p.Authenticated:
    challenge = client.challenge()
    digest = hashlib.sha256(p.auth_message(challenge.nonce, KIOSK)).digest()
    mac = ap_mac(town_ap_key(center.pki, key_town or town, user_id), digest)
    return client.authenticate_ap(TownCard(town, user_id), mac, challenge.nonce)


def test_the_center_signs_in_a_card_ap_card_of_its_town(center, client) -> None:
    signed = ap_sign_in(center, client, "NT00012345")
    assert [o.municipality for o in signed.offers if o.home] == [NANTO]
    assert ap_sign_in(center, client, "NT00067890").token


@pytest.mark.parametrize("user_id, town, key_town, reason", [
    ("NT00012345", "131130", None, Reason.CARD_UNSUPPORTED),  # Shibuya takes JPKI only
    ("NT99999999", NANTO, None, Reason.CARD_UNSUPPORTED),  # nobody's card
    ("NT00012345", NANTO, "131130", Reason.CARD_UNREADABLE),  # a MAC under another key
    ("NT00012345", "012025", None, Reason.NOT_PARTICIPATING),
])
def test_the_center_refuses_a_card_ap_sign_in_with_a_clear_reason(center, client, user_id, town,
                                                                  key_town, reason) -> None:
    with pytest.raises(CenterError) as raised:
        ap_sign_in(center, client, user_id, town, key_town)
    assert raised.value.reason == reason


def test_a_card_ap_challenge_is_single_use(center, client) -> None:
    challenge = client.challenge()
    digest = hashlib.sha256(p.auth_message(challenge.nonce, KIOSK)).digest()
    mac = ap_mac(town_ap_key(center.pki, NANTO, "NT00012345"), digest)
    client.authenticate_ap(TownCard(NANTO, "NT00012345"), mac, challenge.nonce)
    with pytest.raises(CenterError) as raised:
        client.authenticate_ap(TownCard(NANTO, "NT00012345"), mac, challenge.nonce)
    assert raised.value.reason == Reason.CENTER_UNAVAILABLE


def test_the_catalog_says_which_towns_take_the_card_ap_method(client) -> None:
    auth = {m.code: m.auth for m in client.catalog().municipalities}
    assert auth[NANTO] == ["jpki", "card-ap"] and auth["131130"] == ["jpki"]


# --- what the doctor says of a card ----------------------------------------------------------
@pytest.mark.parametrize("resident, said", [
    ("r001", "My Number card, 3 tries left, RSA, SHA-256"),
    ("r003", "Android smartphone, 3 tries left, RSA, SHA-256"),
    ("r020", "My Number card, 3 tries left, ECDSA P-384, SHA-384"),
    ("r021", "face-authentication card (no PIN: not for kiosks), RSA, SHA-256"),
    ("r030", "iPhone (its owner confirms on the phone, no PIN here), RSA, SHA-256"),
    ("r008", "resident card (住基カード), 3 tries left, RSA, SHA-256, town AP of 162108"),
    ("r031", "My Number card, 3 tries left, RSA, SHA-256, town AP of 162108"),
])
def test_the_doctor_tells_each_card_without_a_pin(center, resident, said) -> None:
    from drivers.card.probe import describe_card

    card = card_of(center, resident)
    before = card.tries_left
    assert describe_card(Recorder(card)) == said
    assert card.tries_left == before and not card.verified


def test_the_doctor_says_why_of_a_card_that_is_not_a_jpki_card() -> None:
    from drivers.card.emulator import TransitCard
    from drivers.card.probe import describe_card

    transit = TransitCard()
    transit.power_on()
    assert describe_card(transit).startswith("not a JPKI card")
