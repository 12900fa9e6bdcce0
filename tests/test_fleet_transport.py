"""A fleet kiosk's two ways of sending each POST (geventhttpclient, Locust's fast client, or
requests as the field kiosk does) against a real center served over HTTPS with client
certificates: every kind of visit ends as it should with either, and the fast one keeps the
transport's contract (retries under the same key, TLS refused at once, one clear error)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kiosk.center.https import HttpsSettings, HttpsTransport
from kiosk.center.transport import TransportError
from kiosk.lab.fleet.fast import FastHttpsTransport
from kiosk.lab.fleet.kit import Kit
from kiosk.lab.fleet.runner import free_port
from kiosk.lab.fleet.served import ServedCenter, init_center, serve_center
from kiosk.lab.fleet.visit import MIXED, FleetKiosk

KIOSKS = 2
Calls = list[tuple[str, Exception | None]]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Kit, ServedCenter]]:
    data = tmp_path_factory.mktemp("fleet-transport") / "center"
    port = init_center(data, KIOSKS)
    with serve_center(data, port, workers=1, log=data.parent / "center.log") as center:
        yield Kit.load(data), center


def _kiosk(kit: Kit, center: ServedCenter, transport: type[HttpsTransport],
           calls: Calls) -> FleetKiosk:
    return FleetKiosk(kit, kit.kiosks[0], center.url,
                      lambda name, ms, size, error: calls.append((name, error)),
                      transport=transport)


@pytest.mark.parametrize("transport", [FastHttpsTransport, HttpsTransport])
def test_every_kind_of_visit_ends_as_it_should_with_either_client(
        served: tuple[Kit, ServedCenter], transport: type[HttpsTransport]) -> None:
    kit, center = served
    calls: Calls = []
    kiosk = _kiosk(kit, center, transport, calls)
    try:
        outcomes = [kiosk.visit() for _ in MIXED]
    finally:
        kiosk.close()
    problems = [o.problem for o in outcomes if o.kind == "failed"]
    assert not problems, problems
    kinds = {o.kind for o in outcomes}
    assert kinds == {"completed", "cancelled", "refused", "fault-handled"}, kinds
    assert sum(o.wrong_documents for o in outcomes) == 0
    names = {name for name, _ in calls}
    assert {"order [down, retried]", "order [resent]", "order [wrong-document]"} <= names
    assert all(error is None for _, error in calls), calls


def _settings(kit: Kit, **changes: object) -> HttpsSettings:
    files = kit.kiosks[0]
    settings = HttpsSettings(str(files.cert), str(files.key), str(kit.ca), connect_timeout=5.0,
                             read_timeout=10.0, retries=2, backoff=0.0)
    for name, value in changes.items():
        setattr(settings, name, value)
    return settings


def test_the_fast_client_refuses_a_center_its_ca_did_not_sign_without_retrying(
        served: tuple[Kit, ServedCenter]) -> None:
    kit, center = served
    # the kiosk's own certificate as the trusted CA: the center's certificate does not chain
    transport = FastHttpsTransport(center.url, _settings(kit, ca=str(kit.kiosks[0].cert)))
    with pytest.raises(TransportError, match="TLS with the center failed"):
        transport.send(b'{"v": 1}')
    assert transport.attempts == 1
    transport.close()


def test_the_fast_client_retries_a_center_that_is_not_there_then_says_so(
        served: tuple[Kit, ServedCenter]) -> None:
    kit, _ = served
    transport = FastHttpsTransport(f"https://127.0.0.1:{free_port()}", _settings(kit))
    with pytest.raises(TransportError, match="the center did not answer"):
        transport.send(b'{"v": 1}')
    assert transport.attempts == 3  # the first and two retries
    transport.close()


def test_the_fast_client_hands_back_what_the_center_answers_retrying_a_center_down(
        served: tuple[Kit, ServedCenter]) -> None:
    kit, center = served
    transport = FastHttpsTransport(center.url, _settings(kit))
    reply = transport.send(b"not json")  # the center's own refusal, in a 200
    assert b'"ok": false' in reply and b"bad-request" in reply, reply
    assert transport.attempts == 1
    transport.set_fault("down", times=1)  # the lab's control goes the same way
    assert transport.send(b"not json") == reply
    assert transport.attempts == 3  # the 503 of the fault, then the answer
    transport.close()


def test_the_fast_client_wants_an_https_center(served: tuple[Kit, ServedCenter]) -> None:
    kit, _ = served
    with pytest.raises(TransportError, match="not an https:// center"):
        FastHttpsTransport("http://127.0.0.1:1", _settings(kit))
