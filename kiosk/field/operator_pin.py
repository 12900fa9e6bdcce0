"""Operator mode's secrets and paper: the operator PIN as a scrypt hash, and the test page.

The PIN itself is never stored: `kiosk operator hash-pin` turns it into the line for
`[operator] pin_hash`, and the kiosk compares in constant time. A hash names its own cost,
``scrypt$ln=14,r=8,p=1$salt$hash`` (N = 2**ln); the older ``scrypt$salt$hash`` is the
default cost. `hash-pin` always writes the default (N = 2**14, r = 8: 16 MiB, ~40 ms a check);
a config may carry a cheaper one down to COST_FLOOR (N = 2**10, r = 8, p = 1: 1 MiB, 1/16 of
the default's work), which only test and sample data use. Anything outside the range, or not
of this form, is refused when the config is loaded.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import io
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Cost:
    """scrypt's parameters: N = 2**ln, block size r, parallelism p."""

    ln: int
    r: int
    p: int

    def __str__(self) -> str:
        return f"ln={self.ln},r={self.r},p={self.p}"


DEFAULT_COST = Cost(14, 8, 1)  # what `kiosk operator hash-pin` writes
COST_FLOOR = Cost(10, 8, 1)  # the cheapest accepted (test and sample data)
COST_CEILING = Cost(16, 16, 4)  # the dearest accepted: 128 MiB, 32 times the default's work


@dataclass(frozen=True)
class PinHash:
    """A parsed ``[operator] pin_hash``."""

    cost: Cost
    salt: bytes
    digest: bytes


def parse_hash(stored: str) -> PinHash:
    """The hash's parts; ValueError saying what is wrong."""
    parts = stored.split("$")
    if parts[0] != "scrypt" or len(parts) not in (3, 4):
        raise ValueError("must come from `kiosk operator hash-pin`")
    cost = DEFAULT_COST if len(parts) == 3 else _parse_cost(parts[1])
    try:
        salt, digest = bytes.fromhex(parts[-2]), bytes.fromhex(parts[-1])
    except ValueError:
        raise ValueError("salt and hash must be hex") from None
    if len(salt) < 16 or len(digest) != 32:
        raise ValueError("needs a salt of 16 bytes or more and a hash of 32")
    return PinHash(cost, salt, digest)


def _parse_cost(text: str) -> Cost:
    try:
        fields = dict(item.split("=", 1) for item in text.split(","))
        cost = Cost(int(fields.pop("ln")), int(fields.pop("r")), int(fields.pop("p")))
    except (KeyError, ValueError):
        raise ValueError(f"scrypt cost {text!r} is not ln=..,r=..,p=..") from None
    if fields:
        raise ValueError(f"scrypt cost {text!r} has unknown parts")
    return _in_range(cost)


def _in_range(cost: Cost) -> Cost:
    """``cost`` if each parameter lies between COST_FLOOR's and COST_CEILING's, else
    ValueError."""
    lo, hi = COST_FLOOR, COST_CEILING
    if not (lo.ln <= cost.ln <= hi.ln and lo.r <= cost.r <= hi.r and lo.p <= cost.p <= hi.p):
        raise ValueError(f"scrypt cost {cost} is outside {lo} .. {hi}")
    return cost


def _scrypt(pin: bytes, salt: bytes, cost: Cost) -> bytes:
    n = 2**cost.ln
    return hashlib.scrypt(pin, salt=salt, n=n, r=cost.r, p=cost.p, dklen=32,
                          maxmem=128 * cost.r * (n + cost.p + 2) + 1024)


def hash_pin(pin: str, cost: Cost = DEFAULT_COST) -> str:
    """``scrypt$ln=..,r=..,p=..$salt$hash`` for the config (``cost`` below the default only
    for test and sample data)."""
    salt = secrets.token_bytes(16)
    return f"scrypt${_in_range(cost)}${salt.hex()}${_scrypt(pin.encode(), salt, cost).hex()}"


def check_pin(pin: bytearray, stored: str) -> bool:
    """Whether ``pin`` matches ``stored``; ``pin`` is wiped either way."""
    try:
        parsed = parse_hash(stored)
        candidate = _scrypt(bytes(pin), parsed.salt, parsed.cost)
        return hmac.compare_digest(candidate, parsed.digest)
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
