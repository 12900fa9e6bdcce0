"""The forms service's sample views for ``kiosk screenshots`` (a fictional resident; the typed
PIN is the UI's, never the view's: only dots are drawn)."""

from __future__ import annotations

from typing import Any

from kiosk.forms.templates import FORMS
from kiosk.vocabulary.view import View

FORMS_SERVICE = dict(service="forms")
WAITING = dict(can_cancel=True, seconds_left=50, service="forms")
PREVIEW = (("name", "山田 太郎"), ("address", "東京都渋谷区宇田川町1番1号"),
           ("birth", "1980-04-01"), ("sex", "男"), ("number", "●●●● ●●●● 9018"))


def forms_views(v: Any) -> dict[str, View]:
    """Each forms screen, made with the caller's view maker ``v``."""
    return {
        "forms_opening": v("forms_opening", busy=True, **FORMS_SERVICE),
        "forms_pin": v("forms_pin", tries_left=3, **WAITING),
        "forms_reading": v("forms_reading", busy=True, **FORMS_SERVICE),
        "forms_choose": v("forms_choose", forms=tuple(f.id for f in FORMS), **WAITING),
        "forms_consent": v("forms_consent", form="move-out", can_back=True, **WAITING),
        "forms_number": v("forms_number", busy=True, form="move-out", **FORMS_SERVICE),
        "forms_confirm": v("forms_confirm", form="move-out", form_number=True,
                           form_preview=PREVIEW, can_back=True, **WAITING),
        "forms_printing": v("forms_printing", busy=True, form="move-out", **FORMS_SERVICE),
        "forms_done": v("forms_done", seconds_left=100, form="move-out", **FORMS_SERVICE),
    }
