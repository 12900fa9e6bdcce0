"""The PIN reset's new PIN, its second entry: drawn as the first (``pin_reset_new_pin``)."""

from __future__ import annotations

from screens.pin_reset_new_pin import build as build

__all__ = ["build"]
