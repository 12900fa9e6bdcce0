"""Where the resident finds each device on the copier's front: the kiosk model's layout.

A place is ``ROW-COLUMN`` on the front as the resident sees it: rows top, middle, bottom;
columns left, center, right (``"top-right"``). ``[layout]`` in the configuration sets them; the
defaults are the sample copier's (touch screen top centre, card reader beside it on the right,
the cash unit's coin and note slots below that, the change cup at the bottom right, the output
tray under the scanner in the middle).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

ROWS = ("top", "middle", "bottom")
COLUMNS = ("left", "center", "right")
PLACES = tuple(f"{row}-{column}" for row in ROWS for column in COLUMNS)
# The devices a screen may point at (the touch screen itself is drawn for orientation)
DEVICES = ("card_reader", "coin_slot", "note_slot", "tray", "change_tray")


@dataclass(frozen=True)
class DeviceLayout:
    """Each device's place on the front of this kiosk model."""

    screen: str = "top-center"
    card_reader: str = "top-right"
    coin_slot: str = "middle-right"
    note_slot: str = "middle-right"
    tray: str = "middle-center"
    change_tray: str = "bottom-right"

    def wrong(self) -> list[str]:
        """The keys whose value is not a place, in declaration order."""
        return [f.name for f in fields(self) if getattr(self, f.name) not in PLACES]

    def cell(self, device: str) -> tuple[int, int]:
        """(row, column) of ``device`` (or ``"screen"``), each 0..2."""
        row, _, column = str(getattr(self, device)).partition("-")
        return ROWS.index(row), COLUMNS.index(column)

    def sharing(self, device: str) -> tuple[str, ...]:
        """The devices in ``device``'s place (itself included), in the order of DEVICES."""
        here = getattr(self, device)
        return tuple(d for d in ("screen", *DEVICES) if getattr(self, d) == here)


SAMPLE_COPIER = DeviceLayout()
