"""The text-helper AP (券面事項入力補助AP) over a JPKI client's connection: select it, its PIN's
tries and VERIFY (the client's, on EF 0011: the APDU wiped after sending), and its two EFs read
and parsed strictly. Anything unexpected is one ``CardError``; no value read is ever put in an
error or a log line. Layout: drivers/card/helper_ap_spec.py."""

from __future__ import annotations

from drivers.card.helper_ap_spec import (
    ADDRESS,
    BASIC_TAG,
    BIRTH,
    EF_HELPER_BASIC,
    EF_HELPER_NUMBER,
    HELPER_AID,
    MAX_BASIC,
    NAME,
    NUMBER_DIGITS,
    NUMBER_TAG,
    SEX,
    SEXES,
    split_tlvs,
    tlv_length,
    valid_number,
)
from drivers.card.jpki import CHUNK, CardError, JPKIClient, status_error
from drivers.card.jpki_spec import SW_OK
from kiosk.vocabulary.ports import CardFace
from kiosk.vocabulary.reasons import Reason

_HEAD = 8  # the template's tag and longest length field fit in this


def select_helper_ap(client: JPKIClient) -> None:
    """SELECT the text-helper AP by its AID; a card without it is card-unsupported."""
    _, sw = client.exchange([0x00, 0xA4, 0x04, 0x0C, len(HELPER_AID), *HELPER_AID])
    if sw == SW_OK:
        return
    if sw >> 8 in (0x69, 0x6A, 0x6D, 0x6E):
        raise CardError(f"no text-helper AP: status {sw:04X}", reason=Reason.CARD_UNSUPPORTED)
    raise status_error(sw, "select text-helper AP")


def _read_template(client: JPKIClient, fid: int, tag: bytes, limit: int) -> bytes:
    """The value of the EF's one template (``tag``), read in as few short reads as it takes."""
    client.select_ef(fid)
    head = client.read_binary(0, _HEAD)
    if head[:2] != tag:
        raise CardError(f"EF {fid:04X} does not hold its template", reason=Reason.CARD_UNSUPPORTED)
    try:
        length, start = tlv_length(head, 2)
    except ValueError as exc:
        raise CardError(f"EF {fid:04X}: {exc}", reason=Reason.CARD_UNSUPPORTED) from None
    total = start + length
    if not 0 < length <= limit:
        raise CardError(f"EF {fid:04X}: an implausible length {length}",
                        reason=Reason.CARD_UNSUPPORTED)
    data = bytearray(head[:total])
    budget = 2 * (total // CHUNK + 1) + 2
    while len(data) < total:
        budget -= 1
        if budget < 0:
            raise CardError(f"EF {fid:04X}: the read made too little progress")
        data += client.read_binary(len(data), min(CHUNK, total - len(data)))
    return bytes(data[start:total])


def read_number(client: JPKIClient) -> str:
    """The individual number of EF 0001 (after the PIN), its check digit checked."""
    value = _read_template(client, EF_HELPER_NUMBER, NUMBER_TAG, NUMBER_DIGITS)
    try:
        number = value.decode("ascii")
    except UnicodeDecodeError:
        raise CardError("the individual number is not ASCII",
                        reason=Reason.CARD_UNSUPPORTED) from None
    if not valid_number(number):
        raise CardError("the individual number is not 12 digits with its check digit",
                        reason=Reason.CARD_UNSUPPORTED)
    return number


def read_basic_four(client: JPKIClient) -> CardFace:
    """Name, address, birth date and sex of EF 0002 (after the PIN)."""
    value = _read_template(client, EF_HELPER_BASIC, BASIC_TAG, MAX_BASIC)
    try:
        parts = split_tlvs(value)
        name = parts[NAME].decode("utf-8")
        address = parts[ADDRESS].decode("utf-8")
        birth = parts[BIRTH].decode("ascii")
        sex = parts[SEX].decode("ascii")
    except KeyError as exc:
        raise CardError(f"the basic four lack tag {exc.args[0].hex()}",
                        reason=Reason.CARD_UNSUPPORTED) from None
    except (ValueError, UnicodeDecodeError) as exc:  # (UnicodeDecodeError is a ValueError)
        raise CardError(f"the basic four are malformed: {type(exc).__name__}",
                        reason=Reason.CARD_UNSUPPORTED) from None
    if (not name.strip() or not address.strip() or len(birth) != 8 or not birth.isdigit()
            or not birth.isascii() or sex not in SEXES):
        raise CardError("the basic four are not as the AP writes them",
                        reason=Reason.CARD_UNSUPPORTED)
    return CardFace(name=name, address=address, birth=birth, sex=sex)
