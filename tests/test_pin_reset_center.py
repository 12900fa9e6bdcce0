"""The reference center's PIN reset: a reservation of the card's resident, valid certificate,
made within 24 hours and not used, gets one AES-CMAC authorisation per PIN over the card's
nonces, once; every other case is refused pin-reset-not-reserved (or the certificate's reason)."""

from __future__ import annotations

import base64
import copy
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from drivers.card.emulator.pin_reset import authorisation
from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.clock import VirtualClock
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.store import CenterStore
from kiosk.lab.center.world import World, WorldError, load_world
from kiosk.vocabulary.reasons import CenterError, Reason

NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")
WORLD = Path(__file__).parent / "worlds" / "pin-reset.toml"
KIOSK = "store-0001"
NONCE = bytes(range(8))


@pytest.fixture(scope="module")
def pki() -> TestJPKI:
    return TestJPKI()


def center(pki: TestJPKI, world: World | None = None, store: CenterStore | None = None,
           now: datetime = NOW) -> tuple[ReferenceCenter, CenterClient]:
    made = ReferenceCenter(world or load_world(WORLD), pki, CenterKeys(), VirtualClock(now),
                           store=store)
    return made, CenterClient(LocalTransport(made, KIOSK), made.keys.public_key_bytes())


def cert(pki: TestJPKI, resident: str, state: str = "valid") -> bytes:
    return pki.issue_card(resident, state, NOW).cert_der


def refused(call, reason: Reason = Reason.PIN_RESET_NOT_RESERVED) -> None:
    with pytest.raises(CenterError) as caught:
        call()
    assert caught.value.reason == reason


def test_a_reservation_is_checked_authorised_once_and_used_up(pki):
    _, client = center(pki)
    der = cert(pki, "r030")
    assert client.pin_reset_check(der) == ["user"]
    macs = client.pin_reset_authorise(der, {"user": NONCE})
    assert macs == {"user": authorisation(pki.symmetric_key("pin-reset", "r030"), "user", NONCE)}
    refused(lambda: client.pin_reset_check(der))
    refused(lambda: client.pin_reset_authorise(der, {"user": NONCE}))


def test_a_reservation_with_the_signing_password_authorises_both(pki):
    _, client = center(pki)
    der = cert(pki, "r032")
    assert client.pin_reset_check(der) == ["user", "signing"]
    macs = client.pin_reset_authorise(der, {"user": NONCE, "signing": NONCE[::-1]})
    key = pki.symmetric_key("pin-reset", "r032")
    assert macs["signing"] == authorisation(key, "signing", NONCE[::-1])


def test_nonces_for_other_pins_than_the_reservations_are_a_bad_request(pki):
    _, client = center(pki)
    der = cert(pki, "r032")
    with pytest.raises(CenterError):
        client.pin_reset_authorise(der, {"user": NONCE})
    assert client.pin_reset_check(der) == ["user", "signing"]  # not used up by that


def test_no_reservation_is_not_reserved(pki):
    _, client = center(pki)
    refused(lambda: client.pin_reset_check(cert(pki, "r033")))
    refused(lambda: client.pin_reset_authorise(cert(pki, "r033"), {"user": NONCE}))


def test_a_reservation_over_24_hours_old_is_not_reserved(pki):
    _, client = center(pki)
    refused(lambda: client.pin_reset_check(cert(pki, "r034")))
    # r030 reserved at 08:30: usable until 08:30 the next day, by the center's clock
    _, late = center(pki, now=datetime.fromisoformat("2026-11-22T08:31:00+09:00"))
    refused(lambda: late.pin_reset_check(cert(pki, "r030")))
    _, early = center(pki, now=datetime.fromisoformat("2026-11-21T08:00:00+09:00"))
    refused(lambda: early.pin_reset_check(cert(pki, "r030")))  # made after "now": none


def test_a_used_reservation_stays_used_in_the_store(pki, tmp_path):
    path = tmp_path / "center.sqlite"
    _, client = center(pki, store=CenterStore(path))
    client.pin_reset_authorise(cert(pki, "r030"), {"user": NONCE})
    _, later = center(pki, store=CenterStore(path), now=NOW + timedelta(hours=1))
    refused(lambda: later.pin_reset_check(cert(pki, "r030")))


@pytest.mark.parametrize("state, reason", [("revoked", Reason.CERT_REVOKED),
                                           ("expired", Reason.CERT_EXPIRED)])
def test_a_certificate_not_valid_is_refused_as_at_sign_in(state, reason):
    pki = TestJPKI.with_new_ca()  # a CA of its own: this process's keeps r030 valid
    world = copy.deepcopy(load_world(WORLD))  # (a world file is loaded once per process)
    resident = world.resident("r030")
    assert resident is not None
    resident.card.cert = state  # type: ignore[assignment]
    _, client = center(pki, world)
    refused(lambda: client.pin_reset_check(cert(pki, "r030", state)), reason)


def test_a_certificate_of_another_ca_is_refused(pki):
    _, client = center(pki)
    refused(lambda: client.pin_reset_check(TestJPKI.with_new_ca().issue_card(
        "r030", "valid", NOW).cert_der), Reason.CARD_UNSUPPORTED)
    refused(lambda: client.pin_reset_check(b"\x30\x03\x02\x01\x00"), Reason.CARD_UNREADABLE)


def _send(made: ReferenceCenter, body: object) -> dict:
    raw = json.dumps({"v": 1, "call": "pin_reset_authorise", "idempotency_key": "k" * 16,
                      "body": body}).encode()
    return json.loads(made.handle(KIOSK, raw))


@pytest.mark.parametrize("nonces, field", [
    ([], "nonces"),
    ([{"pin": "user", "nonce": base64.b64encode(b"short").decode()}], "nonce"),
    ([{"pin": "town", "nonce": base64.b64encode(NONCE).decode()}], "pin"),
    ([{"pin": "user", "nonce": base64.b64encode(NONCE).decode()}] * 2, "nonces"),
    ([{"pin": "user", "nonce": base64.b64encode(NONCE).decode(), "new_pin": "1234"}], "new_pin"),
])
def test_malformed_bodies_are_one_bad_request_naming_the_field(pki, nonces, field):
    made, _ = center(pki)
    reply = _send(made, {"certificate": base64.b64encode(cert(pki, "r030")).decode(),
                         "nonces": nonces})
    assert reply["ok"] is False and reply["error"]["reason"] == "bad-request"
    assert field in reply["error"]["detail"]


def test_the_protocol_has_the_two_calls():
    assert p.CALLS["pin_reset_check"] == (p.PinResetCheck, p.PinResetReserved)
    assert p.CALLS["pin_reset_authorise"] == (p.PinResetAuthorise, p.PinResetAuthorised)


@pytest.mark.parametrize("reservation, field", [
    ('{ reserved_at = "2026-11-21T08:00:00", which = ["user"] }', "reserved_at"),
    ('{ reserved_at = "yesterday", which = ["user"] }', "reserved_at"),
    ('{ reserved_at = "2026-11-21T08:00:00+09:00", which = ["signing"] }', "which"),
    ('{ reserved_at = "2026-11-21T08:00:00+09:00", which = ["user"], at = 1 }', "at"),
])
def test_a_wrong_reservation_in_the_world_is_a_clear_error(tmp_path, reservation, field):
    text = WORLD.read_text(encoding="utf-8").replace(
        'pin_reset = { reserved_at = "2026-11-21T08:30:00+09:00", which = ["user"] }',
        f"pin_reset = {reservation}", 1)
    bad = tmp_path / "world.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(WorldError) as caught:
        load_world(bad)
    assert "pin_reset" in str(caught.value) and field in str(caught.value)
