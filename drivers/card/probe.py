"""What a card on the reader is, read without a PIN (for ``kiosk doctor`` and maintenance):
its kind, how it signs in, and the algorithm of its user-authentication key.

Nothing is verified and no try is spent: the retry counter is read with an empty VERIFY, the
certificate is free to read, and the town AP is found by one SELECT.
"""

from __future__ import annotations

from drivers.card.jpki import JPKIClient, Transmitter
from drivers.card.jpki_algo import scheme_of
from drivers.card.jpki_spec import EF_AUTH_CERT
from drivers.card.town_ap import find_town_ap
from kiosk.vocabulary.reasons import CardError, FaceAuthCard

KIND_NAMES = {"mynumber": "My Number card", "smartphone": "Android smartphone",
              "juki": "resident card (住基カード)"}
ALGORITHMS = {"rsa-sha256": "RSA, SHA-256", "ecdsa-p384-sha384": "ECDSA P-384, SHA-384"}


def describe_card(conn: Transmitter) -> str:
    """One line: "My Number card, RSA, SHA-256, 3 tries left; town AP of 162108" and the
    like; a card that answers nothing of this says why (a typed CardError's text)."""
    client = JPKIClient(conn)
    parts: list[str] = []
    try:
        town = find_town_ap(client)
    except CardError:
        town = None
    try:
        client.select_ap()
    except CardError as exc:
        return f"town AP of {town}, no JPKI AP" if town else f"not a JPKI card ({exc.reason})"
    kind = client.card_kind()
    if kind == "smartphone" and not client.has_pin():
        parts.append("iPhone (its owner confirms on the phone, no PIN here)")
    else:
        try:
            tries = client.tries_left()
            parts.append(f"{KIND_NAMES[kind]}, {tries} tr{'y' if tries == 1 else 'ies'} left")
        except FaceAuthCard:
            parts.append("face-authentication card (no PIN: not for kiosks)")
    parts.append(ALGORITHMS[scheme_of(client.read_certificate(EF_AUTH_CERT))])
    if town:
        parts.append(f"town AP of {town}")
    return ", ".join(parts)
