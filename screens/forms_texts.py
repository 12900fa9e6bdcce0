"""The forms service's words shared by its screens: its title and each form's name."""

from __future__ import annotations

from kiosk.forms.templates import BY_ID
from kiosk.i18n import Translator


def title(tr: Translator) -> str:
    return tr._("Pre-filled forms")


def form_name(tr: Translator, form: str | None) -> str:
    """A form's name on the screen, translated (its id if unknown)."""
    template = BY_ID.get(form or "")
    return tr._(template.name) if template is not None else (form or "")
