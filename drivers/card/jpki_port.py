"""``CardPort`` over the JPKI AP: open a card session, VERIFY, sign, read the certificate."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from drivers.card.helper_ap import read_basic_four, read_number, select_helper_ap
from drivers.card.helper_ap_spec import EF_HELPER_PIN
from drivers.card.jpki import APDUStats, JPKIClient, Transmitter, digest_info_sha256
from drivers.card.jpki_algo import scheme_of, sha384
from drivers.card.jpki_spec import (
    EF_AUTH_CERT,
    EF_AUTH_PIN,
    PIN_EFS,
    SW_CONDITIONS_NOT_SATISFIED,
    SW_SECURITY_NOT_SATISFIED,
)
from drivers.card.town_ap import find_town_ap, internal_authenticate, read_user_id
from drivers.card.town_ap_spec import EF_TOWN_PIN
from kiosk.vocabulary.ports import CardFace, CardInfo, TownCard
from kiosk.vocabulary.reasons import (
    CardError,
    KioskError,
    PhoneDeclined,
    PhoneNotConfirmed,
    Reason,
)

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
        self._info: CardInfo | None = None  # what open() found
        self._town: TownCard | None = None  # the card-AP method's town and user id
        self.stats = APDUStats()  # of the current (or last) card session
        self._earlier = APDUStats()  # of every card session before it

    @property
    def total(self) -> APDUStats:
        """APDUs and bytes over every card session since this port was made."""
        e, s = self._earlier, self.stats
        return APDUStats(e.apdus + s.apdus, e.bytes_out + s.bytes_out, e.bytes_in + s.bytes_in)

    def open(self, card_ap_towns: frozenset[str] = frozenset()) -> CardInfo:
        """Connect; a card carrying the AP of a town in ``card_ap_towns`` signs in by it (one
        SELECT finds out, only when there are such towns); else select the JPKI AP, tell the
        kind and read the tries left (spends none). An iPhone has no PIN EF at the reader."""
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
            town = find_town_ap(client) if card_ap_towns else None
            if town is not None and town in card_ap_towns:
                self._town = TownCard(town, read_user_id(client))
                info = CardInfo("card-ap", client.tries_left(EF_TOWN_PIN), "card-ap", town)
            else:
                info = self._open_jpki(client)
        except BaseException:
            self.close()
            raise
        self._info = info
        return info

    @staticmethod
    def _open_jpki(client: JPKIClient) -> CardInfo:
        client.select_ap()
        kind = client.card_kind()
        if kind == "juki":
            raise CardError("resident card: its town does not take the card-AP method",
                            reason=Reason.CARD_UNSUPPORTED)
        if kind == "smartphone" and not client.has_pin(EF_AUTH_PIN):
            return CardInfo("iphone", 0, "phone")  # its owner confirms on the phone
        return CardInfo(kind=kind, tries_left=client.tries_left())

    def verify_pin(self, pin: bytearray) -> None:
        client = self._require()
        if self._town is not None:
            client.verify(pin, EF_TOWN_PIN)
        else:
            client.verify(pin)

    def sign_message(self, message: bytes) -> bytes:
        """Sign ``message`` as the certificate's key does: RSA over the DigestInfo of SHA-256
        (built here), ECDSA P-384 over SHA-384 (answered r‖s). The certificate is read once.
        A card-AP card answers its AP's MAC; an iPhone signs once its owner confirmed."""
        client = self._require()
        if self._town is not None:
            return internal_authenticate(client, message)
        try:
            if scheme_of(self.read_auth_certificate()) == "ecdsa-p384-sha384":
                return client.sign_ecdsa(sha384(message))
            return client.sign(digest_info_sha256(message))
        except CardError as exc:
            if self._info is None or self._info.method != "phone":
                raise
            if exc.sw == SW_SECURITY_NOT_SATISFIED:
                raise PhoneNotConfirmed("not yet confirmed on the phone") from None
            if exc.sw == SW_CONDITIONS_NOT_SATISFIED:
                raise PhoneDeclined("declined on the phone") from None
            raise

    def town_card(self) -> TownCard | None:
        return self._town

    def read_auth_certificate(self) -> bytes:
        client = self._require()
        if self._cert is not None:
            return self._cert
        try:
            self._cert = client.read_certificate(EF_AUTH_CERT)
        finally:
            self.extended = client.extended
        return self._cert

    def pin_reset_nonce(self, pin: str) -> bytes:
        """The card's nonce for a reset of ``pin`` ("user" or "signing")."""
        return self._require().get_challenge(_pin_ef(pin))

    def reset_pin(self, pin: str, authorisation: bytes, new_pin: bytearray) -> None:
        """The center's authorisation and the new PIN to the card (the APDU wiped after)."""
        self._require().reset_retry_counter(_pin_ef(pin), authorisation, new_pin)

    def helper_tries_left(self) -> int:
        """Select the text-helper AP: its PIN's tries left (spends none)."""
        client = self._require()
        select_helper_ap(client)
        return client.tries_left(EF_HELPER_PIN)

    def read_card_face(self, pin: bytearray) -> CardFace:
        """VERIFY the text-helper AP's PIN (the APDU wiped after), then read the basic four."""
        client = self._require()
        client.verify(pin, EF_HELPER_PIN)
        return read_basic_four(client)

    def read_helper_number(self) -> str:
        """The individual number (the text-helper AP's PIN verified in this card session)."""
        return read_number(self._require())

    def close(self) -> None:
        """Reset and release the card, so that no verified state survives; never raises."""
        conn, self._conn, self._client, self._cert = self._conn, None, None, None
        self._info = self._town = None
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


def _pin_ef(pin: str) -> int:
    ef = PIN_EFS.get(pin)
    if ef is None:
        raise CardError(f"no PIN named {pin[:16]!r}", reason=Reason.CARD_UNSUPPORTED)
    return ef


if TYPE_CHECKING:  # mypy holds JPKICardPort to CardPort: a drift fails here

    def _conforms_j_p_k_i_card_port(port: JPKICardPort) -> CardPort:
        return port
