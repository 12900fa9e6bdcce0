"""One kiosk of the fleet: whole visits through the kiosk's own center client, faults mixed in.

No Locust here: calls are told to a ``Record`` callback (the locustfile fires Locust's request
events with it), and each visit ends in an ``Outcome``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Literal

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from kiosk.center import protocol as p
from kiosk.center.client import CenterClient
from kiosk.center.https import HttpsSettings, HttpsTransport
from kiosk.center.transport import TransportError
from kiosk.clock import VirtualClock
from kiosk.lab.fleet.kit import ERRANDS, EXPIRED, REVOKED, WHEN, Errand, KioskFiles, Kit
from kiosk.vocabulary.reasons import CenterError, DocumentRejected, Reason

Record = Callable[[str, float, int, Exception | None], None]  # call, ms, reply bytes, error
Kind = Literal["completed", "cancelled", "refused", "fault-handled", "failed"]
Scenario = Literal["plain", "cancel", "revoked", "expired", "down", "resent", "wrong-document"]

# One in twenty visits of each fault, two in twenty cancelled, the rest plain.
MIXED: tuple[Scenario, ...] = (
    "plain", "plain", "down", "plain", "cancel", "plain", "revoked", "plain", "resent", "plain",
    "plain", "wrong-document", "plain", "cancel", "plain", "expired", "plain", "plain", "plain",
    "plain")
LAB_FAULT = "lab fault"


@dataclass(frozen=True)
class Outcome:
    """How one visit ended."""

    kind: Kind
    wrong_documents: int = 0
    problem: str = ""


class Failed(Exception):
    """The visit went where it must not (the text says how); ``wrong`` documents got through."""

    def __init__(self, text: str, wrong: int = 0) -> None:
        super().__init__(text)
        self.wrong = wrong


class TimedTransport:
    """The kiosk's transport, timing each call for ``record``; it can also resend a request
    (a reply lost on the way) and check that the same reply comes back."""

    def __init__(self, inner: HttpsTransport, record: Record) -> None:
        self.inner, self.record = inner, record
        self.tag = ""  # added to the next call's name (a faulted call has stats of its own)
        self.resend_next = False
        self.resent_differs = False

    def send(self, request: bytes) -> bytes:
        name = _call_of(request) + self.tag
        self.tag = ""
        reply = self._timed(name, request)
        if self.resend_next:
            self.resend_next = False
            again = self._timed(name + " [resent]", request)
            self.resent_differs = again != reply
            reply = again
        return reply

    def _timed(self, name: str, request: bytes) -> bytes:
        started = perf_counter()
        try:
            reply = self.inner.send(request)
        except TransportError as exc:
            self.record(name, (perf_counter() - started) * 1000, 0, exc)
            raise
        self.record(name, (perf_counter() - started) * 1000, len(reply), None)
        return reply

    def set_fault(self, mode: str) -> None:
        """The center's lab fault for this kiosk's next call."""
        started = perf_counter()
        try:
            self.inner.set_fault(mode, times=1)
        except TransportError as exc:
            self.record(LAB_FAULT, (perf_counter() - started) * 1000, 0, exc)
            raise
        self.record(LAB_FAULT, (perf_counter() - started) * 1000, 0, None)


def _call_of(request: bytes) -> str:
    try:
        call = json.loads(request)["call"]
    except (ValueError, KeyError, TypeError):
        return "?"
    return call if isinstance(call, str) else "?"


class FleetKiosk:
    """One kiosk: its client certificate, its center, its own sequence of visits."""

    def __init__(self, kit: Kit, files: KioskFiles, center: str, record: Record,
                 faults: bool = True, offset: int = 0,
                 transport: type[HttpsTransport] = HttpsTransport) -> None:
        settings = HttpsSettings(str(files.cert), str(files.key), str(kit.ca),
                                 connect_timeout=10.0, read_timeout=30.0, retries=3,
                                 backoff=0.1, lab_clock=True)
        self.kiosk_id = files.kiosk_id
        self.kit = kit
        self.https = transport(center, settings, VirtualClock(WHEN))
        self.transport = TimedTransport(self.https, record)
        self.client = CenterClient(self.transport, kit.center_key)
        self.scenarios: tuple[Scenario, ...] = MIXED if faults else ("plain",)
        self.visits = offset  # kiosks start at different places of the mix

    def close(self) -> None:
        self.https.close()

    def visit(self) -> Outcome:
        """One resident's visit, start to end; never raises (the unexpected is "failed")."""
        scenario = self.scenarios[self.visits % len(self.scenarios)]
        errand = ERRANDS[(self.visits // len(self.scenarios) + self.visits) % len(ERRANDS)]
        self.visits += 1
        try:
            return self._visit(scenario, errand)
        except Failed as exc:
            return Outcome("failed", exc.wrong, f"{scenario}: {exc}")
        except DocumentRejected as exc:  # in a visit without the fault: a wrong document
            return Outcome("failed", 1, f"{scenario}: document rejected: {exc}")
        except CenterError as exc:
            return Outcome("failed", problem=f"{scenario}: {exc.reason.value}: {exc}")
        except TransportError as exc:  # the lab's fault control
            return Outcome("failed", problem=f"{scenario}: {exc}")

    def _visit(self, scenario: Scenario, errand: Errand) -> Outcome:
        if scenario in ("revoked", "expired"):
            return self._refused(REVOKED if scenario == "revoked" else EXPIRED)
        token = self._sign_in(errand)
        if scenario == "wrong-document":
            return self._wrong_document(token, errand)
        if scenario == "down":
            self.transport.set_fault("down")
            self.transport.tag = " [down, retried]"
        self.transport.resend_next = scenario == "resent"
        attempts = self.https.attempts
        order = self.client.order(token, errand.municipality, errand.certificate, {}, 1)
        wrong = _wrong(order)
        if wrong:
            raise Failed(f"{wrong} documents for the wrong order got through", wrong)
        if scenario == "down" and self.https.attempts - attempts < 2:
            raise Failed("the center's 'down' fault did not happen (is it served with --lab?)")
        if scenario == "resent" and self.transport.resent_differs:
            raise Failed("the order resent with the same key came back as another reply")
        if scenario == "cancel":
            self.client.cancel(order.order_id)
            return Outcome("cancelled")
        self.client.complete(order.order_id, len(order.documents))
        return Outcome("fault-handled" if scenario in ("down", "resent") else "completed")

    def _sign_in(self, errand: Errand) -> str:
        """Challenge, the card's signature over it, authenticate: the sign-in token."""
        card = self.kit.cards[errand.resident]
        challenge = self.client.challenge()
        signature = card.key.sign(p.auth_message(challenge.nonce, self.kiosk_id),
                                  padding.PKCS1v15(), hashes.SHA256())
        return self.client.authenticate(card.cert_der, signature, challenge.nonce).token

    def _refused(self, errand: Errand) -> Outcome:
        """A card the center must refuse."""
        expected = Reason.CERT_REVOKED if errand.card == "revoked" else Reason.CERT_EXPIRED
        try:
            self._sign_in(errand)
        except CenterError as exc:
            if exc.reason is expected:
                return Outcome("refused")
            raise
        raise Failed(f"a {errand.card} card was accepted")

    def _wrong_document(self, token: str, errand: Errand) -> Outcome:
        """The center sends another order's document: the kiosk rejects it, voids the order."""
        self.transport.set_fault("wrong-document")
        self.transport.tag = " [wrong-document]"
        try:
            order = self.client.order(token, errand.municipality, errand.certificate, {}, 1)
        except DocumentRejected as exc:
            self.client.cancel(exc.order_id)
            return Outcome("fault-handled")
        raise Failed("another order's document was accepted", len(order.documents))


def _wrong(order: p.Order) -> int:
    """Documents not bound to ``order`` by their order id and SHA-256 (the client checks this
    too, with the signature; counted here on their own)."""
    return sum(1 for d in order.documents if d.order_id != order.order_id
               or hashlib.sha256(d.pdf).hexdigest() != d.sha256)
