"""Two ``kiosk center serve --store postgresql://…`` hosts over one database answer one fleet
(a real server, started with initdb and pg_ctl; skipped without PostgreSQL unless CI is set,
where it fails): one order for a key sent to both at once, no document for the wrong order,
settlements equal to the orders completed; and ``--store`` refusing what it cannot use."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pg_server
import psycopg
import pytest
from conftest import center_args
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from test_center_https import FRIDAY_11, WORLD, Served, free_port
from test_center_store import racing

from kiosk.app import load_document_key
from kiosk.center import protocol as p
from kiosk.center.client import CenterClient, check_binding
from kiosk.lab import center_cli
from kiosk.lab.center.cards import CardState
from kiosk.lab.center.pki import CardCredentials
from kiosk.lab.center.store import StoreError, open_store
from kiosk.lab.fleet.served import stop_servers
from kiosk.vocabulary.reasons import CenterError, DocumentRejected

KIOSKS = [f"fleet-{i:02d}" for i in range(1, 7)]
# (resident, municipality, certificate) that a store kiosk can issue on a Friday at 11:00
VISITS = [("r001", "131130", "juminhyo"), ("r002", "141305", "inkan"),
          ("r003", "132047", "juminhyo"), ("r010", "141305", "tax-income")]
SESSIONS = 8  # per kiosk: a quarter of them voided, the rest completed
SETTINGS = {"read_timeout": 60.0, "retries": 10, "backoff": 0.1}  # a loaded 2-core machine


@pytest.fixture(scope="module")
def postgres() -> Iterator[pg_server.PgServer]:
    yield from pg_server.for_tests()


# --- kiosk center serve --store ---------------------------------------------------------------
@pytest.mark.parametrize("uri, expected", [
    ("mysql://u:secret@127.0.0.1/x", "'mysql' is not a store"),
    (f"postgresql://u:secret@127.0.0.1:{free_port()}/x", "cannot connect"),
    ("postgresql://u:secret@[::1/x", "not a PostgreSQL URI"),
    ("sqlite:", "needs a PATH"),
    ("sqlite:/nonexistent/dir/state.sqlite", "cannot be used"),
])
def test_serve_refuses_a_store_it_cannot_use(data_dir, no_gunicorn, capsys, uri: str,
                                             expected: str) -> None:
    assert center_cli.run(center_args("serve", "--data", str(data_dir), "--store", uri)) == 2
    out = capsys.readouterr().out
    assert no_gunicorn == [] and expected in out and "secret" not in out
    assert len(out.strip().splitlines()) == 1 and out.startswith("kiosk center serve: ")


def test_serve_takes_a_postgresql_store(data_dir, no_gunicorn, postgres) -> None:
    uri = postgres.create_database()
    assert center_cli.run(center_args("serve", "--data", str(data_dir), "--store", uri)) == 0
    assert [o.store for o in no_gunicorn] == [uri]  # type: ignore[attr-defined]
    with pytest.raises(StoreError):
        open_store("postgres:nothing")


# --- two hosts, one database, one fleet -------------------------------------------------------
def fleet_world(path: Path) -> None:
    extra = "".join(f'\n[[kiosk]]\nid = "{k}"\nkind = "store"\nname = "Fleet {k}"\n'
                    for k in KIOSKS)
    path.write_text(WORLD.read_text(encoding="utf-8") + extra, encoding="utf-8")


@pytest.fixture(scope="module")
def hosts(postgres: pg_server.PgServer,
          tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Served, str]]:
    """``kiosk center serve --lab --store postgresql://…`` twice, on two ports, started at
    once over one new database (so both make its tables at once)."""
    uri = postgres.create_database("fleet")
    world = tmp_path_factory.mktemp("world") / "world.toml"
    fleet_world(world)
    data = tmp_path_factory.mktemp("center")
    ports = [free_port()]
    while len(ports) < 2:
        if (port := free_port()) not in ports:
            ports.append(port)
    init = subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data),
                           "--world", str(world), "--port", str(ports[0])],
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stdout + init.stderr
    servers = [subprocess.Popen([sys.executable, "-m", "kiosk", "center", "serve", "--data",
                                 str(data), "--port", str(port), "--lab", "--workers", "2",
                                 "--store", uri], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True) for port in ports]
    try:
        served = [Served(data, port) for port in ports]
        for s, server in zip(served, servers, strict=True):
            for _ in range(600):
                try:
                    s.client(KIOSKS[0], retries=0).catalog()
                    break
                except CenterError:
                    assert server.poll() is None, server.stdout.read() if server.stdout else ""
                    time.sleep(0.1)
            else:
                raise AssertionError(f"the center on port {s.port} did not come up")
        yield served[0], served[1], uri
    finally:
        stop_servers(servers)


def count(uri: str, sql: str, *args: object) -> int:
    with psycopg.connect(uri, connect_timeout=10) as db:
        row = db.execute(sql.encode(), args).fetchone()
    assert row is not None
    return int(row[0] or 0)


def card(served: Served, resident: str) -> CardCredentials:
    return CardState(served.data).pki().issue_card(resident, "valid", FRIDAY_11)


def sign_in(challenger: CenterClient, authenticator: CenterClient, creds: CardCredentials,
            kiosk_id: str) -> p.Authenticated:
    """The challenge from one host, answered at the other: the nonce is the database's."""
    challenge = challenger.challenge()
    signature = creds.key.sign(p.auth_message(challenge.nonce, kiosk_id), padding.PKCS1v15(),
                               hashes.SHA256())
    return authenticator.authenticate(creds.cert_der, signature, challenge.nonce)


def test_one_key_sent_to_both_hosts_at_once_is_one_order(hosts) -> None:
    a, b, uri = hosts
    kiosk = KIOSKS[0]
    auth = sign_in(a.client(kiosk, **SETTINGS), b.client(kiosk, **SETTINGS), card(a, "r001"),
                   kiosk)
    transports = [a.transport(kiosk, **SETTINGS), b.transport(kiosk, **SETTINGS)]
    before = count(uri, "SELECT COUNT(*) FROM kiosk_center.orders")
    orders = []
    for n in range(4):
        raw = p.encode_request("order", p.OrderRequest(auth.token, "131130", "juminhyo", {}, 1),
                               f"both-hosts-{n}")
        replies = racing(2, lambda i, raw=raw: transports[i].send(raw))
        assert replies[0] == replies[1]  # the first reply, whichever host made it
        made = p.decode_reply("order", replies[0])
        assert isinstance(made, p.Order)
        assert count(uri, "SELECT COUNT(*) FROM kiosk_center.orders WHERE order_id = %s",
                     made.order_id) == 1
        assert count(uri, "SELECT COUNT(*) FROM kiosk_center.idempotency WHERE key = %s",
                     f"both-hosts-{n}") == 1
        orders.append(made)
    assert count(uri, "SELECT COUNT(*) FROM kiosk_center.orders") == before + 4
    assert len({o.order_id for o in orders}) == 4
    client = b.client(kiosk, **SETTINGS)
    for made in orders:
        client.cancel(made.order_id)


def test_a_fleet_across_both_hosts_settles_to_the_orders_completed(hosts) -> None:
    a, b, uri = hosts
    center_key = Ed25519PublicKey.from_public_bytes(
        load_document_key(str(a.data / "center" / "document-key.pub.pem")))
    cards = {resident: card(a, resident) for resident, _, _ in VISITS}
    lock = threading.Lock()
    wrong: list[str] = []
    documents: list[str] = []
    tally: dict[str, dict[tuple[str, str], list[int]]] = defaultdict(
        lambda: defaultdict(lambda: [0, 0]))
    done: dict[str, int] = defaultdict(int)
    before = {k: count(uri, "SELECT COUNT(*) FROM kiosk_center.orders WHERE kiosk = %s", k)
              for k in KIOSKS}

    def kiosk(n: int) -> None:
        kiosk_id = KIOSKS[n]
        clients = (a.client(kiosk_id, **SETTINGS), b.client(kiosk_id, **SETTINGS))
        for i in range(SESSIONS):
            first, second = clients if (n + i) % 2 == 0 else clients[::-1]
            resident, town, cert = VISITS[(n + i) % len(VISITS)]
            auth = sign_in(first, second, cards[resident], kiosk_id)
            copies = 1 + i % 2
            try:
                made = first.order(auth.token, town, cert, {}, copies)
            except DocumentRejected as exc:
                with lock:
                    wrong.append(f"{kiosk_id}: {exc}")
                continue
            with lock:
                for doc in made.documents:
                    problem = check_binding(doc, made.order_id, center_key)
                    if problem or hashlib.sha256(doc.pdf).hexdigest() != doc.sha256:
                        wrong.append(f"{kiosk_id} {made.order_id}: {problem}")
                    documents.append(doc.document_id)
            if i % 4 == 3:  # the resident walks away: voided, never settled
                second.cancel(made.order_id)
            else:
                second.complete(made.order_id, copies)
                with lock:
                    tally[kiosk_id][(town, cert)][0] += copies
                    tally[kiosk_id][(town, cert)][1] += made.fee
            with lock:
                done[kiosk_id] += 1

    racing(len(KIOSKS), kiosk, timeout=900)
    assert wrong == [] and len(documents) == len(set(documents))  # no document served twice
    assert sum(done.values()) == len(KIOSKS) * SESSIONS
    for n, kiosk_id in enumerate(KIOSKS):
        mine = tally[kiosk_id]
        report = p.SettlementReport(FRIDAY_11.date().isoformat(), [
            p.SettlementLine(town, cert, c, fees) for (town, cert), (c, fees) in mine.items()])
        ack = (a, b)[n % 2].client(kiosk_id, **SETTINGS).settle(report)
        assert ack.discrepancies == []
        assert (ack.certificates, ack.fees) == (sum(c for c, _ in mine.values()),
                                                sum(f for _, f in mine.values()))
        assert (ack.certificates, ack.fees) == (
            count(uri, "SELECT SUM(copies) FROM kiosk_center.orders WHERE kiosk = %s "
                       "AND state = 'completed'", kiosk_id),
            count(uri, "SELECT SUM(fee) FROM kiosk_center.orders WHERE kiosk = %s "
                       "AND state = 'completed'", kiosk_id))
        assert count(uri, "SELECT COUNT(*) FROM kiosk_center.orders WHERE kiosk = %s",
                     kiosk_id) == before[kiosk_id] + SESSIONS  # one order a session, never two
