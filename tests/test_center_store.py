"""The center's store, SQLite's and PostgreSQL's (a real server, started with initdb and
pg_ctl; skipped without PostgreSQL unless CI is set, where it fails): the same semantics on
both, a key reserved once by hosts racing on one database, and queries that wait cooperatively
under gevent."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pg_server
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.clock import JST, VirtualClock
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.store import (
    DOCUMENT_SECONDS,
    FINISHED,
    MISUSED,
    PENDING,
    REPLY_SECONDS,
    CenterStore,
    OrderRecord,
    RegistrationRecord,
    SignedIn,
    Store,
    open_store,
)
from kiosk.lab.center.world import load_world
from kiosk.vocabulary.reasons import CenterError, Reason

NOW = datetime(2026, 11, 20, 11, 0, tzinfo=JST)
T = TypeVar("T")


@pytest.fixture(scope="module")
def postgres() -> Iterator[pg_server.PgServer]:
    yield from pg_server.for_tests()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each store on an empty state of its own."""
    if request.param == "sqlite":
        opened: Store = CenterStore(tmp_path / "state.sqlite")
    else:
        opened = open_store(request.getfixturevalue("postgres").create_database())
    yield opened
    opened.close()


def order(order_id: str, kiosk: str = "k1", state: str = "issued") -> OrderRecord:
    return OrderRecord(order_id, kiosk, "131130", "juminhyo", 2, 400, "2026-11-20", state,
                       document_ids=("D1", "D2"))


# --- the store's semantics, on both -----------------------------------------------------------
def test_a_challenge_is_taken_once(store: Store) -> None:
    store.add_nonce(b"n" * 32, "k1", NOW + timedelta(seconds=120), NOW)
    taken = store.take_nonce(b"n" * 32)
    assert taken is not None and taken[0] == "k1" and taken[1] == NOW + timedelta(seconds=120)
    assert store.take_nonce(b"n" * 32) is None
    store.add_nonce(b"old", "k1", NOW + timedelta(seconds=1), NOW)
    store.add_nonce(b"new", "k1", NOW + timedelta(seconds=300), NOW + timedelta(seconds=2))
    assert store.take_nonce(b"old") is None  # swept by the next challenge
    assert store.take_nonce(b"new") is not None


def test_a_sign_in_round_trips(store: Store) -> None:
    offers = [p.Offer("131130", {"ja": "渋谷区"}, True, 10,
                      [p.CertificateOffer("juminhyo", 200, ["household"])])]
    store.add_signin("tok", SignedIn("k1", "r001", NOW + timedelta(seconds=900), offers))
    signed = store.signin("tok")
    assert signed is not None and signed.offers == offers and signed.resident_id == "r001"
    assert signed.expires == NOW + timedelta(seconds=900) and not signed.expires < NOW
    assert store.signin("other") is None


def test_a_key_is_reserved_once_and_answers_with_its_reply(store: Store) -> None:
    assert store.reserve("k1", "key", "order", "d1", NOW) is None
    assert store.reserve("k1", "key", "order", "d1", NOW) is PENDING
    assert store.reserve("k1", "key", "order", "d2", NOW) is MISUSED  # another body
    assert store.reserve("k1", "key", "catalog", "d1", NOW) is MISUSED  # another call
    assert store.reserve("k2", "key", "catalog", "d9", NOW) is None  # another kiosk's key
    store.keep_reply("k1", "key", b"the reply", "O1")
    assert store.reserve("k1", "key", "order", "d1", NOW) == b"the reply"
    assert store.reserve("k1", "gone", "catalog", "d", NOW) is None
    store.release("k1", "gone")  # its request failed: the key may be used again
    assert store.reserve("k1", "gone", "catalog", "d", NOW) is None


def test_old_replies_and_documents_are_swept(store: Store) -> None:
    store.reserve("k1", "order-key", "order", "d", NOW)
    store.keep_reply("k1", "order-key", b"documents", "O1")
    store.reserve("k1", "catalog-key", "catalog", "d", NOW)
    store.keep_reply("k1", "catalog-key", b"catalog", None)
    later = NOW + timedelta(seconds=DOCUMENT_SECONDS + 1)
    store.reserve("k1", "sweeper-1", "catalog", "d", later)
    assert store.reserve("k1", "order-key", "order", "d", later) is FINISHED  # no documents
    assert store.reserve("k1", "catalog-key", "catalog", "d", later) == b"catalog"
    much_later = NOW + timedelta(seconds=REPLY_SECONDS + 1)
    store.reserve("k1", "sweeper-2", "catalog", "d", much_later)
    assert store.reserve("k1", "order-key", "catalog", "other", much_later) is None  # forgotten


def test_an_order_finishes_once_and_its_reply_drops_the_documents(store: Store) -> None:
    store.add_order(order("O1"))
    store.add_order(order("O2"))
    store.reserve("k1", "key", "order", "d", NOW)
    store.keep_reply("k1", "key", b"documents", "O1")
    assert store.order("O1") == order("O1")
    assert store.finish_order("O1", "completed", 2, refuse="voided") == "completed"
    assert store.finish_order("O1", "voided", 0, refuse="completed") == "completed"
    assert store.reserve("k1", "key", "order", "d", NOW) is FINISHED
    assert store.finish_order("O2", "voided", 0, refuse="completed") == "voided"
    assert store.finish_order("O2", "completed", 2, refuse="voided") == "voided"
    assert store.finish_order("nope", "completed", 1, refuse="voided") is None
    completed = store.order("O1")
    assert completed is not None and (completed.state, completed.printed) == ("completed", 2)
    assert store.orders_of("k1", "2026-11-20", "completed") == [completed]
    assert store.orders_of("k2", "2026-11-20", "completed") == []
    assert store.count_orders() == 2


def test_faults_count_down(store: Store) -> None:
    assert store.take_fault("k1") is None
    store.set_fault("k1", "down", 2)
    assert [store.take_fault("k1") for _ in range(3)] == ["down", "down", None]
    store.set_fault("k1", "5xx")  # until changed
    assert [store.take_fault("k1") for _ in range(3)] == ["5xx"] * 3
    store.set_fault("k1", None)
    assert store.take_fault("k1") is None


def test_settlements_and_registrations(store: Store) -> None:
    store.add_settlement("k1", "2026-11-20", {"lines": [1]}, NOW)
    store.add_settlement("k1", "2026-11-20", {"lines": [2]}, NOW)  # sent again: replaced
    assert store.settlement("k1", "2026-11-20") == {"lines": [2]}
    assert store.settlement("k1", "2026-11-21") is None
    first = RegistrationRecord("r010", "131130", "pending", "G1", "2026-11-20")
    assert store.add_registration(first) is True
    assert store.add_registration(RegistrationRecord("r010", "131130", "pending", "G2",
                                                     "2026-11-20")) is False
    also = [RegistrationRecord("r099", "131130", "registered", "G3", "2026-11-20")]
    assert store.approve_registrations(also) == 2
    assert store.registration("r010") == RegistrationRecord("r010", "131130", "registered",
                                                            "G1", "2026-11-20")
    assert store.registration("r099") is not None and store.registration("r001") is None


def racing(count: int, act: Callable[[int], T], timeout: float = 120) -> list[T]:
    """``act(i)`` in ``count`` threads let go at once; their results in order (each thread
    given ``timeout`` seconds to finish)."""
    barrier = threading.Barrier(count, timeout=60)
    results: dict[int, T] = {}
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait()
            results[i] = act(i)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    assert errors == [], errors
    return [results[i] for i in range(count)]


def test_one_key_from_many_at_once_is_reserved_once(store: Store) -> None:
    results = racing(8, lambda i: store.reserve("k1", "same", "order", "d", NOW))
    assert results.count(None) == 1 and results.count(PENDING) == 7


def test_hosts_on_one_database_reserve_a_key_once(postgres: pg_server.PgServer) -> None:
    """Stores that open an empty database at once (making its tables at once), then race."""
    uri = postgres.create_database()
    hosts = racing(4, lambda i: open_store(uri))
    results = racing(4, lambda i: hosts[i].reserve("k1", "same", "order", "d", NOW))
    assert results.count(None) == 1 and results.count(PENDING) == 3
    def finish(i: int) -> str | None:  # a completion and a voiding at once, on two hosts
        if i:
            return hosts[i].finish_order("O1", "completed", 1, refuse="voided")
        return hosts[i].finish_order("O1", "voided", 0, refuse="completed")

    assert racing(2, finish) == [None, None]  # no such order: neither made one
    hosts[0].add_order(order("O1"))
    finished = racing(2, finish)
    assert finished[0] == finished[1] in ("completed", "voided")  # one won, the other saw it
    for host in hosts:
        host.close()


# --- the center on each store ----------------------------------------------------------------
def local_center(store: Store) -> tuple[ReferenceCenter, CenterClient]:
    center = ReferenceCenter(load_world(None), TestJPKI(), CenterKeys(),
                             VirtualClock(datetime(2026, 11, 20, 11, 0, tzinfo=JST)), store)
    return center, CenterClient(LocalTransport(center, "store-0001"),
                                center.keys.public_key_bytes())


def local_sign_in(center: ReferenceCenter, client: CenterClient) -> p.Authenticated:
    creds = center.pki.issue_card("r001", "valid", center.clock.now())
    challenge = client.challenge()
    signature = creds.key.sign(p.auth_message(challenge.nonce, "store-0001"),
                               padding.PKCS1v15(), hashes.SHA256())
    return client.authenticate(creds.cert_der, signature, challenge.nonce)


def test_the_center_on_each_store(store: Store) -> None:
    center, client = local_center(store)
    auth = local_sign_in(center, client)
    raw = p.encode_request("order", p.OrderRequest(auth.token, "131130", "inkan", {}, 1),
                           "center-key-1")
    first = center.handle("store-0001", raw)
    assert center.handle("store-0001", raw) == first and store.count_orders() == 1
    made = p.decode_reply("order", first)
    assert isinstance(made, p.Order)
    client.complete(made.order_id, 1)
    assert p.decode_reply("order", center.handle("store-0001", raw)).reason == "cancelled"
    with pytest.raises(CenterError) as refused:
        client.cancel(made.order_id)
    assert refused.value.reason == Reason.CANCELLED
    ack = client.settle(p.SettlementReport("2026-11-20", [
        p.SettlementLine("131130", "inkan", 1, made.fee)]))
    assert (ack.certificates, ack.fees, ack.discrepancies) == (1, made.fee, [])


# --- gevent: a query waits cooperatively ------------------------------------------------------
GREEN = """
import sys
import psycopg  # imported before the patch, as by gunicorn's master
from gevent import monkey
monkey.patch_all()
import gevent
from kiosk.lab.center.store import open_store
store = open_store(sys.argv[1])
holder = psycopg.connect(sys.argv[1], autocommit=True)
holder.execute("SELECT pg_advisory_lock(4242)")
waiter = gevent.spawn(store._run, "SELECT 'waited', pg_advisory_lock(4242)")
gevent.sleep(0)  # the waiter is in the database now: a blocking wait would hold the hub
releaser = gevent.spawn(holder.execute, "SELECT pg_advisory_unlock(4242)")
gevent.joinall([waiter, releaser], timeout=60)
print(waiter.value, waiter.exception)
"""


def test_a_query_under_gevent_lets_other_greenlets_run(postgres: pg_server.PgServer) -> None:
    """The waiter waits on a lock that only another greenlet can release: it gets the lock only
    if its wait yields to the hub (a blocking one ends in the statement timeout)."""
    run = subprocess.run([sys.executable, "-c", GREEN, postgres.create_database()],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "waited" in run.stdout and "None" in run.stdout.split("]")[-1], run.stdout
