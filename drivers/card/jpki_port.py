"""``CardPort`` over the JPKI AP: open a card session, VERIFY, sign, read the certificate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.card.jpki import APDUStats, JPKIClient, Transmitter, digest_info_sha256
from drivers.card.jpki_algo import scheme_of, sha384
from drivers.card.jpki_spec import EF_AUTH_CERT
from kiosk.vocabulary.ports import CardInfo
from kiosk.vocabulary.reasons import CardError, KioskError, Reason

if TYPE_CHECKING:
    from kiosk.vocabulary.ports import CardPort

log = logging.getLogger(__name__)


class JPKICardPort:
    """The kiosk's card port; ``connect()`` returns a connection or raises CardError."""

    def __init__(self, connect: Callable[[], Transmitter], extended: bool = True) -> None:
        self._connect = connect
        self.extended = extended  # the reader carries extended APDUs (until it refuses one)
        self._conn: Transmitter | None = None
        self._client: JPKIClient | None = None
        self._cert: bytes | None = None  # the user-authentication certificate, once read
        self.stats = APDUStats()  # of the current (or last) card session
        self._earlier = APDUStats()  # of every card session before it

    @property
    def total(self) -> APDUStats:
        """APDUs and bytes over every card session since this port was made."""
        e, s = self._earlier, self.stats
        return APDUStats(e.apdus + s.apdus, e.bytes_out + s.bytes_out, e.bytes_in + s.bytes_in)

    def open(self) -> CardInfo:
        """Connect, select the JPKI AP, tell the kind and read the tries left (spends none)."""
        self.close()
        try:
            conn = self._connect()
        except KioskError:
            raise
        except Exception as exc:
            raise CardError(f"connect failed: {type(exc).__name__}") from exc
        client = JPKIClient(conn, extended=self.extended)
        self._earlier = self.total
        self._conn, self._client, self.stats = conn, client, client.stats
        try:
            client.select_ap()
            kind = client.card_kind()
            if kind == "juki":
                raise CardError("resident card: the card-AP method is not supported",
                                reason=Reason.CARD_UNSUPPORTED)
            info = CardInfo(kind=kind, tries_left=client.tries_left())
        except BaseException:
            self.close()
            raise
        return info

    def verify_pin(self, pin: bytearray) -> None:
        self._require().verify(pin)

    def sign_message(self, message: bytes) -> bytes:
        """Sign ``message`` as the certificate's key does: RSA over the DigestInfo of SHA-256
        (built here), ECDSA P-384 over SHA-384 (answered r‖s). The certificate is read once."""
        client = self._require()
        if scheme_of(self.read_auth_certificate()) == "ecdsa-p384-sha384":
            return client.sign_ecdsa(sha384(message))
        return client.sign(digest_info_sha256(message))

    def read_auth_certificate(self) -> bytes:
        client = self._require()
        if self._cert is not None:
            return self._cert
        try:
            self._cert = client.read_certificate(EF_AUTH_CERT)
        finally:
            self.extended = client.extended
        return self._cert

    def close(self) -> None:
        """Reset and release the card, so that no verified state survives; never raises."""
        conn, self._conn, self._client, self._cert = self._conn, None, None, None
        if conn is None:
            return
        for name in ("reset", "disconnect"):
            method = getattr(conn, name, None)
            if callable(method):
                try:
                    method()
                except Exception as exc:  # the card may already be gone
                    log.debug("card %s failed: %s", name, type(exc).__name__)

    def _require(self) -> JPKIClient:
        if self._client is None:
            raise CardError("no card session is open", reason=Reason.CARD_REMOVED)
        return self._client


if TYPE_CHECKING:  # mypy holds JPKICardPort to CardPort: a drift fails here

    def _conforms_j_p_k_i_card_port(port: JPKICardPort) -> CardPort:
        return port
