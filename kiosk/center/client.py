"""The kiosk's side of the center protocol: the CenterPort over any transport.

Every document is checked against its binding (order id, SHA-256, the center's signature)
before it is handed on; a document that fails rejects the whole order (DocumentRejected): the
session journals it, then voids it at the center.
"""

from __future__ import annotations

import hashlib
import logging
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.center import protocol as p
from kiosk.center.pin_reset_messages import CardNonce
from kiosk.center.transport import Transport, TransportError
from kiosk.vocabulary.reasons import CenterError, DocumentRejected, Reason

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import TownCard

log = logging.getLogger(__name__)

REASONS = {r.value: r for r in Reason}
T = TypeVar("T")


def check_binding(doc: p.Document, order_id: str, center_key: Ed25519PublicKey) -> str | None:
    """None when ``doc`` is bound to ``order_id``; otherwise what is wrong with it."""
    if doc.order_id != order_id:
        return "document belongs to another order"
    if hashlib.sha256(doc.pdf).hexdigest() != doc.sha256:
        return "document does not match its SHA-256"
    try:
        center_key.verify(doc.signature, p.binding_message(order_id, doc.sha256))
    except InvalidSignature:
        return "the center's signature does not verify"
    return None


class CenterClient:
    """CenterPort: typed calls, refusals as CenterError with the center's reason code."""

    def __init__(self, transport: Transport, center_key: bytes,
                 observe: Callable[[float], None] | None = None) -> None:
        self._transport = transport
        self._center_key = Ed25519PublicKey.from_public_bytes(center_key)
        self.calls = 0
        self.observe = observe  # told each call's seconds (the operators' latency metric)

    def _call(self, call: str, body: object, expected: type[T]) -> T:
        """One call: its reply as ``expected``, or CenterError (refused, unreachable, broken)."""
        key = uuid.uuid4().hex
        self.calls += 1
        started = time.perf_counter()
        try:
            raw = self._transport.send(p.encode_request(call, body, key))
            if self.observe is not None:
                self.observe(time.perf_counter() - started)
            reply = p.decode_reply(call, raw)
        except TransportError as exc:
            log.warning("center %s: %s", call, exc)
            raise CenterError(str(exc), Reason.CENTER_UNAVAILABLE) from None
        except p.ProtocolError as exc:
            log.error("center %s: malformed reply: %s", call, exc)
            raise CenterError(str(exc), Reason.CENTER_UNAVAILABLE) from None
        if isinstance(reply, p.Refusal):
            log.info("center refused %s: %s", call, reply.reason)
            raise CenterError(reply.detail, REASONS.get(reply.reason, Reason.CENTER_UNAVAILABLE))
        if not isinstance(reply, expected):  # the protocol's table and this client disagree
            raise CenterError(f"{call}: a {type(reply).__name__} reply", Reason.CENTER_UNAVAILABLE)
        return reply

    def catalog(self) -> p.Catalog:
        return self._call("catalog", None, p.Catalog)

    def challenge(self) -> p.Challenge:
        return self._call("challenge", None, p.Challenge)

    def authenticate(self, certificate: bytes, signature: bytes, nonce: bytes) -> p.Authenticated:
        return self._call("authenticate", p.AuthenticateRequest(certificate, signature, nonce),
                          p.Authenticated)

    def authenticate_ap(self, town: TownCard, mac: bytes, nonce: bytes) -> p.Authenticated:
        return self._call("authenticate_ap",
                          p.AuthenticateApRequest(town.municipality, town.user_id, mac, nonce),
                          p.Authenticated)

    def order(self, token: str, municipality: str, certificate: str,
              options: dict[str, object], copies: int) -> p.Order:
        order = self._call(
            "order", p.OrderRequest(token, municipality, certificate, dict(options), copies),
            p.Order)
        for doc in order.documents:
            problem = check_binding(doc, order.order_id, self._center_key)
            if problem is not None:
                log.error("order %s: %s; rejecting it", order.order_id, problem)
                raise DocumentRejected(problem, order.order_id, order.fee)
        if len(order.documents) != copies:
            raise DocumentRejected("the center sent the wrong number of documents",
                                   order.order_id, order.fee)
        return order

    def order_documents(self, order_id: str) -> p.OrderDocuments:
        """A counter order's documents, each checked as the kiosk checks an order's: bound to
        this order, or DocumentRejected (never printed)."""
        reply = self._call("order_documents", p.OrderRef(order_id), p.OrderDocuments)
        if reply.order_id != order_id:
            raise DocumentRejected("the center answered for another order", order_id, 0)
        for doc in reply.documents:
            problem = check_binding(doc, order_id, self._center_key)
            if problem is not None:
                log.error("order %s at the counter: %s; not printing it", order_id, problem)
                raise DocumentRejected(problem, order_id, 0)
        return reply

    def complete(self, order_id: str, printed: int) -> None:
        self._call("complete", p.OrderRef(order_id, printed), p.Done)

    def cancel(self, order_id: str) -> None:
        self._call("cancel", p.OrderRef(order_id), p.Done)

    def settle(self, report: p.SettlementReport) -> p.SettlementAck:
        """Send the day's settlement; the center answers with its own tally of that day."""
        return self._call("settlement", report, p.SettlementAck)

    def registration_towns(self, token: str) -> p.RegistrationChoices:
        """The towns whose family-register certificates this resident may register for."""
        return self._call("registration_towns", p.TokenRef(token), p.RegistrationChoices)

    def register(self, token: str, municipality: str, honseki: str,
                 hittousha: str) -> p.Registration:
        """Apply to get the 本籍地's certificates here; the typed text is never logged."""
        return self._call("register", p.RegistrationRequest(token, municipality, honseki,
                                                             hittousha), p.Registration)

    def pin_reset_check(self, certificate: bytes) -> list[str]:
        """The PINs a reset reserved for this card resets; CenterError(pin-reset-not-reserved)."""
        return list(self._call("pin_reset_check", p.PinResetCheck(certificate),
                               p.PinResetReserved).which)

    def pin_reset_authorise(self, certificate: bytes,
                            nonces: dict[str, bytes]) -> dict[str, bytes]:
        """One authorisation per PIN, over the card's nonce for it (no PIN is sent)."""
        request = p.PinResetAuthorise(certificate, [CardNonce(pin, nonce)
                                                    for pin, nonce in nonces.items()])
        reply = self._call("pin_reset_authorise", request, p.PinResetAuthorised)
        out = {a.pin: a.mac for a in reply.authorisations}
        if set(out) != set(nonces) or len(out) != len(reply.authorisations):
            raise CenterError("pin_reset_authorise: not one authorisation per PIN asked",
                              Reason.CENTER_UNAVAILABLE)
        return out
