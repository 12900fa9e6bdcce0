"""The reference Certificate Issuance Center: the rules of the service, from the world file.

It plays the center, the JPKI validity check and the municipalities' issuance servers. It takes
encoded requests (``handle``) so that every transport, in-process or HTTPS, meets the same
center, and it answers a repeated idempotency key with the reply it gave the first time (the
key is bound to its kiosk, its call and its body: another call or body under it is refused).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import secrets
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm

from kiosk import schema
from kiosk.center import protocol as p
from kiosk.clock import Clock
from kiosk.lab.center.card_ap import CardApDesk
from kiosk.lab.center.content import certificate_content
from kiosk.lab.center.counter import CounterDesk
from kiosk.lab.center.documents import render_certificate
from kiosk.lab.center.pin_reset import PinResetDesk
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.pki_certs import card_signature_valid
from kiosk.lab.center.refused import BAD_REQUEST, Refused, signed_in, trusted_certificate
from kiosk.lab.center.registration import KOSEKI, RegistrationDesk
from kiosk.lab.center.rules import certificates_for, check_hours, check_options, within
from kiosk.lab.center.scramble import DEMO_SCRAMBLE_KEY
from kiosk.lab.center.store import (
    FINISHED,
    MISUSED,
    PENDING,
    CenterStore,
    OrderRecord,
    SignedIn,
    Store,
)
from kiosk.lab.center.world import MunicipalityDef, Resident, World, load_world
from kiosk.pdfinfo import page_count
from kiosk.vocabulary.reasons import Reason

log = logging.getLogger(__name__)

CHALLENGE_SECONDS = 120
TOKEN_SECONDS = 900
FAULTS = ("down", "5xx", "malformed-json", "wrong-document", "truncated-pdf")  # and slow:N


_FAULT: contextvars.ContextVar[str | None] = contextvars.ContextVar("fault", default=None)
BUSY = "busy"  # the reply to a key still being answered: the kiosk retries after a pause


def fingerprint(req: p.Request) -> str:
    """The SHA-256 of a request's call and body as loaded: a retry's is the same."""
    canonical = json.dumps([req.call, schema.dump(req.body)], sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_fault(mode: str) -> None:
    """ValueError unless ``mode`` is a fault mode of the lab (or "ok")."""
    if mode == "ok" or mode in FAULTS:
        return
    kind, _, seconds = mode.partition(":")
    if kind == "slow" and seconds.replace(".", "", 1).isdigit():
        return
    raise ValueError(f"center fault {mode!r} is not one of ok, {', '.join(FAULTS)}, slow:N")


class ReferenceCenter(RegistrationDesk, PinResetDesk, CardApDesk, CounterDesk):
    """The center's behaviour; thread-safe, so that one instance can serve many kiosks."""

    def __init__(self, world: World, pki: TestJPKI, keys: CenterKeys, clock: Clock,
                 store: Store | None = None,
                 scramble_key: bytes = DEMO_SCRAMBLE_KEY) -> None:
        self.world = world
        self.scramble_key = scramble_key
        self.pki = pki
        self.keys = keys
        self.clock = clock
        self.store: Store = store or CenterStore()
        for r in world.residents:
            pki.register(r.id, r.card.cert)

    @classmethod
    def for_world(cls, world_path: str | Path | None, clock: Clock) -> ReferenceCenter:
        """A center on the world file (None: the sample) with this process's test PKI."""
        return cls(load_world(world_path), TestJPKI(), CenterKeys(), clock)

    # ------------------------------------------------------------------ faults (the lab's)
    def set_fault(self, kiosk_id: str, mode: str, times: int = 0) -> None:
        """How this center misbehaves towards one kiosk: for its next ``times`` calls, or
        (0) until set again; "ok" behaves again."""
        check_fault(mode)
        self.store.set_fault(kiosk_id, None if mode == "ok" else mode, times)

    def take_fault(self, kiosk_id: str) -> str | None:
        """The fault for one call of this kiosk's (the transport asks once per call)."""
        return self.store.take_fault(kiosk_id)

    # ------------------------------------------------------------------ the wire
    def handle(self, kiosk_id: str, raw: bytes, fault: str | None = None) -> bytes:
        """One encoded request from ``kiosk_id`` (known from its TLS certificate) → the reply.

        A repeated idempotency key gets the first reply again, never a second order; the same
        key with another call or body is a bad request. ``fault`` is the lab's fault for this
        call (``take_fault``), if any."""
        try:
            req = p.decode_request(raw)
        except p.ProtocolError as exc:
            return p.encode_error(BAD_REQUEST, str(exc))
        now = self.clock.now()
        if now.tzinfo is None or not 1970 <= now.year <= 9000:  # a lab time: the kiosk's
            return p.encode_error(BAD_REQUEST, f"the request's time {now.isoformat()} needs a "
                                               "UTC offset and a year from 1970 to 9000")
        earlier = self.store.reserve(kiosk_id, req.idempotency_key, req.call, fingerprint(req),
                                     now)
        if isinstance(earlier, bytes):
            return earlier
        if earlier is MISUSED:
            return p.encode_error(BAD_REQUEST, "idempotency_key: used already for another call "
                                               "or body (a retry sends the same request)")
        if earlier is PENDING:
            return p.encode_error(BUSY, "the same request is still being answered")
        if earlier is FINISHED:
            return p.encode_error(Reason.CANCELLED, "that order is finished or too old to send")
        order_id = None
        token = _FAULT.set(fault)
        try:
            body = getattr(self, f"call_{req.call}")(kiosk_id, req.body)
            reply = p.encode_reply(body)
            order_id = body.order_id if isinstance(body, p.Order) else None
        except Refused as exc:
            reply = p.encode_error(exc.reason, exc.detail)
        except Exception:
            self.store.release(kiosk_id, req.idempotency_key)
            raise
        finally:
            _FAULT.reset(token)
        self.store.keep_reply(kiosk_id, req.idempotency_key, reply, order_id)
        return reply

    # ------------------------------------------------------------------ calls
    def call_catalog(self, kiosk_id: str, _: None) -> p.Catalog:
        return p.Catalog(
            center=dict(self.world.center.name),
            closed_days=list(self.world.center.closed_days),
            municipalities=[
                p.Municipality(m.code, dict(m.name), m.participating, m.hours, m.max_copies,
                               list(m.certificates), list(m.auth))
                for m in self.world.municipalities
            ],
        )

    def call_challenge(self, kiosk_id: str, _: None) -> p.Challenge:
        self._known_kiosk(kiosk_id)
        now = self.clock.now()
        nonce = secrets.token_bytes(32)
        expires = now + timedelta(seconds=CHALLENGE_SECONDS)
        self.store.add_nonce(nonce, kiosk_id, expires, now)
        return p.Challenge(nonce, expires.isoformat())

    def take_challenge(self, kiosk_id: str, nonce: bytes, now: datetime) -> None:
        """The challenge is this kiosk's and still fresh; used up whatever happens next."""
        issued = self.store.take_nonce(nonce)
        if issued is None or issued[0] != kiosk_id or issued[1] < now:
            raise Refused(Reason.CENTER_UNAVAILABLE, "challenge unknown, used or expired")

    def call_authenticate(self, kiosk_id: str, req: p.AuthenticateRequest) -> p.Authenticated:
        now = self.clock.now()
        self.take_challenge(kiosk_id, req.nonce, now)
        cert = trusted_certificate(self.pki, req.certificate, now)
        try:
            valid = card_signature_valid(cert.public_key(), req.signature,
                                         p.auth_message(req.nonce, kiosk_id))
        except (ValueError, UnsupportedAlgorithm):
            raise Refused(Reason.CARD_UNSUPPORTED, "not an RSA nor a P-384 certificate") from None
        if not valid:
            raise Refused(Reason.CARD_UNREADABLE, "signature does not verify")
        resident_id = self.pki.resident_for_serial(cert.serial_number)
        resident = self.world.resident(resident_id) if resident_id else None
        if resident is None:
            raise Refused(Reason.CARD_UNSUPPORTED, "no resident holds this certificate")
        return self.sign_in(kiosk_id, resident, now)

    def sign_in(self, kiosk_id: str, resident: Resident, now: datetime) -> p.Authenticated:
        """A resident proven by either method: a card whose body is still valid, then the
        offers and a token for them."""
        expires = resident.card.expires
        if expires is not None and now.date().isoformat() > expires:
            raise Refused(Reason.CARD_EXPIRED)
        offers = self._offers(kiosk_id, resident, now)
        token = secrets.token_urlsafe(24)
        self.store.add_signin(token, SignedIn(kiosk_id, resident.id,
                                              now + timedelta(seconds=TOKEN_SECONDS), offers))
        return p.Authenticated(token, offers)

    def call_order(self, kiosk_id: str, req: p.OrderRequest) -> p.Order:
        now = self.clock.now()
        signed = signed_in(self.store, kiosk_id, req.token, now)
        offer = next((o for o in signed.offers if o.municipality == req.municipality), None)
        if offer is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "municipality not offered to this resident")
        cert = next((c for c in offer.certificates if c.type == req.certificate), None)
        if cert is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "certificate not offered to this resident")
        check_options(cert, req.options)
        if not 1 <= req.copies <= offer.max_copies:
            raise Refused(Reason.NOT_AVAILABLE_HERE, f"copies must be 1 to {offer.max_copies}")
        municipality = self.world.municipality(req.municipality)
        resident = self.world.resident(signed.resident_id)
        assert municipality is not None and resident is not None
        check_hours(municipality, cert, now)
        order_id = "O" + secrets.token_hex(8).upper()
        documents = self._documents(order_id, req, resident, municipality, now)
        fault = _FAULT.get()
        if fault == "wrong-document":  # another order's documents, rightly signed for it
            other = "O" + secrets.token_hex(8).upper()
            documents = self._documents(other, req, resident, municipality, now)
        elif fault == "truncated-pdf":  # cut short on the way, after hashing and signing
            documents = [p.Document(d.document_id, d.order_id, d.sha256, d.signature, d.pages,
                                    d.pdf[: len(d.pdf) // 2]) for d in documents]
        record = OrderRecord(order_id, kiosk_id, req.municipality, req.certificate, req.copies,
                             cert.fee * req.copies, now.date().isoformat(),
                             document_ids=tuple(d.document_id for d in documents))
        self.store.add_order(record)
        self.keep_for_counter(kiosk_id, resident, documents)  # a counter kiosk's: served later
        log.info("order %s: %s x%d for %s", order_id, req.certificate, req.copies,
                 req.municipality)
        return p.Order(order_id, record.fee, documents)

    def _documents(self, order_id: str, req: p.OrderRequest, resident: Resident,
                   municipality: MunicipalityDef, now: datetime) -> list[p.Document]:
        documents = []
        for copy_no in range(1, req.copies + 1):
            # 80 random bits: the id also seeds the scrambled image's nonce, so it never repeats
            document_id = f"D{secrets.token_hex(10).upper()}"
            content = certificate_content(req.certificate, resident, municipality, req.options,
                                          now.date(), order_id, document_id, copy_no, req.copies)
            pdf = render_certificate(content, scramble_key=self.scramble_key)
            digest = hashlib.sha256(pdf).hexdigest()
            documents.append(p.Document(
                document_id, order_id, digest,
                self.keys.sign(p.binding_message(order_id, digest)), page_count(pdf), pdf))
        return documents

    def call_complete(self, kiosk_id: str, req: p.OrderRef) -> p.Done:
        record = self._own_order(kiosk_id, req.order_id)
        if req.printed > record.copies:
            raise Refused(BAD_REQUEST, f"printed: must be 0 to {record.copies} for this order")
        state = self.store.finish_order(req.order_id, "completed", req.printed, refuse="voided")
        self.forget_counter_order(kiosk_id, req.order_id)
        if state != "completed":
            raise Refused(Reason.CANCELLED, "order was voided")
        return p.Done(req.order_id, "completed")

    def call_cancel(self, kiosk_id: str, req: p.OrderRef) -> p.Done:
        self._own_order(kiosk_id, req.order_id)
        state = self.store.finish_order(req.order_id, "voided", 0, refuse="completed")
        self.forget_counter_order(kiosk_id, req.order_id)
        if state != "voided":
            raise Refused(Reason.CANCELLED, "order was completed")
        return p.Done(req.order_id, "voided")

    def call_settlement(self, kiosk_id: str, req: p.SettlementReport) -> p.SettlementAck:
        """Take a kiosk's daily settlement; compare it with the orders completed here."""
        self._known_kiosk(kiosk_id)
        mine: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        for o in self.store.orders_of(kiosk_id, req.day, "completed"):
            mine[(o.municipality, o.certificate)][0] += o.copies
            mine[(o.municipality, o.certificate)][1] += o.fee
        theirs = {(line.municipality, line.certificate): [line.count, line.fees]
                  for line in req.lines}
        discrepancies = [
            f"{town} {cert}: kiosk {theirs.get((town, cert), [0, 0])}, center "
            f"{mine.get((town, cert), [0, 0])} (count, fees)"
            for town, cert in sorted(set(mine) | set(theirs))
            if theirs.get((town, cert), [0, 0]) != mine.get((town, cert), [0, 0])]
        count = sum(c for c, _ in mine.values())
        fees = sum(f for _, f in mine.values())
        self.store.add_settlement(kiosk_id, req.day, {
            "lines": [vars(line) for line in req.lines], "discrepancies": discrepancies},
            self.clock.now())
        return p.SettlementAck(req.day, count, fees, count * self.world.center.store_commission,
                               discrepancies)

    # ------------------------------------------------------------------ rules
    def _known_kiosk(self, kiosk_id: str) -> None:
        if self.world.kiosk(kiosk_id) is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "unknown kiosk")

    def _own_order(self, kiosk_id: str, order_id: str) -> OrderRecord:
        record = self.store.order(order_id)
        if record is None or record.kiosk_id != kiosk_id:
            raise Refused(Reason.CANCELLED, "no such order for this kiosk")
        return record

    def _offers(self, kiosk_id: str, resident: Resident, now: datetime) -> list[p.Offer]:
        home = self.world.municipality(resident.municipality)
        assert home is not None
        if not home.participating:
            raise Refused(Reason.NOT_PARTICIPATING)
        if resident.support_measures or resident.moved_out:
            raise Refused(Reason.NOT_AVAILABLE_HERE)
        if now.strftime("%m-%d") in self.world.center.closed_days:
            raise Refused(Reason.CLOSED_DAY)
        kiosk = self.world.kiosk(kiosk_id)
        if kiosk is not None and kiosk.hours is not None:  # an office kiosk: office hours
            within(kiosk.hours, now)
        check_hours(home, None, now)
        honseki = resident.honseki
        offers = [p.Offer(home.code, dict(home.name), True, home.max_copies,
                          certificates_for(home, resident))]
        if (honseki and honseki.municipality != home.code
                and self.honseki_status(resident) == "registered"):
            town = self.world.municipality(honseki.municipality)
            if town is not None and town.participating:
                certs = [c for c in town.certificates if c.type in KOSEKI]
                if certs:
                    offers.append(p.Offer(town.code, dict(town.name), False, town.max_copies,
                                          certs))
        return offers
