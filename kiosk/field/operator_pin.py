"""Operator mode's secrets and paper: the operator PIN as a scrypt hash, and the test page.

The PIN itself is never stored: `kiosk operator hash-pin` turns it into the line for
`[operator] pin_hash`, and the kiosk compares in constant time.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import io
import secrets
import sys
from datetime import datetime

N, R, P = 2**14, 8, 1


def hash_pin(pin: str) -> str:
    """``scrypt$salt$hash`` for the config."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=N, r=R, p=P, dklen=32)
    return f"scrypt${salt.hex()}${digest.hex()}"


def check_pin(pin: bytearray, stored: str) -> bool:
    """Whether ``pin`` matches ``stored``; ``pin`` is wiped either way."""
    try:
        kind, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        candidate = hashlib.scrypt(bytes(pin), salt=bytes.fromhex(salt), n=N, r=R, p=P,
                                   dklen=32)
        return hmac.compare_digest(candidate, bytes.fromhex(digest))
    except ValueError:
        return False
    finally:
        for i in range(len(pin)):
            pin[i] = 0


def test_page(kiosk_id: str, when: datetime) -> bytes:
    """A one-page PDF for the operator's test print (no personal data)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from kiosk.pdffont import register_font

    font = register_font()
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4)
    page.setFont(font, 20)
    page.drawString(72, 760, "テスト印刷 / Test page")
    page.setFont(font, 12)
    page.drawString(72, 730, f"{kiosk_id}   {when:%Y-%m-%d %H:%M}")
    for i in range(10):
        page.rect(72 + i * 45, 600, 40, 40, fill=i % 2, stroke=1)
    page.showPage()
    page.save()
    return buf.getvalue()


def main_hash_pin(argv: list[str]) -> int:
    """``kiosk operator hash-pin``: read the PIN (not echoed) and print the config line."""
    pin = getpass.getpass("operator PIN: ") if sys.stdin.isatty() else sys.stdin.readline()
    pin = pin.strip()
    if not (pin.isdigit() and len(pin) == 4):
        print("the operator PIN is 4 digits (typed on the service keypad)", file=sys.stderr)
        return 2
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0
