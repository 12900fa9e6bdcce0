"""The 本籍地 registration at the reference center: the kana matching, the protocol, the rules,
the lab's approval, over the real center, the local transport and the client (and once HTTPS)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator
from datetime import datetime

import pytest
from conftest import ROOT
from test_center import sign_in
from test_center_https import Served, serve
from test_center_https import sign_in as served_sign_in

from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.center.prefectures import PREFECTURES, prefecture_of
from kiosk.clock import JST, VirtualClock
from kiosk.lab.center import center as center_module
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.documents import CertificateContent
from kiosk.lab.center.kana import address_matches, name_matches, normalise, reading_forms
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.world import load_world
from kiosk.vocabulary.reasons import CenterError, Reason

WORLD = ROOT / "tests" / "worlds" / "honseki.toml"
KIOSK = "store-0001"
SHIBUYA, KAWASAKI, MAEBASHI, MITAKA = "131130", "141305", "102016", "132047"
ADDRESS = "東京都渋谷区宇田川町1番1号"
KANA = "うだがわちょう1ばん1ごう"
TOKYO = prefecture_of(SHIBUYA)


@pytest.fixture
def center() -> ReferenceCenter:
    """A center of its own for each test: registrations are the center's state."""
    clock = VirtualClock(datetime(2026, 11, 20, 11, 0, tzinfo=JST))  # a Friday
    return ReferenceCenter(load_world(WORLD), TestJPKI(), CenterKeys(), clock)


@pytest.fixture
def client(center: ReferenceCenter) -> CenterClient:
    return CenterClient(LocalTransport(center, KIOSK), center.keys.public_key_bytes())


def refusal(call: Callable[..., object], *args: object) -> str:
    """The reason code the center refused ``call`` with."""
    with pytest.raises(CenterError) as info:
        call(*args)
    return str(info.value.reason)


# --- the matching rule (pure) ---------------------------------------------------------------------
@pytest.mark.parametrize("typed, expected", [
    ("ウダガワチョウ１番１号", "うだがわちょう1ばん1ごう"),
    ("ｳﾀﾞｶﾞﾜﾁｮｳ 1 ﾊﾞﾝ 1 ｺﾞｳ", "うだがわちょう1ばん1ごう"),
    ("こすぎまち3丁目2番地の1", "こすぎまち3ちょうめ2ばんちの1"),
    ("1－2‐3−4ー5ｰ6", "1-2-3-4-5-6"),
    ("らーめん　1ー", "らーめん1ー"),  # a long vowel stays one outside a number
    ("かとう\u3000だいすけ", "かとうだいすけ"),
])
def test_normalise(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


@pytest.mark.parametrize("typed, kana, ok", [
    (KANA, KANA, True),
    ("ウダガワチョウ　１ばん１ごう", KANA, True),
    ("とうきょうとしぶやくうだがわちょう1ばん1ごう", KANA, True),  # the town typed in front
    ("しぶやくうだがわちょう1ばん1ごう", KANA, True),
    ("宇田川町1番1号", None, True),
    (ADDRESS, None, True),
    ("渋谷区宇田川町1番1号", None, True),
    ("うだがわちょう1ばん2ごう", KANA, False),
    ("1ばん1ごう", KANA, False),
    ("うだがわちょう1ばん1ごう", None, False),  # no reading on the register: kanji only
    ("とうきょうとうだがわちょう1ばん1ごう", KANA, False),  # no town between
    ("", KANA, False),
    # A reading in full: the prefecture's and the town's readings are cut off
    (KANA, "とうきょうとしぶやく" + KANA, True),
    ("しぶやく" + KANA, "とうきょうとしぶやく" + KANA, True),
    ("とうきょうとしぶやく" + KANA, "とうきょうとしぶやく" + KANA, True),
    ("1ばん1ごう", "とうきょうとしぶやく" + KANA, False),
])
def test_the_typed_address(typed: str, kana: str | None, ok: bool) -> None:
    assert address_matches(typed, ADDRESS, kana, TOKYO, "渋谷区") is ok


def test_a_full_reading_accepts_each_remainder_after_a_town_reading() -> None:
    kanagawa = prefecture_of(KAWASAKI)
    forms = reading_forms("かながわけんかわさきしなかはらくこすぎまち3ちょうめ2ばん1ごう", kanagawa)
    assert "なかはらくこすぎまち3ちょうめ2ばん1ごう" in forms  # after 川崎市
    assert "こすぎまち3ちょうめ2ばん1ごう" in forms  # the ward left out too
    assert not any(f[0].isdigit() for f in forms)  # never the number alone
    assert reading_forms("こすぎまち3ちょうめ", kanagawa) == {"こすぎまち3ちょうめ"}


@pytest.mark.parametrize("typed, ok", [
    ("加藤 大輔", True), ("加藤大輔", True), ("かとう だいすけ", True), ("カトウ　ダイスケ", True),
    ("ｶﾄｳﾀﾞｲｽｹ", True), ("かとう", False), ("さとう だいすけ", False), ("", False),
])
def test_the_typed_head(typed: str, ok: bool) -> None:
    assert name_matches(typed, "加藤 大輔", "かとう だいすけ") is ok


def test_the_prefecture_table() -> None:
    assert sorted(PREFECTURES) == [f"{n:02d}" for n in range(1, 48)]
    assert len({pr.ja for pr in PREFECTURES.values()}) == 47
    assert all(pr.ja[-1] in "都道府県" and pr.en and pr.kana for pr in PREFECTURES.values())
    assert TOKYO is not None and TOKYO.names == {"ja": "東京都", "en": "Tokyo"}
    assert prefecture_of("012025").ja == "北海道" and prefecture_of("471003").ja == "沖縄県"
    assert prefecture_of("990000") is None


# --- the center's rules -------------------------------------------------------------------------
def test_the_towns_to_register_for(center: ReferenceCenter, client: CenterClient) -> None:
    auth = sign_in(center, client, "r010")
    towns = client.registration_towns(auth.token).towns
    assert [t.code for t in towns] == [MAEBASHI, SHIBUYA]  # with register certificates, not home
    assert towns[1].names["ja"] == "渋谷区" and towns[1].prefecture == {"ja": "東京都",
                                                                       "en": "Tokyo"}
    assert towns[0].prefecture == {"ja": "群馬県", "en": "Gunma"}


def test_kana_typed_for_a_kanji_address_registers(center: ReferenceCenter,
                                                  client: CenterClient) -> None:
    auth = sign_in(center, client, "r010")
    reg = client.register(auth.token, SHIBUYA, KANA, "かとう だいすけ")
    assert re.fullmatch(r"G[0-9A-F]{16}", reg.registration_id)
    assert (reg.municipality, reg.status, reg.usable_from) == (SHIBUYA, "pending", "2026-11-25")
    assert center.store.registration("r010").status == "pending"


@pytest.mark.parametrize("honseki, hittousha", [
    ("ウダガワチョウ１バン１ゴウ", "カトウ　ダイスケ"),  # katakana, full-width digits and space
    ("うだがわちょう 1 番 1 号", "加藤大輔"),  # the keyboard's 番 and 号, spaces
    (ADDRESS, "加藤 大輔"),  # the whole address in kanji
    ("とうきょうと しぶやく うだがわちょう 1ばん1ごう", "ｶﾄｳ ﾀﾞｲｽｹ"),  # the town typed again
])
def test_what_the_keyboard_types_matches(center: ReferenceCenter, client: CenterClient,
                                         honseki: str, hittousha: str) -> None:
    auth = sign_in(center, client, "r010")
    assert client.register(auth.token, SHIBUYA, honseki, hittousha).status == "pending"


def test_a_reading_in_full_and_the_residents_own_name(center: ReferenceCenter,
                                                      client: CenterClient) -> None:
    auth = sign_in(center, client, "r013")  # register in Kawasaki, no head: her own name
    assert refusal(client.register, auth.token, KAWASAKI, "こすぎまち3ちょうめ2ばん1ごう",
                   "かとう だいすけ") == Reason.REGISTRATION_MISMATCH
    reg = client.register(auth.token, KAWASAKI, "なかはらく こすぎまち3ちょうめ2ばん1ごう",
                          "イノウエ マリ")
    assert reg.status == "pending"


@pytest.mark.parametrize("municipality, honseki, hittousha, reason", [
    (SHIBUYA, KANA, "さとう はなこ", Reason.REGISTRATION_MISMATCH),  # wrong head
    (SHIBUYA, "うだがわちょう1ばん2ごう", "かとう だいすけ", Reason.REGISTRATION_MISMATCH),
    (MAEBASHI, KANA, "かとう だいすけ", Reason.REGISTRATION_MISMATCH),  # another town's list
    (MITAKA, KANA, "かとう だいすけ", Reason.NOT_AVAILABLE_HERE),  # no register certificates
    (KAWASAKI, KANA, "かとう だいすけ", Reason.NOT_AVAILABLE_HERE),  # the home town
    ("999999", KANA, "かとう だいすけ", Reason.NOT_AVAILABLE_HERE),
])
def test_what_is_not_the_register_is_refused(center: ReferenceCenter, client: CenterClient,
                                             municipality: str, honseki: str, hittousha: str,
                                             reason: Reason) -> None:
    auth = sign_in(center, client, "r010")
    assert refusal(client.register, auth.token, municipality, honseki, hittousha) == reason
    assert center.store.registration("r010") is None
    assert client.register(auth.token, SHIBUYA, KANA, "かとう だいすけ").status == "pending"


def test_a_second_application_is_pending(center: ReferenceCenter, client: CenterClient) -> None:
    auth = sign_in(center, client, "r010")
    client.register(auth.token, SHIBUYA, KANA, "かとう だいすけ")
    assert refusal(client.register, auth.token, SHIBUYA, KANA, "かとう だいすけ") \
        == Reason.REGISTRATION_PENDING
    other = CenterClient(LocalTransport(center, "office-0001"), center.keys.public_key_bytes())
    assert refusal(client.registration_towns, sign_in(center, client, "r010").token) \
        == Reason.REGISTRATION_PENDING
    assert refusal(other.registration_towns, auth.token) == Reason.TIMEOUT  # not its sign-in
    r012 = sign_in(center, client, "r012")  # pending in the world file
    assert refusal(client.registration_towns, r012.token) == Reason.REGISTRATION_PENDING
    assert refusal(client.register, r012.token, MAEBASHI, "x", "y") == Reason.REGISTRATION_PENDING


def test_approval_offers_the_register_towns_certificates(center: ReferenceCenter,
                                                         client: CenterClient,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    auth = sign_in(center, client, "r010")
    assert [o.municipality for o in auth.offers] == [KAWASAKI]
    client.register(auth.token, SHIBUYA, KANA, "かとう だいすけ")
    assert LocalTransport(center, KIOSK).approve_registrations() == 2  # r010 and r012
    assert center.approve_registrations() == 0
    again = sign_in(center, client, "r010")
    assert refusal(client.registration_towns, again.token) == Reason.ALREADY_REGISTERED
    assert refusal(client.register, again.token, SHIBUYA, KANA, "かとう だいすけ") \
        == Reason.ALREADY_REGISTERED
    assert [o.municipality for o in again.offers] == [KAWASAKI, SHIBUYA]
    shibuya = again.offers[1]
    assert not shibuya.home and {c.type for c in shibuya.certificates} == {
        "koseki-zenbu", "koseki-kojin", "koseki-fuhyo"}
    r012 = sign_in(center, client, "r012")
    assert [o.municipality for o in r012.offers] == [MITAKA, MAEBASHI]

    contents: list[CertificateContent] = []
    real = center_module.certificate_content

    def keep(*args: object, **kwargs: object) -> CertificateContent:
        contents.append(real(*args, **kwargs))  # type: ignore[arg-type]
        return contents[-1]

    monkeypatch.setattr(center_module, "certificate_content", keep)
    order = client.order(again.token, SHIBUYA, "koseki-zenbu", {}, 1)
    client.cancel(order.order_id)
    (content,) = contents
    assert ("本籍", ADDRESS) in content.rows and ("筆頭者", "加藤 大輔") in content.rows


@pytest.mark.parametrize("resident", ["r001", "r003"])  # register at home; none (foreign)
def test_nothing_to_register(center: ReferenceCenter, client: CenterClient,
                             resident: str) -> None:
    auth = sign_in(center, client, resident)
    assert refusal(client.registration_towns, auth.token) == Reason.REGISTRATION_NOT_NEEDED
    assert refusal(client.register, auth.token, SHIBUYA, KANA, "かとう だいすけ") \
        == Reason.REGISTRATION_NOT_NEEDED


def test_an_unknown_or_expired_sign_in_is_a_timeout(center: ReferenceCenter,
                                                     client: CenterClient) -> None:
    assert refusal(client.registration_towns, "no-such-token") == Reason.TIMEOUT
    auth = sign_in(center, client, "r010")
    center.clock.set(datetime(2026, 11, 20, 11, 16, tzinfo=JST))
    assert refusal(client.register, auth.token, SHIBUYA, KANA, "かとう だいすけ") == Reason.TIMEOUT


@pytest.mark.parametrize("honseki, hittousha, municipality, field", [
    ("あ" * 81, "かとう", SHIBUYA, "body.honseki"),
    ("", "かとう", SHIBUYA, "body.honseki"),
    (KANA, "か" * 41, SHIBUYA, "body.hittousha"),
    (KANA, "", SHIBUYA, "body.hittousha"),
    (KANA, "かとう", "13113", "body.municipality"),
    (KANA, "かとう", "１３１１３０", "body.municipality"),
])
def test_a_malformed_registration_names_the_field(center: ReferenceCenter, client: CenterClient,
                                                  honseki: str, hittousha: str,
                                                  municipality: str, field: str) -> None:
    auth = sign_in(center, client, "r010")
    with pytest.raises(CenterError) as info:
        client.register(auth.token, municipality, honseki, hittousha)
    assert str(info.value).startswith(field) and info.value.reason == Reason.CENTER_UNAVAILABLE
    assert not (honseki and honseki in str(info.value))  # the typed text is not repeated
    raw = json.dumps({"v": 1, "call": "register", "idempotency_key": "k" * 10, "body": {
        "token": auth.token, "municipality": municipality, "honseki": honseki,
        "hittousha": hittousha}}).encode()
    reply = json.loads(center.handle(KIOSK, raw))
    assert reply["error"]["reason"] == "bad-request"
    assert reply["error"]["detail"].startswith(field)
    assert center.store.registration("r010") is None


def test_a_repeated_key_gets_the_same_registration(center: ReferenceCenter,
                                                   client: CenterClient) -> None:
    auth = sign_in(center, client, "r010")
    raw = p.encode_request("register", p.RegistrationRequest(auth.token, SHIBUYA, KANA,
                                                             "かとう だいすけ"), "same-key-456")
    first = center.handle(KIOSK, raw)
    assert json.loads(first)["ok"] is True
    assert center.handle(KIOSK, raw) == first  # the retry is not a second application


def test_nothing_typed_is_logged(center: ReferenceCenter, client: CenterClient,
                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    auth = sign_in(center, client, "r010")
    typed = ["ウダガワチョウ１バン２ゴウ", "すずき いちろう", KANA, "かとう だいすけ"]
    refusal(client.register, auth.token, SHIBUYA, typed[0], typed[3])
    refusal(client.register, auth.token, SHIBUYA, typed[2], typed[1])
    refusal(client.register, auth.token, SHIBUYA, "あ" * 81, typed[3])
    reg = client.register(auth.token, SHIBUYA, typed[2], typed[3])
    center.approve_registrations()
    text = caplog.text
    assert f"registration {reg.registration_id} pending for {SHIBUYA}" in text
    for secret in [*typed, "うだがわ", "かとう", "加藤", "大輔", "宇田川", "あああ", "r010"]:
        assert secret not in text


# --- over HTTPS, with the lab's approval ---------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, WORLD)


def https_sign_in(served: Served, client: CenterClient, resident: str) -> p.Authenticated:
    return served_sign_in(served, client, resident, KIOSK, WORLD)


def test_registration_and_approval_over_https(served: Served) -> None:
    client = served.client(KIOSK)
    auth = https_sign_in(served, client, "r010")
    assert [t.code for t in client.registration_towns(auth.token).towns] == [MAEBASHI, SHIBUYA]
    assert refusal(client.register, auth.token, SHIBUYA, KANA, "さとう") \
        == Reason.REGISTRATION_MISMATCH
    reg = client.register(auth.token, SHIBUYA, "ウダガワチョウ１バン１ゴウ", "カトウ ダイスケ")
    assert (reg.status, reg.usable_from) == ("pending", "2026-11-25")  # on the kiosk's clock
    assert served.transport(KIOSK).approve_registrations() == 2  # r010 and r012
    again = https_sign_in(served, client, "r010")
    assert [o.municipality for o in again.offers] == [KAWASAKI, SHIBUYA]
    assert refusal(client.registration_towns, again.token) == Reason.ALREADY_REGISTERED
