"""The center protocol and the reference center's rules, through the real encoded messages."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import pytest

from drivers.card.jpki import digest_info_sha256
from kiosk.center import protocol as p
from kiosk.center.client import CenterClient, check_binding
from kiosk.clock import JST, VirtualClock
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.vocabulary.reasons import CenterError, Reason

KIOSK = "store-0001"


@pytest.fixture(scope="module")
def center() -> ReferenceCenter:
    return ReferenceCenter.for_world(None, VirtualClock(datetime(2026, 11, 20, 11, 0,
                                                                 tzinfo=JST)))


@pytest.fixture
def client(center: ReferenceCenter) -> CenterClient:
    center.clock.set(datetime(2026, 11, 20, 11, 0, tzinfo=JST))  # a Friday
    return CenterClient(LocalTransport(center, KIOSK), center.keys.public_key_bytes())


def sign_in(center: ReferenceCenter, client: CenterClient, resident: str) -> p.Authenticated:
    """What the kiosk does with a resident's card: sign the challenge with the card key."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, utils

    r = center.world.resident(resident)
    creds = center.pki.issue_card(r.id, r.card.cert, center.clock.now())
    challenge = client.challenge()
    digest = hashlib.sha256(p.auth_message(challenge.nonce, KIOSK)).digest()
    assert digest_info_sha256(p.auth_message(challenge.nonce, KIOSK)).endswith(digest)
    signature = creds.key.sign(digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
    return client.authenticate(creds.cert_der, signature, challenge.nonce)


@pytest.mark.parametrize("resident, reason", [
    ("r005", Reason.CERT_REVOKED), ("r006", Reason.CERT_EXPIRED),
    ("r007", Reason.NOT_AVAILABLE_HERE), ("r011", Reason.NOT_AVAILABLE_HERE),
    ("r009", Reason.NOT_PARTICIPATING),
])
def test_center_refuses_with_the_rules_reason(center, client, resident, reason) -> None:
    with pytest.raises(CenterError) as info:
        sign_in(center, client, resident)
    assert info.value.reason == reason


def test_closed_day_is_refused(center, client) -> None:
    center.clock.set(datetime(2026, 12, 29, 10, 0, tzinfo=JST))
    with pytest.raises(CenterError) as info:
        sign_in(center, client, "r001")
    assert info.value.reason == Reason.CLOSED_DAY


def test_offers_only_what_the_resident_can_have(center, client) -> None:
    r001 = sign_in(center, client, "r001")
    assert [o.municipality for o in r001.offers] == ["131130"]
    types = [c.type for c in r001.offers[0].certificates]
    assert "inkan" in types and "koseki-zenbu" in types
    r002 = sign_in(center, client, "r002")  # home Kawasaki, register in Maebashi (registered)
    assert [o.municipality for o in r002.offers] == ["141305", "102016"]
    assert {c.type for c in r002.offers[1].certificates} <= {"koseki-zenbu", "koseki-kojin",
                                                             "koseki-fuhyo"}
    r003 = sign_in(center, client, "r003")  # a foreign resident, no seal: no inkan, no honseki
    certs = {c.type: c for c in r003.offers[0].certificates}
    assert "inkan" not in certs and "honseki" not in certs["juminhyo"].options
    r010 = sign_in(center, client, "r010")  # register town not registered: home town only
    assert [o.municipality for o in r010.offers] == ["141305"]


def test_order_documents_are_bound_to_their_order(center, client) -> None:
    auth = sign_in(center, client, "r001")
    order = client.order(auth.token, "131130", "juminhyo", {"household": "all"}, 2)
    assert order.fee == 400 and len(order.documents) == 2
    key = client._center_key
    for doc in order.documents:
        assert doc.pdf.startswith(b"%PDF") and check_binding(doc, order.order_id, key) is None
    doc = order.documents[0]
    assert check_binding(doc, "OTHER", key) == "document belongs to another order"
    tampered = p.Document(doc.document_id, doc.order_id, doc.sha256, doc.signature, doc.pages,
                          doc.pdf + b"x")
    assert "SHA-256" in check_binding(tampered, order.order_id, key)
    forged = p.Document(doc.document_id, doc.order_id, doc.sha256, bytes(64), doc.pages, doc.pdf)
    assert "signature" in check_binding(forged, order.order_id, key)


def test_a_challenge_is_single_use(center, client) -> None:
    challenge = client.challenge()
    r = center.world.resident("r001")
    creds = center.pki.issue_card(r.id, "valid", center.clock.now())
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = creds.key.sign(p.auth_message(challenge.nonce, KIOSK), padding.PKCS1v15(),
                         hashes.SHA256())
    client.authenticate(creds.cert_der, sig, challenge.nonce)
    with pytest.raises(CenterError):
        client.authenticate(creds.cert_der, sig, challenge.nonce)


def test_a_signature_for_another_kiosk_is_refused(center, client) -> None:
    challenge = client.challenge()
    r = center.world.resident("r001")
    creds = center.pki.issue_card(r.id, "valid", center.clock.now())
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = creds.key.sign(p.auth_message(challenge.nonce, "office-0001"), padding.PKCS1v15(),
                         hashes.SHA256())
    with pytest.raises(CenterError) as info:
        client.authenticate(creds.cert_der, sig, challenge.nonce)
    assert info.value.reason == Reason.CARD_UNREADABLE


def test_a_repeated_idempotency_key_gets_the_same_order(center, client) -> None:
    auth = sign_in(center, client, "r001")
    raw = p.encode_request("order", p.OrderRequest(auth.token, "131130", "inkan", {}, 1),
                           "same-key-123")
    first = center.handle(KIOSK, raw)
    again = center.handle(KIOSK, raw)
    assert first == again
    orders_before = center.store.count_orders()
    center.handle(KIOSK, raw)
    assert center.store.count_orders() == orders_before


def test_cancel_voids_and_complete_after_void_is_refused(center, client) -> None:
    auth = sign_in(center, client, "r001")
    order = client.order(auth.token, "131130", "inkan", {}, 1)
    client.cancel(order.order_id)
    assert center.store.order(order.order_id).state == "voided"
    with pytest.raises(CenterError):
        client.complete(order.order_id, 1)


@pytest.mark.parametrize("body, field", [
    ({"token": "t", "municipality": "131130", "certificate": "inkan", "options": {},
      "copies": "2"}, "body.copies"),
    ({"token": "t", "municipality": "131130", "certificate": "inkan", "options": {}},
     "body.copies"),
    ({"token": "t", "municipality": "131130", "certificate": "inkan", "options": {},
      "copies": 1, "extra": 1}, "body.extra"),
    ({"token": "t", "municipality": "131130", "certificate": "inkan", "options": {},
      "copies": 0}, "body.copies"),
])
def test_a_malformed_request_names_the_field(body, field) -> None:
    raw = json.dumps({"v": 1, "call": "order", "idempotency_key": "k" * 10, "body": body})
    with pytest.raises(p.ProtocolError) as info:
        p.decode_request(raw.encode())
    assert str(info.value).startswith(field)


def test_a_malformed_reply_is_center_unavailable_not_a_crash(center) -> None:
    class Garbage:
        def send(self, request: bytes) -> bytes:
            return b'{"v": 1, "ok": true, "body": {"nonce": 5}}'

    client = CenterClient(Garbage(), center.keys.public_key_bytes())
    with pytest.raises(CenterError) as info:
        client.challenge()
    assert info.value.reason == Reason.CENTER_UNAVAILABLE


def ec_sign_in(center: ReferenceCenter, client: CenterClient, resident: str,
               mangle: str = "") -> p.Authenticated:
    """The next-generation card: ECDSA P-384 over SHA-384, sent as the card answers (r‖s)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, utils

    creds = center.pki.issue_card_ec(resident, "valid", center.clock.now())
    challenge = client.challenge()
    der = creds.key.sign(p.auth_message(challenge.nonce, KIOSK), ec.ECDSA(hashes.SHA384()))
    r, s = utils.decode_dss_signature(der)
    signature = r.to_bytes(48, "big") + s.to_bytes(48, "big")
    if mangle == "der":
        signature = der
    elif mangle == "flip":
        signature = signature[:-1] + bytes([signature[-1] ^ 1])
    return client.authenticate(creds.cert_der, signature, challenge.nonce)


def test_center_verifies_an_ecdsa_p384_card_signature_given_as_r_s(center, client) -> None:
    auth = ec_sign_in(center, client, "r001")
    assert auth.token and any(o.municipality == "131130" for o in auth.offers)


@pytest.mark.parametrize("mangle", ["der", "flip"])
def test_center_refuses_an_ecdsa_signature_not_r_s_or_not_matching(center, client,
                                                                   mangle) -> None:
    with pytest.raises(CenterError) as info:
        ec_sign_in(center, client, "r001", mangle)
    assert info.value.reason == Reason.CARD_UNREADABLE


def test_center_refuses_a_key_neither_rsa_nor_p384_as_card_unsupported(center, client) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from kiosk.lab.center.pki import serial_for
    from kiosk.lab.center.pki_certs import user_cert

    key = ec.generate_private_key(ec.SECP256R1())
    now = center.clock.now()
    pki = center.pki
    cert = user_cert(pki._ca_key, pki.ca_certificate,  # the CA's own, on a P-256 key
                     pki.ca_certificate.subject, serial_for("r001"), key,
                     now - timedelta(days=1), now + timedelta(days=1))
    challenge = client.challenge()
    signature = key.sign(p.auth_message(challenge.nonce, KIOSK), ec.ECDSA(hashes.SHA256()))
    with pytest.raises(CenterError) as info:
        client.authenticate(cert, signature, challenge.nonce)
    assert info.value.reason == Reason.CARD_UNSUPPORTED
