"""The PIN reset's sample views for ``kiosk screenshots`` (the typed PIN and password are the
UI's, never the view's: only dots are drawn)."""

from __future__ import annotations

from typing import Any

from kiosk.vocabulary.view import TextField, View

RESET = dict(can_cancel=True, seconds_left=50, service="pin-reset")


def reset_views(v: Any) -> dict[str, View]:
    """Each PIN reset screen, made with the caller's view maker ``v``."""
    password = (TextField("signing_password", "", 16),)
    return {
        "pin_reset_checking": v("pin_reset_checking", busy=True, service="pin-reset"),
        "pin_reset_new_pin": v("pin_reset_new_pin", **RESET),
        "pin_reset_pin_again": v("pin_reset_pin_again", **RESET, can_back=True),
        "pin_reset_signing": v("pin_reset_signing", **RESET, fields=password),
        "pin_reset_signing_again": v("pin_reset_signing_again", **RESET, can_back=True,
                                     fields=password),
        "pin_reset_writing": v("pin_reset_writing", busy=True, service="pin-reset"),
        "pin_reset_done": v("pin_reset_done", seconds_left=100, pins_reset=("user",),
                            service="pin-reset"),
    }
