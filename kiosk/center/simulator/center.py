"""The reference Certificate Issuance Center: the rules of the service, from the world file.

It plays the center, the JPKI validity check and the municipalities' issuance servers. It takes
encoded requests (``handle``) so that every transport, in-process or HTTPS, meets the same
center, and it answers a repeated idempotency key with the reply it gave the first time.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kiosk.center import protocol as p
from kiosk.center.simulator.content import certificate_content
from kiosk.center.simulator.documents import render_certificate
from kiosk.center.simulator.pki import CenterKeys, TestJPKI
from kiosk.center.simulator.world import MunicipalityDef, Resident, World, load_world
from kiosk.clock import Clock
from kiosk.pdfinfo import page_count
from kiosk.reasons import Reason

log = logging.getLogger(__name__)

CHALLENGE_SECONDS = 120
TOKEN_SECONDS = 900
KOSEKI = ("koseki-zenbu", "koseki-kojin", "koseki-fuhyo")
TAX = ("tax-income", "tax-assessment", "tax-payment")


class Refused(Exception):
    """A rule said no; ``reason`` is the code the kiosk shows."""

    def __init__(self, reason: Reason | str, detail: str = "") -> None:
        super().__init__(detail or str(reason))
        self.reason = str(reason)
        self.detail = detail


@dataclass
class SignedIn:
    kiosk_id: str
    resident_id: str
    expires: datetime
    offers: list[p.Offer]


@dataclass
class OrderRecord:
    order_id: str
    kiosk_id: str
    municipality: str
    certificate: str
    copies: int
    fee: int
    state: str = "issued"  # issued | completed | voided
    printed: int = 0
    document_ids: list[str] = field(default_factory=list)


class ReferenceCenter:
    """The center's behaviour; thread-safe, so that one instance can serve many kiosks."""

    def __init__(self, world: World, pki: TestJPKI, keys: CenterKeys, clock: Clock) -> None:
        self.world = world
        self.pki = pki
        self.keys = keys
        self.clock = clock
        for r in world.residents:
            pki.register(r.id, r.card.cert)
        self._lock = threading.Lock()
        self._nonces: dict[bytes, tuple[str, datetime]] = {}
        self._sessions: dict[str, SignedIn] = {}
        self.orders: dict[str, OrderRecord] = {}
        self._replies: dict[tuple[str, str], bytes] = {}

    @classmethod
    def for_world(cls, world_path: str | Path | None, clock: Clock) -> ReferenceCenter:
        """A center on the world file (None: the sample) with this process's test PKI."""
        return cls(load_world(world_path), TestJPKI(), CenterKeys(), clock)

    # ------------------------------------------------------------------ the wire
    def handle(self, kiosk_id: str, raw: bytes) -> bytes:
        """One encoded request from ``kiosk_id`` (known from its TLS certificate) → the reply."""
        try:
            req = p.decode_request(raw)
        except p.ProtocolError as exc:
            return p.encode_error("bad-request", str(exc))
        key = (kiosk_id, req.idempotency_key)
        with self._lock:
            if key in self._replies:
                return self._replies[key]
        try:
            reply = p.encode_reply(getattr(self, f"call_{req.call}")(kiosk_id, req.body))
        except Refused as exc:
            reply = p.encode_error(exc.reason, exc.detail)
        with self._lock:
            self._replies[key] = reply
        return reply

    # ------------------------------------------------------------------ calls
    def call_catalog(self, kiosk_id: str, _: None) -> p.Catalog:
        return p.Catalog(
            center=dict(self.world.center.name),
            closed_days=list(self.world.center.closed_days),
            municipalities=[
                p.Municipality(m.code, dict(m.name), m.participating, m.hours, m.max_copies,
                               list(m.certificates))
                for m in self.world.municipalities
            ],
        )

    def call_challenge(self, kiosk_id: str, _: None) -> p.Challenge:
        self._known_kiosk(kiosk_id)
        now = self.clock.now()
        nonce = secrets.token_bytes(32)
        expires = now + timedelta(seconds=CHALLENGE_SECONDS)
        with self._lock:
            self._nonces = {n: v for n, v in self._nonces.items() if v[1] > now}
            self._nonces[nonce] = (kiosk_id, expires)
        return p.Challenge(nonce, expires.isoformat())

    def call_authenticate(self, kiosk_id: str, req: p.AuthenticateRequest) -> p.Authenticated:
        now = self.clock.now()
        with self._lock:
            issued = self._nonces.pop(req.nonce, None)  # single use, whatever happens next
        if issued is None or issued[0] != kiosk_id or issued[1] < now:
            raise Refused(Reason.CENTER_UNAVAILABLE, "challenge unknown, used or expired")
        try:
            cert = x509.load_der_x509_certificate(req.certificate)
        except ValueError:
            raise Refused(Reason.CARD_UNREADABLE, "not a certificate") from None
        status = self.pki.check(req.certificate, now)
        if status == "revoked":
            raise Refused(Reason.CERT_REVOKED)
        if status == "expired":
            raise Refused(Reason.CERT_EXPIRED)
        if status != "valid":
            raise Refused(Reason.CARD_UNSUPPORTED, "certificate not issued by the JPKI CA")
        key = cert.public_key()
        if not isinstance(key, rsa.RSAPublicKey):
            raise Refused(Reason.CARD_UNSUPPORTED, "not an RSA user certificate")
        try:
            key.verify(req.signature, p.auth_message(req.nonce, kiosk_id), padding.PKCS1v15(),
                       hashes.SHA256())
        except InvalidSignature:
            raise Refused(Reason.CARD_UNREADABLE, "signature does not verify") from None
        resident_id = self.pki.resident_for_serial(cert.serial_number)
        resident = self.world.resident(resident_id) if resident_id else None
        if resident is None:
            raise Refused(Reason.CARD_UNSUPPORTED, "no resident holds this certificate")
        offers = self._offers(kiosk_id, resident, now)
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._sessions[token] = SignedIn(kiosk_id, resident.id,
                                             now + timedelta(seconds=TOKEN_SECONDS), offers)
        return p.Authenticated(token, offers)

    def call_order(self, kiosk_id: str, req: p.OrderRequest) -> p.Order:
        now = self.clock.now()
        with self._lock:
            signed = self._sessions.get(req.token)
        if signed is None or signed.kiosk_id != kiosk_id or signed.expires < now:
            raise Refused(Reason.TIMEOUT, "sign-in unknown or expired")
        offer = next((o for o in signed.offers if o.municipality == req.municipality), None)
        if offer is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "municipality not offered to this resident")
        cert = next((c for c in offer.certificates if c.type == req.certificate), None)
        if cert is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "certificate not offered to this resident")
        self._check_options(cert, req.options)
        if not 1 <= req.copies <= offer.max_copies:
            raise Refused(Reason.NOT_AVAILABLE_HERE, f"copies must be 1 to {offer.max_copies}")
        municipality = self.world.municipality(req.municipality)
        resident = self.world.resident(signed.resident_id)
        assert municipality is not None and resident is not None
        self._check_hours(municipality, cert, now)
        order_id = "O" + secrets.token_hex(8).upper()
        documents = []
        for copy_no in range(1, req.copies + 1):
            document_id = f"D{secrets.token_hex(6).upper()}"
            content = certificate_content(req.certificate, resident, municipality, req.options,
                                          now.date(), order_id, document_id, copy_no, req.copies)
            pdf = render_certificate(content)
            digest = hashlib.sha256(pdf).hexdigest()
            documents.append(p.Document(
                document_id, order_id, digest,
                self.keys.sign(p.binding_message(order_id, digest)), page_count(pdf), pdf))
        record = OrderRecord(order_id, kiosk_id, req.municipality, req.certificate, req.copies,
                             cert.fee * req.copies, document_ids=[d.document_id for d in documents])
        with self._lock:
            self.orders[order_id] = record
        log.info("order %s: %s x%d for %s", order_id, req.certificate, req.copies,
                 req.municipality)
        return p.Order(order_id, record.fee, documents)

    def call_complete(self, kiosk_id: str, req: p.OrderRef) -> p.Done:
        record = self._own_order(kiosk_id, req.order_id)
        with self._lock:
            if record.state == "voided":
                raise Refused(Reason.CANCELLED, "order was voided")
            record.state, record.printed = "completed", req.printed
        return p.Done(record.order_id, record.state)

    def call_cancel(self, kiosk_id: str, req: p.OrderRef) -> p.Done:
        record = self._own_order(kiosk_id, req.order_id)
        with self._lock:
            if record.state == "completed":
                raise Refused(Reason.CANCELLED, "order was completed")
            record.state = "voided"
        return p.Done(record.order_id, record.state)

    # ------------------------------------------------------------------ rules
    def _known_kiosk(self, kiosk_id: str) -> None:
        if self.world.kiosk(kiosk_id) is None:
            raise Refused(Reason.NOT_AVAILABLE_HERE, "unknown kiosk")

    def _own_order(self, kiosk_id: str, order_id: str) -> OrderRecord:
        record = self.orders.get(order_id)
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
        self._check_hours(home, None, now)
        honseki = resident.honseki
        offers = [p.Offer(home.code, dict(home.name), True, home.max_copies,
                          self._certificates(home, resident, home=True))]
        if honseki and honseki.municipality != home.code and honseki.status == "registered":
            town = self.world.municipality(honseki.municipality)
            if town is not None and town.participating:
                certs = [c for c in town.certificates if c.type in KOSEKI]
                if certs:
                    offers.append(p.Offer(town.code, dict(town.name), False, town.max_copies,
                                          certs))
        return offers

    @staticmethod
    def _certificates(town: MunicipalityDef, resident: Resident,
                      home: bool) -> list[p.CertificateOffer]:
        """What this resident can have from their home town."""
        out = []
        for c in town.certificates:
            if c.type == "inkan" and not resident.seal_registered:
                continue
            if c.type in TAX:
                years = [y for y in c.years if y in resident.tax_years]
                if not years:
                    continue
                c = p.CertificateOffer(c.type, c.fee, list(c.options), years, c.hours)
            if c.type in KOSEKI and not (resident.honseki
                                         and resident.honseki.municipality == town.code):
                continue
            options = list(c.options)
            if resident.nationality != "JP" and "honseki" in options:
                options.remove("honseki")  # a foreign resident has no family register
            out.append(p.CertificateOffer(c.type, c.fee, options, list(c.years), c.hours))
        return out

    @staticmethod
    def _check_options(cert: p.CertificateOffer, options: dict[str, object]) -> None:
        for key, value in options.items():
            if key == "year":
                if value not in cert.years:
                    raise Refused(Reason.NOT_AVAILABLE_HERE, f"no tax record for {value!r}")
            elif key not in cert.options:
                raise Refused(Reason.NOT_AVAILABLE_HERE, f"option {key!r} is not offered")
            elif key == "household":
                if value not in ("self", "all"):
                    raise Refused(Reason.NOT_AVAILABLE_HERE, "household must be self or all")
            elif not isinstance(value, bool):
                raise Refused(Reason.NOT_AVAILABLE_HERE, f"option {key!r} must be yes or no")

    @staticmethod
    def _check_hours(town: MunicipalityDef, cert: p.CertificateOffer | None,
                     now: datetime) -> None:
        for hours in (town.hours, cert.hours if cert else None):
            if hours is None:
                continue
            if hours.weekdays_only and now.weekday() >= 5:
                raise Refused(Reason.CLOSED_DAY)
            if not hours.open <= now.strftime("%H:%M") < hours.close:
                raise Refused(Reason.CLOSED_HOURS)
