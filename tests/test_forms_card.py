"""The text-helper AP (券面事項入力補助AP): the emulated card, the kiosk's client and port, the
world's fields for it, and hostile answers (only typed errors come out)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from test_jpki_fuzz import FUZZ, FakeConnection, attempt, byte, script

from drivers.card.emulator import MyNumberCard
from drivers.card.emulator.helper_ap import HelperAP
from drivers.card.helper_ap import read_basic_four, read_number, select_helper_ap
from drivers.card.helper_ap_spec import EF_HELPER_PIN, HELPER_AID, split_tlvs, tlv
from drivers.card.jpki import JPKIClient
from drivers.card.jpki_port import JPKICardPort
from kiosk.lab.center.cards import resident_card
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.world import WorldError, load_world, parse_world
from kiosk.vocabulary.my_number import check_digit, valid_number
from kiosk.vocabulary.reasons import CardError, PinLocked, PinWrong, Reason

WORLD = Path(__file__).parent / "worlds" / "forms.toml"
NOW = datetime(2026, 11, 21, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def pki() -> TestJPKI:
    return TestJPKI.with_new_ca()


def card_of(pki: TestJPKI, resident: str) -> MyNumberCard:
    card = resident_card(load_world(WORLD), pki, resident, NOW)
    card.power_on()
    return card


def test_the_check_digit_follows_the_my_number_rule() -> None:
    assert check_digit("12345678901") == 8 and valid_number("123456789018")
    assert not valid_number("123456789012") and not valid_number("12345678901")
    assert not valid_number("１２３４５６７８９０１８")  # full-width digits are not a number
    world = load_world(WORLD)
    numbers = {r.id: r.individual_number for r in world.residents}
    assert numbers["r040"] == "123456789018"
    assert all(valid_number(n) for n in numbers.values())
    assert load_world(WORLD).resident("r041").individual_number == numbers["r041"]  # stable


@pytest.mark.parametrize(("field", "value"), [
    ("number", '"123456789012"'), ("number", '"12345"'), ("number", "123456789018"),
    ("helper_pin", '"12a4"'), ("helper_pin", '"12345"'), ("helper_pin", "1234"),
])
def test_a_malformed_card_field_is_one_clear_error(field: str, value: str) -> None:
    text = WORLD.read_text(encoding="utf-8").replace(
        'cert = "valid", number = "123456789018" }', f'cert = "valid", {field} = {value} }}')
    with pytest.raises(WorldError, match=field):
        parse_world(text, "forms.toml")


def test_the_port_reads_the_basic_four_after_the_helper_pin(pki: TestJPKI) -> None:
    card = card_of(pki, "r041")  # the helper PIN (8642) is not the card's PIN (2468)
    port = JPKICardPort(lambda: card)
    port.open()
    assert port.helper_tries_left() == 3
    with pytest.raises(PinWrong) as wrong:
        port.read_card_face(bytearray(b"2468"))
    assert wrong.value.tries_left == 2 and card.tries_left == 3  # the user PIN untouched
    with pytest.raises(CardError) as early:  # no number before the PIN
        port.read_helper_number()
    assert early.value.sw == 0x6982
    pin = bytearray(b"8642")
    face = port.read_card_face(pin)
    assert (face.name, face.address, face.birth, face.sex, face.number) == (
        "中村 美咲", "東京都渋谷区道玄坂2丁目24番1号", "19920314", "2", None)
    assert "中村" not in repr(face)
    assert port.read_helper_number() == load_world(WORLD).resident("r041").individual_number
    assert port.helper_tries_left() == 3  # the right PIN restored them (and selecting the AP
    with pytest.raises(CardError):  # again forgot that it was verified)
        port.read_helper_number()
    port.close()


def test_three_wrong_helper_pins_lock_it_and_a_reset_keeps_the_count(pki: TestJPKI) -> None:
    card = card_of(pki, "r040")
    port = JPKICardPort(lambda: card)
    port.open()
    port.helper_tries_left()
    for left in (2, 1):
        with pytest.raises(PinWrong) as wrong:
            port.read_card_face(bytearray(b"0000"))
        assert wrong.value.tries_left == left
    with pytest.raises(PinLocked):
        port.read_card_face(bytearray(b"0000"))
    port.close()
    port.open()
    assert port.helper_tries_left() == 0
    with pytest.raises(PinLocked):
        port.read_card_face(bytearray(b"1357"))  # the right one: locked all the same


def test_selecting_the_helper_ap_forgets_the_jpki_pin(pki: TestJPKI) -> None:
    card = card_of(pki, "r040")
    port = JPKICardPort(lambda: card)
    port.open()
    port.verify_pin(bytearray(b"1357"))
    assert card.verified
    port.helper_tries_left()
    assert not card.verified


def test_a_card_without_the_helper_ap_is_unsupported(pki: TestJPKI) -> None:
    card = card_of(pki, "r040")
    card.helper_ap = None
    client = JPKIClient(card)
    with pytest.raises(CardError) as error:
        select_helper_ap(client)
    assert error.value.reason == Reason.CARD_UNSUPPORTED


def test_the_emulated_ap_refuses_bad_data() -> None:
    good = dict(pin="1234", tries_left=3, number="123456789018", name="山田 太郎",
                address="東京都渋谷区宇田川町1番1号", birth="19800401", sex="1")
    HelperAP(**good)  # type: ignore[arg-type]
    for key, value in (("pin", "12345"), ("tries_left", 4), ("number", "123456789012"),
                       ("birth", "1980-04-01"), ("sex", "3"), ("name", "")):
        with pytest.raises(ValueError):
            HelperAP(**{**good, key: value})  # type: ignore[arg-type]
    assert "山田" not in repr(HelperAP(**good))  # type: ignore[arg-type]


def test_tlvs_split_exactly_or_raise() -> None:
    inner = tlv(b"\xdf\x22", "名".encode()) + tlv(b"\xdf\x23", b"x" * 200)
    assert split_tlvs(inner)[b"\xdf\x23"] == b"x" * 200
    for broken in (inner[:-1], inner + b"\xdf", inner + tlv(b"\xdf\x22", b"again"),
                   b"\xdf\x22\x83\x00\x00\x01"):
        with pytest.raises(ValueError):
            split_tlvs(broken)


class Scripted:
    """SELECT, VERIFY, SELECT EF answered OK; READ BINARY answered from ``ef`` (as a card would
    with a malformed file)."""

    def __init__(self, ef: bytes) -> None:
        self.ef = ef

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        if apdu[1] == 0xB0:
            offset = (apdu[2] << 8) | apdu[3]
            if offset >= len(self.ef):
                return [], 0x6B, 0x00
            return list(self.ef[offset : offset + (apdu[4] or 256)]), 0x90, 0x00
        return [], 0x90, 0x00


@FUZZ
@given(st.lists(byte, max_size=120).map(bytes),
       st.sampled_from([b"", b"\xff\x20", b"\xff\x20\x81", b"\xff\x10\x0c", b"\xff\x20\x82\x02"]))
def test_malformed_helper_efs_give_one_typed_error(tail: bytes, head: bytes) -> None:
    client = JPKIClient(Scripted(head + tail))
    for read in (read_basic_four, read_number):
        try:
            read(client)
        except CardError:
            pass


@FUZZ
@given(script)
def test_the_helper_paths_raise_only_kiosk_errors(responses) -> None:  # type: ignore[no-untyped-def]
    conn = FakeConnection(responses)
    client = JPKIClient(conn)
    attempt(lambda: select_helper_ap(client))
    attempt(lambda: client.tries_left(EF_HELPER_PIN))
    attempt(lambda: client.verify(bytearray(b"1234"), EF_HELPER_PIN))
    attempt(lambda: read_basic_four(client))
    attempt(lambda: read_number(client))
    port = JPKICardPort(lambda: FakeConnection(responses))
    attempt(port.open)
    attempt(port.helper_tries_left)
    attempt(lambda: port.read_card_face(bytearray(b"1234")))
    attempt(port.read_helper_number)
    port.close()


@FUZZ
@given(apdus=st.lists(st.tuples(st.sampled_from([0x00, 0x80]), st.sampled_from([0xA4, 0xB0, 0x20]),
                                byte, byte, st.lists(byte, max_size=12)), max_size=12))
def test_the_emulated_helper_ap_always_answers_a_status(pki: TestJPKI, apdus) -> None:  # type: ignore[no-untyped-def]
    card = card_of(pki, "r040")
    card.transmit([0x00, 0xA4, 0x04, 0x0C, len(HELPER_AID), *HELPER_AID])
    for cla, ins, p1, p2, data in apdus:
        apdu = [cla, ins, p1, p2, *([len(data), *data] if data else [0x10])]
        out, sw1, sw2 = card.transmit(apdu)
        assert 0 <= sw1 <= 0xFF and 0 <= sw2 <= 0xFF and all(0 <= b <= 0xFF for b in out)
