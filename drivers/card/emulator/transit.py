"""A transit card (FeliCa through a PC/SC reader): a card that is not a JPKI card."""

from __future__ import annotations

from collections.abc import Sequence

from drivers.card.emulator.iso import CardPoweredOff, Response, parse_command, status
from drivers.card.jpki_spec import (
    SW_CLA_NOT_SUPPORTED,
    SW_FILE_NOT_FOUND,
    SW_INS_NOT_SUPPORTED,
    SW_OK,
    SW_WRONG_LENGTH,
)

# The ATR a PC/SC reader makes up for a FeliCa card (PC/SC part 3, storage card, FeliCa 212K).
FELICA_ATR = bytes.fromhex("3B8F8001804F0CA00000030611003B0000000042")


class TransitCard:
    """Answers every SELECT with 6A82; only the reader's GET DATA (UID) works."""

    atr = FELICA_ATR

    def __init__(self, idm: bytes = bytes.fromhex("0101010101010101")) -> None:
        self.idm = bytes(idm)
        self._powered = False
        self.apdus_received = 0

    def __repr__(self) -> str:
        return "TransitCard()"

    def power_on(self) -> bytes:
        self._powered = True
        return self.atr

    def power_off(self) -> None:
        self._powered = False

    def reset(self) -> bytes:
        return self.atr

    def transmit(self, apdu: Sequence[int]) -> Response:
        if not self._powered:
            raise CardPoweredOff("the card has no power")
        self.apdus_received += 1
        cmd = parse_command(apdu)
        if cmd is None:
            return status(SW_WRONG_LENGTH)
        if cmd.cla == 0xFF and cmd.ins == 0xCA and cmd.p1 == 0x00:  # GET DATA: the IDm
            return status(SW_OK, self.idm)
        if cmd.cla not in (0x00, 0xFF):
            return status(SW_CLA_NOT_SUPPORTED)
        if cmd.ins == 0xA4:
            return status(SW_FILE_NOT_FOUND)
        return status(SW_INS_NOT_SUPPORTED)
