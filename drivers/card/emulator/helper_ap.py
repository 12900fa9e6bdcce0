"""The text-helper AP (券面事項入力補助AP) on an emulated card: its PIN (EF 0011, 3 tries,
counted like JPKI's), the individual number (EF 0001) and the basic four (EF 0002), both
readable once the PIN is verified. Layout: drivers/card/helper_ap_spec.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.card.emulator.iso import Command, select_ef_among, verify_counted
from drivers.card.helper_ap_spec import (
    ADDRESS,
    BASIC_TAG,
    BIRTH,
    EF_HELPER_BASIC,
    EF_HELPER_NUMBER,
    EF_HELPER_PIN,
    HEADER,
    HELPER_AID,
    HELPER_PIN_TRIES,
    NAME,
    NUMBER_TAG,
    SEX,
    SEXES,
    tlv,
    valid_number,
)
from drivers.card.jpki_spec import (
    SW_INCOMPATIBLE_FILE,
    SW_NO_CURRENT_EF,
    SW_OFFSET_BEYOND_END,
    SW_OK,
    SW_SECURITY_NOT_SATISFIED,
)

HEADER_BYTES = bytes.fromhex("000000")  # the real header's contents are not public: a stand-in


@dataclass(repr=False)
class HelperAP:
    """The AP's PIN and data; its PIN counter survives resets. Nothing of it is in ``repr``."""

    pin: str = field(repr=False)
    tries_left: int
    number: str = field(repr=False)
    name: str = field(repr=False)
    address: str = field(repr=False)
    birth: str = field(repr=False)  # YYYYMMDD
    sex: str = field(repr=False)  # ISO/IEC 5218 digit
    verified: bool = False
    current: int | None = None

    aid = HELPER_AID

    def __post_init__(self) -> None:
        if not (len(self.pin) == 4 and self.pin.isascii() and self.pin.isdigit()):
            raise ValueError("the text-helper AP's PIN is 4 digits")
        if not 0 <= self.tries_left <= HELPER_PIN_TRIES:
            raise ValueError(f"the text-helper AP's tries_left must be 0..{HELPER_PIN_TRIES}")
        if not valid_number(self.number):
            raise ValueError("an individual number is 12 digits with a valid check digit")
        if not (len(self.birth) == 8 and self.birth.isascii() and self.birth.isdigit()):
            raise ValueError("a birth date is 8 digits, YYYYMMDD")
        if self.sex not in SEXES:
            raise ValueError("sex is an ISO/IEC 5218 digit: 1, 2 or 9")
        if not self.name or not self.address:
            raise ValueError("the basic four need a name and an address")

    def __repr__(self) -> str:
        return f"HelperAP(tries_left={self.tries_left})"

    def clear(self) -> None:
        """A reset or leaving the AP: nothing selected, nothing verified."""
        self.verified = False
        self.current = None

    def _data(self, fid: int) -> bytes:
        if fid == EF_HELPER_NUMBER:
            return tlv(NUMBER_TAG, self.number.encode("ascii"))
        inner = (tlv(HEADER, HEADER_BYTES) + tlv(NAME, self.name.encode("utf-8"))
                 + tlv(ADDRESS, self.address.encode("utf-8"))
                 + tlv(BIRTH, self.birth.encode("ascii")) + tlv(SEX, self.sex.encode("ascii")))
        return tlv(BASIC_TAG, inner)

    def select_ef(self, cmd: Command) -> tuple[int, bytes]:
        sw, fid = select_ef_among(cmd, (EF_HELPER_NUMBER, EF_HELPER_BASIC, EF_HELPER_PIN))
        if fid is not None:
            self.current = fid
        return sw, b""

    def read_binary(self, cmd: Command) -> tuple[int, bytes]:
        if self.current is None:
            return SW_NO_CURRENT_EF, b""
        if self.current == EF_HELPER_PIN:
            return SW_INCOMPATIBLE_FILE, b""
        if not self.verified:
            return SW_SECURITY_NOT_SATISFIED, b""
        data = self._data(self.current)
        if cmd.p1p2 >= len(data):
            return SW_OFFSET_BEYOND_END, b""
        return SW_OK, data[cmd.p1p2 : cmd.p1p2 + (cmd.le or 0x100)]

    def verify(self, cmd: Command) -> tuple[int, bytes]:
        if self.current != EF_HELPER_PIN:
            return SW_NO_CURRENT_EF, b""
        return verify_counted(self, cmd.data, self.pin.encode("ascii"), HELPER_PIN_TRIES), b""
