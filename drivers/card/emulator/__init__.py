"""Emulated cards at the APDU level: one model each, usable in-process (and later via vpcd)."""

from drivers.card.emulator.iso import (
    CardPoweredOff,
    Command,
    EmulatedCard,
    IsoCard,
    parse_command,
)
from drivers.card.emulator.mynumber import CONTACT_ATR, MyNumberCard
from drivers.card.emulator.transit import FELICA_ATR, TransitCard

__all__ = [
    "CONTACT_ATR",
    "FELICA_ATR",
    "CardPoweredOff",
    "Command",
    "EmulatedCard",
    "IsoCard",
    "MyNumberCard",
    "TransitCard",
    "parse_command",
]
