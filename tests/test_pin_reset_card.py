"""The emulated card's PIN reset (GET CHALLENGE, RESET RETRY COUNTER) and the kiosk's side of it:
the center's AES-CMAC over the card's own single-use nonce sets the PIN and restores its tries;
anything else is a typed status word, and no PIN is ever written to disk."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from drivers.card.emulator import MyNumberCard
from drivers.card.emulator.pin_reset import authorisation
from drivers.card.inprocess import InProcessReader
from drivers.card.jpki import JPKIClient
from drivers.card.jpki_port import JPKICardPort
from drivers.card.jpki_spec import EF_AUTH_CERT, EF_AUTH_PIN, EF_SIGN_PIN, JPKI_AID
from kiosk.lab.center.cards import CardMemory, CardState, resident_card
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.world import load_world
from kiosk.vocabulary.reasons import CardError

NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")
WORLD = Path(__file__).parent / "worlds" / "pin-reset.toml"
KEY = bytes(range(16))
OK = ([], 0x90, 0x00)


def sw(response: tuple[list[int], int, int]) -> int:
    return (response[1] << 8) | response[2]


@pytest.fixture(scope="module")
def pki() -> TestJPKI:
    return TestJPKI()


def card(pki: TestJPKI, tries: int = 0, key: bytes | None = KEY) -> MyNumberCard:
    creds = pki.issue_card("r900", "valid", NOW)
    sign = pki.issue_signing("r900", NOW)
    made = MyNumberCard("mynumber", "1234", tries, creds.key, creds.cert_der, creds.ca_cert_der,
                        sign_pin="ABC123", sign_key=sign.key, sign_cert_der=sign.cert_der,
                        reset_key=key)
    made.power_on()
    return made


def select(c: MyNumberCard, fid: int | None) -> None:
    assert sw(c.transmit([0x00, 0xA4, 0x04, 0x0C, len(JPKI_AID), *JPKI_AID])) == 0x9000
    if fid is not None:
        assert sw(c.transmit([0x00, 0xA4, 0x02, 0x0C, 0x02, fid >> 8, fid & 0xFF])) == 0x9000


def challenge(c: MyNumberCard) -> bytes:
    data, sw1, sw2 = c.transmit([0x00, 0x84, 0x00, 0x00, 0x08])
    assert (sw1, sw2) == (0x90, 0x00) and len(data) == 8
    return bytes(data)


def reset(c: MyNumberCard, mac: bytes, pin: bytes) -> int:
    return sw(c.transmit([0x00, 0x2C, 0x02, 0x80, len(mac) + len(pin), *mac, *pin]))


def verify(c: MyNumberCard, pin: bytes) -> int:
    return sw(c.transmit([0x00, 0x20, 0x00, 0x80, len(pin), *pin]))


def test_the_centers_authorisation_sets_a_locked_pin_and_restores_its_tries(pki):
    c = card(pki, tries=0)
    select(c, EF_AUTH_PIN)
    nonce = challenge(c)
    assert reset(c, authorisation(KEY, "user", nonce), b"5173") == 0x9000
    assert c.tries_left == 3
    assert verify(c, b"1234") == 0x63C2  # the old PIN: refused
    assert verify(c, b"5173") == 0x9000 and c.tries_left == 3


def test_the_signing_password_is_reset_on_its_own_ef(pki):
    c = card(pki, tries=3)
    select(c, EF_SIGN_PIN)
    nonce = challenge(c)
    assert reset(c, authorisation(KEY, "signing", nonce), b"KIOSK2026") == 0x9000
    assert c.sign_tries_left == 5 and verify(c, b"KIOSK2026") == 0x9000
    assert set(c.reset_pins) == {EF_SIGN_PIN}


def test_a_wrong_authorisation_is_refused_and_spends_the_nonce(pki):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    nonce = challenge(c)
    assert reset(c, authorisation(bytes(16), "user", nonce), b"5173") == 0x6982
    assert reset(c, authorisation(KEY, "user", nonce), b"5173") == 0x6985  # nonce gone
    assert c.tries_left == 0 and not c.reset_pins


def test_a_replayed_authorisation_is_refused(pki):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    mac = authorisation(KEY, "user", challenge(c))
    assert reset(c, mac, b"5173") == 0x9000
    assert reset(c, mac, b"9999") == 0x6985
    challenge(c)  # a new nonce: the old authorisation is not over it
    assert reset(c, mac, b"9999") == 0x6982
    assert verify(c, b"5173") == 0x9000


def test_an_authorisation_for_the_other_pin_is_refused(pki):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    assert reset(c, authorisation(KEY, "signing", challenge(c)), b"5173") == 0x6982


def test_a_nonce_does_not_outlive_a_card_reset(pki):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    nonce = challenge(c)
    c.reset()
    select(c, EF_AUTH_PIN)
    assert reset(c, authorisation(KEY, "user", nonce), b"5173") == 0x6985


@pytest.mark.parametrize("fid, expected", [(None, 0x6986), (EF_AUTH_CERT, 0x6981)])
def test_a_wrong_ef_is_refused(pki, fid, expected):
    c = card(pki)
    select(c, fid)
    assert sw(c.transmit([0x00, 0x84, 0x00, 0x00, 0x08])) == expected
    assert reset(c, bytes(16), b"5173") == expected


def test_a_card_without_a_reset_key_does_not_support_it(pki):
    c = card(pki, key=None)
    select(c, EF_AUTH_PIN)
    assert sw(c.transmit([0x00, 0x84, 0x00, 0x00, 0x08])) == 0x6A81


@pytest.mark.parametrize("apdu, expected", [
    ([0x00, 0x84, 0x00, 0x00, 0x10], 0x6700),  # Le not 8
    ([0x00, 0x84, 0x00, 0x00], 0x6700),  # no Le
    ([0x00, 0x84, 0x00, 0x00, 0x01, 0x00, 0x08], 0x6700),  # data
    ([0x00, 0x84, 0x01, 0x00, 0x08], 0x6A86),
    ([0x00, 0x2C, 0x02, 0x80, 0x13, *range(0x13)], 0x6700),  # 16 + 3: too short a PIN
    ([0x00, 0x2C, 0x02, 0x80, 0x21, *range(0x21)], 0x6700),  # 16 + 17: too long
    ([0x00, 0x2C, 0x02, 0x80, 0x14, *range(0x14), 0x00], 0x6700),  # an Le
    ([0x00, 0x2C, 0x02, 0x80], 0x6700),  # no data
    ([0x00, 0x2C, 0x00, 0x80, 0x14, *range(0x14)], 0x6A86),
    ([0x00, 0x2C, 0x02, 0x81, 0x14, *range(0x14)], 0x6A86),
    ([0x00, 0x2C, 0x02, 0x80, 0x05, 1, 2], 0x6700),  # Lc says more than there is
])
def test_malformed_commands_get_a_status_word(pki, apdu, expected):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    c.transmit([0x00, 0x84, 0x00, 0x00, 0x08])
    assert sw(c.transmit(apdu)) == expected
    assert c.tries_left == 0 and not c.reset_pins


def test_a_new_pin_that_is_not_letters_or_digits_is_wrong_data(pki):
    c = card(pki)
    select(c, EF_AUTH_PIN)
    assert reset(c, authorisation(KEY, "user", challenge(c)), b"12 4") == 0x6A80


class Recording:
    """A connection that keeps every APDU it was given (to see what is left in them)."""

    def __init__(self, target: MyNumberCard) -> None:
        self.target, self.apdus = target, []

    def transmit(self, apdu):
        self.apdus.append(apdu)
        return self.target.transmit(list(apdu))


def test_the_client_resets_and_wipes_the_apdu_that_carried_the_pin(pki):
    c = card(pki)
    conn = Recording(c)
    client = JPKIClient(conn)
    client.select_ap()
    nonce = client.get_challenge(EF_AUTH_PIN)
    client.reset_retry_counter(EF_AUTH_PIN, authorisation(KEY, "user", nonce), bytearray(b"5173"))
    assert all(b == 0 for b in conn.apdus[-1])
    assert verify(c, b"5173") == 0x9000
    with pytest.raises(CardError):  # the nonce is used: a typed error, no PIN in it
        client.reset_retry_counter(EF_AUTH_PIN, authorisation(KEY, "user", nonce),
                                   bytearray(b"8888"))


def test_the_port_resets_a_pin_through_the_reader(pki):
    world = load_world(WORLD)
    reader = InProcessReader()
    reader.place(resident_card(world, pki, "r031", NOW))
    port = JPKICardPort(reader.connect)
    assert port.open().tries_left == 0
    nonce = port.pin_reset_nonce("user")
    key = pki.symmetric_key("pin-reset", "r031")
    port.reset_pin("user", authorisation(key, "user", nonce), bytearray(b"8080"))
    assert port.open().tries_left == 3
    with pytest.raises(CardError):
        port.pin_reset_nonce("town")
    port.close()


def test_a_reset_pin_is_saved_as_a_salted_hash_never_as_the_pin(pki, tmp_path):
    world = load_world(WORLD)
    state = CardState(tmp_path)
    c = resident_card(world, pki, "r030", NOW)
    c.power_on()
    select(c, EF_AUTH_PIN)
    assert reset(c, authorisation(pki.symmetric_key("pin-reset", "r030"), "user", challenge(c)),
                 b"5173") == 0x9000
    state.save_counters("r030", c)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert b"5173" not in path.read_bytes(), path
    saved = json.loads((tmp_path / "counters" / "r030.json").read_text())
    assert set(saved["reset_pins"]["0018"]) == {"salt", "hash"}
    again = resident_card(world, pki, "r030", NOW, *state.counters("r030"),
                          state.reset_pins("r030"))
    again.power_on()
    select(again, EF_AUTH_PIN)
    assert verify(again, b"2468") == 0x63C2 and verify(again, b"5173") == 0x9000


def test_the_lab_keeps_a_reset_pin_across_lifting_the_card(pki):
    world, memory = load_world(WORLD), CardMemory()
    first = memory.issue(world, pki, "r031", NOW)
    first.power_on()
    select(first, EF_AUTH_PIN)
    key = pki.symmetric_key("pin-reset", "r031")
    assert reset(first, authorisation(key, "user", challenge(first)), b"8080") == 0x9000
    first.power_off()
    second = memory.issue(world, pki, "r031", NOW)
    second.power_on()
    select(second, EF_AUTH_PIN)
    assert second.tries_left == 3 and verify(second, b"8080") == 0x9000
    untouched = memory.issue(world, pki, "r030", NOW)
    assert not untouched.reset_pins
