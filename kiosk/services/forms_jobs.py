"""The forms service's jobs: what runs in the worker (the card, the renderer, the printer) and
the results it hands back. None of the results shows what it carries in ``repr``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from kiosk.forms.render import FilledForm, render_form
from kiosk.forms.templates import FormTemplate
from kiosk.session.signin import wipe
from kiosk.vocabulary.events import JobResult
from kiosk.vocabulary.ports import CardFace, CardPort, PrinterPort


@dataclass(frozen=True)
class HelperOpened(JobResult):
    """The text-helper AP is selected: its PIN's tries left."""

    tries_left: int


@dataclass(frozen=True, repr=False)
class FaceRead(JobResult):
    """The PIN was right: the basic four."""

    face: CardFace = field(repr=False)


@dataclass(frozen=True, repr=False)
class NumberRead(JobResult):
    """The individual number (read only after the resident agreed)."""

    number: str = field(repr=False)


@dataclass(frozen=True, repr=False)
class FormRendered(JobResult):
    """The form filled in, bound to the visit."""

    filled: FilledForm = field(repr=False)


@dataclass(frozen=True)
class FormPrinted(JobResult):
    """The form came out of the printer."""

    form: str
    pages: int


def open_helper(card: CardPort) -> HelperOpened:
    return HelperOpened(card.helper_tries_left())


def read_face(card: CardPort, pin: bytearray) -> FaceRead:
    """VERIFY the AP's PIN and read the basic four; the PIN wiped whatever happens."""
    try:
        return FaceRead(card.read_card_face(pin))
    finally:
        wipe(pin)


def read_number(card: CardPort) -> NumberRead:
    return NumberRead(card.read_helper_number())


def render(form: FormTemplate, face: CardFace, today: date, visit_id: str) -> FormRendered:
    return FormRendered(render_form(form, face, today, visit_id))


def print_form(printer: PrinterPort, filled: FilledForm) -> FormPrinted:
    result = printer.print_document(f"form-{filled.visit_id}-{filled.form.id}", filled.pdf)
    return FormPrinted(filled.form.id, result.pages)
