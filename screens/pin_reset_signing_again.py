"""The new signing password, its second entry: drawn as the first (``pin_reset_signing``)."""

from __future__ import annotations

from screens.pin_reset_signing import build as build

__all__ = ["build"]
