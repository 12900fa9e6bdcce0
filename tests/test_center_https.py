"""The kiosk against ``kiosk center serve``: real TLS with client certificates on loopback,
gunicorn worker processes sharing the center's SQLite state."""

from __future__ import annotations

import hashlib
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
import requests
from conftest import ROOT, SESSIONS
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.center.https import HttpsSettings, HttpsTransport
from kiosk.clock import JST, VirtualClock
from kiosk.config import load_config
from kiosk.lab.center.cards import CardState
from kiosk.lab.center.world import load_world
from kiosk.replay.format import parse_session
from kiosk.vocabulary.reasons import CenterError, Reason

WORLD = ROOT / "tests" / "worlds" / "with-kawasaki-register.toml"
HONSEKI_WORLD = ROOT / "tests" / "worlds" / "honseki.toml"
NEXT_CARDS_WORLD = ROOT / "tests" / "worlds" / "next-cards.toml"  # issue 15's cards
PIN_RESET_WORLD = ROOT / "tests" / "worlds" / "pin-reset.toml"  # issue 15's reservations
FRIDAY_11 = datetime(2026, 11, 20, 11, 0, tzinfo=JST)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    data: Path
    port: int

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def kiosk_toml(self, kiosk_id: str) -> Path:
        return self.data / "kiosks" / kiosk_id / "kiosk.toml"

    def transport(self, kiosk_id: str, **settings: object) -> HttpsTransport:
        where = self.data / "kiosks" / kiosk_id
        return HttpsTransport(self.url, HttpsSettings(
            str(where / "client.pem"), str(where / "client-key.pem"),
            str(self.data / "tls" / "ca.pem"), lab_clock=True, **settings),  # type: ignore[arg-type]
            VirtualClock(FRIDAY_11))

    def client(self, kiosk_id: str, **settings: object) -> CenterClient:
        config = load_config(self.kiosk_toml(kiosk_id))
        from kiosk.app import load_document_key

        return CenterClient(self.transport(kiosk_id, **settings),
                            load_document_key(config.center.document_key))

    def orders(self) -> int:
        with sqlite3.connect(self.data / "center" / "state.sqlite") as db:
            return int(db.execute("SELECT COUNT(*) FROM orders").fetchone()[0])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, WORLD)


@pytest.fixture(scope="module")
def served_next_cards(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A center serving the world of the next-generation and face-authentication cards."""
    yield from serve(tmp_path_factory, NEXT_CARDS_WORLD)


@pytest.fixture(scope="module")
def served_pin_reset(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A center serving the world of the PIN resets reserved in the phone app."""
    yield from serve(tmp_path_factory, PIN_RESET_WORLD)


@pytest.fixture(scope="module")
def served_honseki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A center serving the 本籍地 registration's world."""
    yield from serve(tmp_path_factory, HONSEKI_WORLD)


def serve(tmp_path_factory: pytest.TempPathFactory, world: Path) -> Iterator[Served]:
    """``kiosk center init`` on ``world``, then ``kiosk center serve --lab`` until done."""
    data = tmp_path_factory.mktemp("center")
    port = free_port()
    init = subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(data), "--world",
                           str(world), "--port", str(port)], capture_output=True, text=True)
    assert init.returncode == 0, init.stdout + init.stderr
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "center", "serve", "--data",
                               str(data), "--port", str(port), "--lab", "--workers", "2"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    s = Served(data, port)
    try:
        for _ in range(200):
            try:
                s.client("store-0001").catalog()
                break
            except CenterError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                time.sleep(0.1)
        else:
            raise AssertionError("the center did not come up")
        yield s
    finally:
        server.terminate()
        server.wait(timeout=20)


def replay(config: Path, *sessions: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", "replay", "--config", str(config),
                           *map(str, sessions)], capture_output=True, text=True, timeout=300)


def on_honseki_world(path: Path) -> bool:
    return Path(parse_session(path).header.world) == HONSEKI_WORLD


def on_next_cards_world(path: Path) -> bool:
    return Path(parse_session(path).header.world) == NEXT_CARDS_WORLD


def on_pin_reset_world(path: Path) -> bool:
    return Path(parse_session(path).header.world) == PIN_RESET_WORLD


def test_every_session_passes_against_the_served_center(served: Served) -> None:
    # the sample world's sessions (and this world's): the others have their own worlds, served
    # below or tested apart (the counter's in test_counter*, the forms touch no center)
    sessions = [f for f in sorted(SESSIONS.glob("*.jsonl"))
                if str(parse_session(f).header.world) in ("sample", str(WORLD))]
    office = [f for f in sessions if parse_session(f).header.kiosk == "office-0001"]
    store = [f for f in sessions if f not in office]
    for kiosk_id, files in (("store-0001", store), ("office-0001", office)):
        run = replay(served.kiosk_toml(kiosk_id), *files)
        assert run.returncode == 0, run.stdout + run.stderr[-2000:]
        assert f"{len(files)} passed, 0 failed" in run.stdout


def test_the_next_cards_sessions_pass_against_a_served_center(
        served_next_cards: Served) -> None:
    """The ECDSA P-384 card's r‖s verified by the served center over HTTPS; the iPhone, the
    card-AP method's MAC (the served center holds the town APs' keys), the expired card body,
    the face-authentication card and the card with an unfamiliar ATR as in-process."""
    sessions = [f for f in sorted(SESSIONS.glob("*.jsonl")) if on_next_cards_world(f)]
    assert len(sessions) >= 10
    run = replay(served_next_cards.kiosk_toml("store-0001"), *sessions)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert f"{len(sessions)} passed, 0 failed" in run.stdout


def test_the_pin_reset_sessions_pass_against_a_served_center(served_pin_reset: Served) -> None:
    """The reservation checked, the one-time authorisation issued and used up by the served
    center over HTTPS; the new PIN goes to the card only."""
    # The served center keeps what a reset used up: one session per resident (the first).
    sessions, seen = [], set()
    for f in sorted(SESSIONS.glob("*.jsonl")):
        residents = {s.value["resident"] for s in parse_session(f).steps if s.action == "card"
                     and s.value["card"] == "place"} if on_pin_reset_world(f) else {""}
        if "" not in residents and not residents & seen:
            sessions.append(f)
            seen |= residents
    assert len(sessions) >= 4
    run = replay(served_pin_reset.kiosk_toml("store-0001"), *sessions)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert f"{len(sessions)} passed, 0 failed" in run.stdout


def test_the_registration_sessions_pass_against_a_served_center(served_honseki: Served) -> None:
    """Over HTTPS with client certificates; the 本籍地's approval through the lab's control."""
    # The served center keeps what a session applied for: these three, in this order, leave
    # each other's residents as the next one expects (a refusal, then r010's whole story).
    names = ("registration-mismatch", "registration-home-town-not-offered",
             "registration-approved-then-koseki")
    sessions = [SESSIONS / f"{name}.jsonl" for name in names]
    assert all(on_honseki_world(f) for f in sessions)
    run = replay(served_honseki.kiosk_toml("store-0001"), *sessions)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert "3 passed, 0 failed" in run.stdout


def test_a_client_without_a_certificate_is_refused(served: Served) -> None:
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(served.url + "/v1/call", data=b"{}", verify=str(served.data / "tls" /
                                                                      "ca.pem"), timeout=5)


def test_a_certificate_from_another_ca_is_refused(served: Served, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(other)], check=True,
                   capture_output=True)
    foreign = other / "kiosks" / "store-0001"
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(served.url + "/v1/call", data=b"{}", timeout=5,
                      verify=str(served.data / "tls" / "ca.pem"),
                      cert=(str(foreign / "client.pem"), str(foreign / "client-key.pem")))


def sign_in(served: Served, client: CenterClient, resident: str,
            signed_for: str = "store-0001", world: Path = WORLD) -> p.Authenticated:
    """A resident of ``world`` signs in at the served center with a card of its test CA."""
    r = load_world(world).resident(resident)
    assert r is not None
    creds = CardState(served.data).pki().issue_card(r.id, r.card.cert, FRIDAY_11)
    challenge = client.challenge()
    signature = creds.key.sign(p.auth_message(challenge.nonce, signed_for), padding.PKCS1v15(),
                               hashes.SHA256())
    return client.authenticate(creds.cert_der, signature, challenge.nonce)


def test_a_kiosk_cannot_claim_another_kiosks_id(served: Served) -> None:
    store = served.client("store-0001")
    with pytest.raises(CenterError) as refused:  # signed as office-0001, sent by store-0001
        sign_in(served, store, "r001", signed_for="office-0001")
    assert refused.value.reason == Reason.CARD_UNREADABLE
    auth = sign_in(served, store, "r001")
    order = store.order(auth.token, "131130", "inkan", {}, 1)
    office = served.client("office-0001")
    with pytest.raises(CenterError):  # another kiosk's order is not yours to void
        office.cancel(order.order_id)
    with pytest.raises(CenterError):  # nor its sign-in to order with
        office.order(auth.token, "131130", "inkan", {}, 1)
    store.cancel(order.order_id)


def test_a_retried_order_is_never_a_second_order(served: Served) -> None:
    client = served.client("store-0001", read_timeout=1.0, retries=4, backoff=0.1)
    auth = sign_in(served, client, "r001")
    before = served.orders()
    served.transport("store-0001").set_fault("slow:1.5", times=1)  # the first reply comes late
    order = client.order(auth.token, "131130", "juminhyo", {}, 1)
    assert served.orders() == before + 1
    assert client._transport.attempts >= 2  # type: ignore[attr-defined]
    assert order.documents[0].order_id == order.order_id
    client.cancel(order.order_id)


def test_settlement_is_taken_and_checked_against_the_centers_orders(served: Served) -> None:
    client = served.client("office-0001")
    day = FRIDAY_11.date().isoformat()
    before = client.settle(p.SettlementReport(day, []))
    auth = sign_in(served, client, "r003", signed_for="office-0001")
    order = client.order(auth.token, "132047", "juminhyo", {}, 2)
    client.complete(order.order_id, 2)
    lines = [p.SettlementLine("132047", "juminhyo", 2, order.fee)]
    if before.certificates:  # the office sessions of another test completed orders today
        lines = [p.SettlementLine("132047", "juminhyo", before.certificates + 2,
                                  before.fees + order.fee)]
    ack = client.settle(p.SettlementReport(day, lines))
    assert ack.discrepancies == []
    assert ack.commission == 117 * ack.certificates
    wrong = client.settle(p.SettlementReport(day, [p.SettlementLine("132047", "juminhyo", 99,
                                                                    99 * 200)]))
    assert wrong.discrepancies and "132047 juminhyo" in wrong.discrepancies[0]


def test_the_document_digest_and_signature_arrive_intact(served: Served) -> None:
    client = served.client("store-0001")
    auth = sign_in(served, client, "r002")
    order = client.order(auth.token, "102016", "koseki-zenbu", {}, 1)
    doc = order.documents[0]
    assert hashlib.sha256(doc.pdf).hexdigest() == doc.sha256
    client.cancel(order.order_id)


def test_a_certificate_printed_through_the_center_verifies_with_its_key(served: Served,
                                                                        tmp_path: Path) -> None:
    sample = SESSIONS / "r001-juminhyo-one-copy.jsonl"
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--config",
                          str(served.kiosk_toml("store-0001")), "--out", str(tmp_path),
                          str(sample)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    (pdf,) = (tmp_path / sample.stem / "printed").glob("*.pdf")
    ok = subprocess.run([sys.executable, "-m", "kiosk", "center", "verify", str(pdf), "--data",
                         str(served.data)], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "genuine" in ok.stdout, ok.stdout
    other = subprocess.run([sys.executable, "-m", "kiosk", "center", "verify", str(pdf)],
                           capture_output=True, text=True, timeout=60)  # the demo key
    assert other.returncode == 1 and "NOT verified" in other.stdout


def test_init_refuses_to_overwrite_a_data_directory(served: Served) -> None:
    again = subprocess.run([sys.executable, "-m", "kiosk", "center", "init", str(served.data)],
                           capture_output=True, text=True, timeout=60)
    assert again.returncode == 2 and "already" in again.stdout


def test_the_journal_settles_a_day_with_the_served_center(served: Served,
                                                          tmp_path: Path) -> None:
    journal = tmp_path / "journal.sqlite"
    sample = SESSIONS / "r001-juminhyo-one-copy.jsonl"  # 2026-11-21 on the kiosk's clock
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--config",
                          str(served.kiosk_toml("store-0001")), "--journal", str(journal),
                          str(sample)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    settle = subprocess.run([sys.executable, "-m", "kiosk", "journal", "settle", "--journal",
                             str(journal), "--config", str(served.kiosk_toml("store-0001")),
                             "--day", "2026-11-21"], capture_output=True, text=True, timeout=60)
    assert "settled 2026-11-21" in settle.stdout, settle.stdout + settle.stderr[-2000:]
