"""A municipality's card AP on an emulated card (the card-AP method, 条例利用方式).

User id (EF 0001, free to read), its own 4-digit PIN (EF 0011, 3 tries, counted like JPKI's)
and an AES-128 key (EF 0012): INTERNAL AUTHENTICATE (``00 88 00 00``) over a 32-byte challenge,
allowed once the PIN is verified, answers AES-CMAC(key, challenge). The layout is the project's
(real ones are each town's own): see drivers/card/town_ap_spec.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from drivers.card.emulator.iso import Command, select_ef_among, verify_counted
from drivers.card.jpki_spec import (
    SW_INCOMPATIBLE_FILE,
    SW_NO_CURRENT_EF,
    SW_OFFSET_BEYOND_END,
    SW_OK,
    SW_SECURITY_NOT_SATISFIED,
    SW_WRONG_DATA,
    SW_WRONG_LENGTH,
    SW_WRONG_P1P2,
)
from drivers.card.town_ap_spec import (
    CHALLENGE_LENGTH,
    EF_TOWN_KEY,
    EF_TOWN_PIN,
    EF_TOWN_USER_ID,
    MAC_LENGTH,
    TOWN_PIN_TRIES,
    USER_ID_LENGTH,
    ap_mac,
    town_aid,
)


@dataclass(repr=False)
class TownAP:
    """One town's AP: its user id, PIN and key; its PIN counter survives resets."""

    municipality: str
    user_id: str
    pin: str
    tries_left: int
    key: bytes = field(repr=False)
    verified: bool = False
    current: int | None = None

    def __post_init__(self) -> None:
        self.aid = town_aid(self.municipality)
        if not (len(self.pin) == 4 and self.pin.isascii() and self.pin.isdigit()):
            raise ValueError("a card AP's PIN is 4 digits")
        if not 0 <= self.tries_left <= TOWN_PIN_TRIES:
            raise ValueError(f"a card AP's tries_left must be 0..{TOWN_PIN_TRIES}")
        if not (1 <= len(self.user_id) <= USER_ID_LENGTH and self.user_id.isascii()
                and self.user_id.isalnum()):
            raise ValueError(f"a user id is 1 to {USER_ID_LENGTH} ASCII letters and digits")
        if len(self.key) != 16:
            raise ValueError("a card AP's key is AES-128 (16 bytes)")

    def __repr__(self) -> str:
        return f"TownAP({self.municipality}, tries_left={self.tries_left})"

    def clear(self) -> None:
        """A reset or leaving the AP: nothing selected, nothing verified."""
        self.verified = False
        self.current = None

    def fci(self) -> bytes:
        """The FCI a SELECT with P2 00 answers: the full AID (tag 84) in a 6F template."""
        inner = bytes([0x84, len(self.aid)]) + self.aid
        return bytes([0x6F, len(inner)]) + inner

    def select_ef(self, cmd: Command) -> tuple[int, bytes]:
        sw, fid = select_ef_among(cmd, (EF_TOWN_USER_ID, EF_TOWN_PIN, EF_TOWN_KEY))
        if fid is not None:
            self.current = fid
        return sw, b""

    def read_binary(self, cmd: Command) -> tuple[int, bytes]:
        if self.current is None:
            return SW_NO_CURRENT_EF, b""
        if self.current != EF_TOWN_USER_ID:
            return SW_INCOMPATIBLE_FILE, b""
        data = self.user_id.encode("ascii").ljust(USER_ID_LENGTH, b" ")
        if cmd.p1p2 >= len(data):
            return SW_OFFSET_BEYOND_END, b""
        return SW_OK, data[cmd.p1p2 : cmd.p1p2 + (cmd.le or 0)]

    def verify(self, cmd: Command) -> tuple[int, bytes]:
        if self.current != EF_TOWN_PIN:
            return SW_NO_CURRENT_EF, b""
        return verify_counted(self, cmd.data, self.pin.encode("ascii"), TOWN_PIN_TRIES), b""

    def internal_authenticate(self, cmd: Command) -> tuple[int, bytes]:
        if (cmd.p1, cmd.p2) != (0x00, 0x00):
            return SW_WRONG_P1P2, b""
        if self.current != EF_TOWN_KEY:
            return SW_NO_CURRENT_EF, b""
        if len(cmd.data) != CHALLENGE_LENGTH:
            return SW_WRONG_DATA, b""
        if cmd.le is not None and cmd.le < MAC_LENGTH:
            return SW_WRONG_LENGTH, b""
        if not self.verified:
            return SW_SECURITY_NOT_SATISFIED, b""
        return SW_OK, ap_mac(self.key, cmd.data)
