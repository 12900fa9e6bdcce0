"""The reference center against hostile or mistaken input: idempotency keys bound to their call,
JSON the decoder refuses, bounded fields, cached replies that expire, and start-up checks."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import center_args
from test_center import sign_in

from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.clock import JST, VirtualClock
from kiosk.lab import center_cli
from kiosk.lab.center import store as store_module
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.store import CenterStore
from kiosk.lab.center.world import load_world

KIOSK = "store-0001"
KEY = "key-0123456789"


@pytest.fixture
def center(tmp_path: Path) -> ReferenceCenter:
    """A center of its own, on a store file the test can look into."""
    clock = VirtualClock(datetime(2026, 11, 20, 11, 0, tzinfo=JST))  # a Friday
    return ReferenceCenter(load_world(None), TestJPKI(), CenterKeys(), clock,
                           CenterStore(tmp_path / "state.sqlite"))


@pytest.fixture
def client(center: ReferenceCenter) -> CenterClient:
    return CenterClient(LocalTransport(center, KIOSK), center.keys.public_key_bytes())


def refusal(reply: bytes) -> dict[str, str]:
    """The error of a refused reply (fails on anything else)."""
    msg = json.loads(reply)
    assert msg["ok"] is False, msg
    return dict(msg["error"])


def request(call: str, body: object, key: str = KEY) -> bytes:
    return json.dumps({"v": 1, "call": call, "idempotency_key": key, "body": body}).encode()


# --- idempotency keys are bound to their kiosk, call and body -----------------------------------
def test_a_key_reused_for_another_call_is_refused(center: ReferenceCenter) -> None:
    first = center.handle(KIOSK, request("challenge", {}))
    assert json.loads(first)["ok"] is True
    error = refusal(center.handle(KIOSK, request("catalog", {})))
    assert error["reason"] == "bad-request" and "idempotency_key" in error["detail"]
    assert center.handle(KIOSK, request("challenge", {})) == first  # a retry: the first reply


def test_a_key_reused_with_another_body_is_refused(center, client) -> None:
    auth = sign_in(center, client, "r001")
    one = p.encode_request("order", p.OrderRequest(auth.token, "131130", "inkan", {}, 1), KEY)
    two = p.encode_request("order", p.OrderRequest(auth.token, "131130", "inkan", {}, 2), KEY)
    first = center.handle(KIOSK, one)
    orders = center.store.count_orders()
    error = refusal(center.handle(KIOSK, two))
    assert error["reason"] == "bad-request" and "idempotency_key" in error["detail"]
    assert center.store.count_orders() == orders
    assert center.handle(KIOSK, one) == first


def test_the_same_key_from_another_kiosk_is_its_own(center: ReferenceCenter) -> None:
    center.handle(KIOSK, request("challenge", {}))
    assert json.loads(center.handle("office-0001", request("catalog", {})))["ok"] is True


# --- the decoder refuses what it cannot check -----------------------------------------------------
ORDER = {"token": "t" * 32, "municipality": "131130", "certificate": "inkan", "options": {},
         "copies": 1}
HOSTILE = {
    "deep nesting": request("catalog", {}).replace(b'"body": {}', b'"body": '
                                                   + b"[" * 100_000 + b"]" * 100_000),
    "an int of 5000 digits": request("complete", {"order_id": "O1", "printed": 0}).replace(
        b'"printed": 0', b'"printed": ' + b"9" * 5000),
    "an int past 64 bits": request("settlement", {"day": "2026-11-20", "lines": [
        {"municipality": "131130", "certificate": "inkan", "count": 10**30, "fees": 1}]}),
    "NaN": request("complete", {"order_id": "O1", "printed": 0}).replace(b"0}", b"NaN}"),
    "Infinity": request("order", {**ORDER, "options": {"year": 1}}).replace(
        b'"year": 1', b'"year": Infinity'),
    "-Infinity": request("order", {**ORDER, "options": {"year": 1}}).replace(
        b'"year": 1', b'"year": -Infinity'),
    "a float overflowing to inf": request("order", {**ORDER, "options": {"year": 1}}).replace(
        b'"year": 1', b'"year": 1e999'),
    "NaN in options": request("order", {**ORDER, "options": {"year": 1}}).replace(
        b'"year": 1', b'"year": NaN'),
    "a call that is a list": request("catalog", {}).replace(b'"catalog"', b'["catalog"]'),
    "a call that is a table": request("catalog", {}).replace(b'"catalog"', b'{"a": 1}'),
    "version true": request("catalog", {}).replace(b'"v": 1', b'"v": true'),
    "a long token": request("order", {**ORDER, "token": "t" * 100_000}),
    "a long certificate": request("order", {**ORDER, "certificate": "c" * 100_000}),
    "a long order id": request("complete", {"order_id": "O" * 100_000, "printed": 0}),
    "negative printed": request("complete", {"order_id": "O1", "printed": -5}),
    "copies past the bound": request("order", {**ORDER, "copies": 2**62}),
    "many options": request("order", {**ORDER, "options": {f"o{i}": True for i in range(99)}}),
    "an option that is a table": request("order", {**ORDER, "options": {"year": {"a": 1}}}),
    "a long option": request("order", {**ORDER, "options": {"household": "a" * 100_000}}),
    "a long settlement line": request("settlement", {"day": "2026-11-20", "lines": [
        {"municipality": "x" * 100_000, "certificate": "inkan", "count": 1, "fees": 1}]}),
    "negative fees": request("settlement", {"day": "2026-11-20", "lines": [
        {"municipality": "131130", "certificate": "inkan", "count": 1, "fees": -1}]}),
    "a lone surrogate": request("order", {**ORDER, "token": "x"}).replace(b'"x"', b'"\\ud800"'),
}


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_json_is_one_protocol_error(raw: bytes) -> None:
    with pytest.raises(p.ProtocolError) as info:
        p.decode_request(raw)
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


@pytest.mark.parametrize("raw", HOSTILE.values(), ids=HOSTILE.keys())
def test_the_center_answers_hostile_json_as_a_bad_request(center, raw: bytes) -> None:
    assert refusal(center.handle(KIOSK, raw))["reason"] == "bad-request"


def test_nesting_past_the_bound_is_refused_before_the_fields() -> None:
    nested: object = []
    for _ in range(p.MAX_DEPTH):
        nested = [nested]
    with pytest.raises(p.ProtocolError, match="nested deeper than"):
        p.decode_request(request("catalog", {"x": nested}))
    with pytest.raises(p.ProtocolError, match="this call takes no body"):  # within the bound
        p.decode_request(request("catalog", {"x": [[[]]]}))


def test_a_hostile_reply_is_a_protocol_error_at_the_kiosk() -> None:
    deep = b'{"v": 1, "ok": true, "body": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
    huge = b'{"v": 1, "ok": false, "error": {"reason": ' + b"1" * 5000 + b"}}"
    for raw in (deep, huge):
        with pytest.raises(p.ProtocolError):
            p.decode_reply("catalog", raw)


def test_the_kiosks_own_requests_still_decode() -> None:
    raw = p.encode_request("order", p.OrderRequest("t" * 32, "131130", "tax-income",
                                                   {"year": 2025, "household": "all",
                                                    "mynumber": False}, 99), KEY)
    assert p.decode_request(raw).body.copies == 99
    report = p.SettlementReport("2026-11-20", [p.SettlementLine("131130", "inkan", 3, 600)])
    assert p.decode_request(p.encode_request("settlement", report, KEY)).body == report


@pytest.mark.parametrize("when", ["2026-11-20T11:00", "9999-12-31T23:59:00+09:00"])
def test_a_lab_time_the_rules_cannot_use_is_a_bad_request(when: str) -> None:
    """A lab center runs on the kiosk's X-Kiosk-Lab-Time: without an offset (every expiry
    comparison fails) or at the end of the calendar (every expiry overflows) it is refused."""
    from kiosk.clock import LabClock

    lab = ReferenceCenter(load_world(None), TestJPKI(), CenterKeys(), LabClock())
    token = LabClock.at(datetime.fromisoformat(when))
    try:
        for call in ("challenge", "authenticate"):
            body = {} if call == "challenge" else {"certificate": "", "signature": "",
                                                    "nonce": "AAAA"}
            error = refusal(lab.handle(KIOSK, request(call, body, f"lab-time-{call}")))
            assert error["reason"] == "bad-request" and "time" in error["detail"]
    finally:
        LabClock.reset(token)


# --- printed is bounded by the order -------------------------------------------------------------
def test_complete_refuses_more_printed_than_copies(center, client) -> None:
    auth = sign_in(center, client, "r001")
    order = client.order(auth.token, "131130", "inkan", {}, 2)
    raw = p.encode_request("complete", p.OrderRef(order.order_id, 3), "complete-key-1")
    error = refusal(center.handle(KIOSK, raw))
    assert error["reason"] == "bad-request" and "printed" in error["detail"]
    record = center.store.order(order.order_id)
    assert record is not None and record.state == "issued" and record.printed == 0
    client.complete(order.order_id, 2)
    record = center.store.order(order.order_id)
    assert record is not None and record.state == "completed" and record.printed == 2


# --- cached replies expire ------------------------------------------------------------------------
def cached(center: ReferenceCenter, tmp_path: Path) -> list[tuple[str, bool]]:
    """(key, has a reply body) of every cached reply, read from the store's file."""
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        rows = db.execute("SELECT key, reply IS NOT NULL FROM idempotency").fetchall()
    return [(str(k), bool(r)) for k, r in rows]


def later(center: ReferenceCenter, seconds: int) -> None:
    clock = center.clock
    assert isinstance(clock, VirtualClock)
    clock.set(clock.now() + timedelta(seconds=seconds))


def test_an_order_never_completed_loses_its_documents(center, client, tmp_path) -> None:
    auth = sign_in(center, client, "r001")
    raw = p.encode_request("order", p.OrderRequest(auth.token, "131130", "inkan", {}, 1),
                           "order-key-1")
    first = center.handle(KIOSK, raw)
    assert json.loads(first)["ok"]
    assert ("order-key-1", True) in cached(center, tmp_path)
    later(center, store_module.DOCUMENT_SECONDS + 1)
    center.handle(KIOSK, request("catalog", {}, "later-key-1"))  # any call sweeps
    assert ("order-key-1", False) in cached(center, tmp_path)
    again = center.handle(KIOSK, raw)
    assert refusal(again)["reason"] == "cancelled"  # never the documents, never a new order
    later(center, store_module.REPLY_SECONDS + 1)
    center.handle(KIOSK, request("catalog", {}, "later-key-2"))
    assert [k for k, _ in cached(center, tmp_path)] == ["later-key-2"]


def test_a_completed_orders_reply_keeps_no_documents(center, client, tmp_path) -> None:
    auth = sign_in(center, client, "r001")
    order = client.order(auth.token, "131130", "inkan", {}, 1)
    client.complete(order.order_id, 1)
    with sqlite3.connect(tmp_path / "state.sqlite") as db:
        bodies = db.execute("SELECT reply FROM idempotency WHERE reply IS NOT NULL").fetchall()
    assert not any(order.documents[0].sha256.encode() in bytes(b) for (b,) in bodies)


def test_the_expiry_bounds() -> None:
    assert store_module.DOCUMENT_SECONDS == 3600
    assert store_module.REPLY_SECONDS == 24 * 3600


# --- start-up: a center that cannot serve refuses to start --------------------------------------
def test_serve_refuses_a_missing_world(data_dir, no_gunicorn, tmp_path, capsys) -> None:
    missing = tmp_path / "absent.toml"
    args = center_args("serve", "--data", str(data_dir), "--world", str(missing))
    assert center_cli.run(args) == 2
    out = capsys.readouterr().out
    assert no_gunicorn == [] and "absent.toml" in out and "serving" not in out
    assert len(out.strip().splitlines()) == 1


def test_serve_refuses_a_broken_world(data_dir, no_gunicorn, tmp_path, capsys) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("schema = 1\n[center]\n", "utf-8")
    args = center_args("serve", "--data", str(data_dir), "--world", str(broken))
    assert center_cli.run(args) == 2
    assert no_gunicorn == [] and len(capsys.readouterr().out.strip().splitlines()) == 1


def test_serve_refuses_a_data_dir_with_a_broken_key(data_dir, no_gunicorn, tmp_path,
                                                     capsys) -> None:
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    (copy / "center" / "scramble.key").write_bytes(b"short")
    assert center_cli.run(center_args("serve", "--data", str(copy))) == 2
    out = capsys.readouterr().out
    assert no_gunicorn == [] and "scramble" in out and len(out.strip().splitlines()) == 1
    (copy / "center" / "scramble.key").unlink()
    (copy / "center" / "document-key.pem").write_text("not a key")
    assert center_cli.run(center_args("serve", "--data", str(copy))) == 2
    assert no_gunicorn == [] and len(capsys.readouterr().out.strip().splitlines()) == 1


def test_serve_starts_on_a_good_data_dir(data_dir, no_gunicorn) -> None:
    assert center_cli.run(center_args("serve", "--data", str(data_dir))) == 0
    assert len(no_gunicorn) == 1


def test_init_refuses_a_kiosk_id_that_is_a_path(tmp_path, capsys) -> None:
    sample = Path(__file__).parents[1] / "kiosk" / "lab" / "center" / "sample-world.toml"
    for bad in ("../../escaped", "/tmp/escaped-abs", "Store-0001"):
        world = tmp_path / "world.toml"
        world.write_text(sample.read_text("utf-8").replace('id = "store-0001"',
                                                          f'id = "{bad}"', 1), "utf-8")
        root = tmp_path / "a" / "b" / "data"
        assert center_cli.run(center_args("init", str(root), "--world", str(world))) == 2
        assert "kiosk[0].id" in capsys.readouterr().out
        assert not (tmp_path / "a").exists() and not Path("/tmp/escaped-abs").exists()


def test_init_refuses_a_data_dir_that_is_a_file(tmp_path, capsys) -> None:
    where = tmp_path / "file"
    where.write_text("")
    assert center_cli.run(center_args("init", str(where))) == 2
    out = capsys.readouterr().out
    assert out.startswith("kiosk center init: ") and len(out.strip().splitlines()) == 1
