"""A transit card (FeliCa through a PC/SC reader): a card that is not a JPKI card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from drivers.card.emulator.iso import Command, Handler, IsoCard
from drivers.card.jpki_spec import SW_FILE_NOT_FOUND, SW_INS_NOT_SUPPORTED, SW_OK

if TYPE_CHECKING:
    from drivers.card.emulator.iso import EmulatedCard

# The ATR a PC/SC reader makes up for a FeliCa card (PC/SC part 3, storage card, FeliCa 212K).
FELICA_ATR = bytes.fromhex("3B8F8001804F0CA00000030611003B0000000042")


class TransitCard(IsoCard):
    """Answers every SELECT with 6A82; only the reader's GET DATA (UID) works."""

    atr = FELICA_ATR
    CLASSES = frozenset((0x00, 0xFF))  # 00: ISO; FF: the PC/SC reader's own commands

    def __init__(self, idm: bytes = bytes.fromhex("0101010101010101")) -> None:
        super().__init__()
        self.idm = bytes(idm)

    def __repr__(self) -> str:
        return "TransitCard()"

    def _handlers(self) -> dict[tuple[int, int], Handler]:
        return {
            (0x00, 0xA4): self._select,
            (0xFF, 0xA4): self._select,
            (0xFF, 0xCA): self._get_data,
        }

    def _select(self, cmd: Command) -> tuple[int, bytes]:
        return SW_FILE_NOT_FOUND, b""  # no ISO file system: FeliCa has its own

    def _get_data(self, cmd: Command) -> tuple[int, bytes]:
        if cmd.p1 != 0x00:  # P1 00 asks for the UID (the IDm); nothing else is answered
            return SW_INS_NOT_SUPPORTED, b""
        return SW_OK, self.idm


if TYPE_CHECKING:  # mypy holds TransitCard to EmulatedCard: a drift fails here

    def _conforms_transit_card(card: TransitCard) -> EmulatedCard:
        return card
