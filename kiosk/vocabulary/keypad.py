"""The physical keypad's keys by name, as session files press them (``{"key": "down"}``)."""

from __future__ import annotations

DIGIT_KEYS = tuple(str(d) for d in range(10))
MOVE_KEYS = ("up", "down", "left", "right", "tab")
KEYPAD_KEYS = (*MOVE_KEYS, "enter", "back", "cancel", "help", "volume-up", "volume-down",
               *DIGIT_KEYS)
