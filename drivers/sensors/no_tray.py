"""No tray sensor: nothing reports what lies in the output tray (the resident says it)."""

from __future__ import annotations


class NoTraySensor:
    """Where printed paper and change land when no sensor watches the tray."""

    def add_paper(self, sheets: int) -> None:
        """Unseen."""

    def add_change(self, yen: int) -> None:
        """Unseen."""
