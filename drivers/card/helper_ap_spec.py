"""The card's text-helper AP (券面事項入力補助AP) as seen from outside, after the public layout
(documented by jpki/myna's ``libmyna/text_ap.go``; our own code).

AID ``D3 92 10 00 31 00 01 01 04 08``. EF 0011: its own 4-digit PIN (3 tries; VERIFY
``00 20 00 80``). EF 0001: the individual number, ``FF 10 0C`` + 12 ASCII digits. EF 0002: the
basic four (基本4情報), ``FF 20 <len>`` holding ``DF 21`` header, ``DF 22`` name (UTF-8),
``DF 23`` address (UTF-8), ``DF 24`` birth date (8 ASCII digits, YYYYMMDD), ``DF 25`` sex (one
ASCII digit, ISO/IEC 5218: 1 male, 2 female, 9 not applicable). Both EFs need the PIN.
"""

from __future__ import annotations

from kiosk.vocabulary.my_number import NUMBER_DIGITS, valid_number

__all__ = ["NUMBER_DIGITS", "valid_number"]  # what EF 0001 holds, and its check

HELPER_AID = bytes.fromhex("D3921000310001010408")
EF_HELPER_NUMBER = 0x0001
EF_HELPER_BASIC = 0x0002
EF_HELPER_PIN = 0x0011
HELPER_PIN_TRIES = 3
NUMBER_TAG = b"\xff\x10"  # the individual number's template
BASIC_TAG = b"\xff\x20"  # the basic four's template
HEADER, NAME, ADDRESS, BIRTH, SEX = (b"\xdf\x21", b"\xdf\x22", b"\xdf\x23", b"\xdf\x24",
                                     b"\xdf\x25")
MAX_BASIC = 0x300  # the basic-four EF is far shorter; refuse an absurd length
SEXES = ("1", "2", "9")


def tlv(tag: bytes, value: bytes) -> bytes:
    """One BER-TLV with its definite length (short form, or 81/82)."""
    n = len(value)
    if n < 0x80:
        length = bytes([n])
    elif n <= 0xFF:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    return tag + length + value


def tlv_length(data: bytes, at: int) -> tuple[int, int]:
    """(length, offset of the value) of the length field at ``at``; ValueError if malformed."""
    if at >= len(data):
        raise ValueError("cut short before its length")
    first = data[at]
    if first < 0x80:
        return first, at + 1
    count = first & 0x7F
    if count not in (1, 2) or at + 1 + count > len(data):
        raise ValueError("a length form the AP does not use")
    return int.from_bytes(data[at + 1 : at + 1 + count], "big"), at + 1 + count


def split_tlvs(data: bytes) -> dict[bytes, bytes]:
    """The two-byte-tag TLVs that fill ``data`` exactly, by tag; ValueError if malformed."""
    out: dict[bytes, bytes] = {}
    at = 0
    while at < len(data):
        tag = data[at : at + 2]
        if len(tag) != 2:
            raise ValueError("a tag cut short")
        length, start = tlv_length(data, at + 2)
        if start + length > len(data):
            raise ValueError("a value runs past its template")
        if tag in out:
            raise ValueError(f"tag {tag.hex()} twice")
        out[tag] = data[start : start + length]
        at = start + length
    return out
