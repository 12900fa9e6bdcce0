"""Pre-filled application forms (書かない窓口) at the kiosk, free of charge.

No sign-in: once the card is read, the kiosk selects the card's text-helper AP
(券面事項入力補助AP) and the resident types its PIN (its tries shown); the card gives the basic
four (name, address, birth date, sex). The resident chooses a form; on a form that takes the
individual number, the number is read from the card only after the resident agrees on screen
(declining prints the form without it). After a last look, the form is drawn (a PDF bound to
this visit by an id it carries, checked before the printer sees it) and printed, to take to the
counter. What was read lives in this flow until the form is printed (or the visit ends): never
logged, journaled (the journal counts printed forms by kind only) or written anywhere else.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime

from kiosk.forms.render import FilledForm
from kiosk.forms.templates import BY_ID, FORMS, SEX_NAMES, FormTemplate
from kiosk.i18n import N_
from kiosk.services import forms_jobs as jobs
from kiosk.services.api import Core, Handler, Port, Service, Transition
from kiosk.session.signin import pin_acceptable, wipe
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.ports import CardFace
from kiosk.vocabulary.reasons import PinWrong, Reason
from kiosk.vocabulary.states import StateInfo
from kiosk.vocabulary.view import View

log = logging.getLogger(__name__)

ID = "forms"
STEP = "forms_pin"  # the journey step of the PIN and reading
CHOOSE = "forms_choose"
DONE = "forms_done"


def masked(number: str) -> str:
    """The individual number as the confirm screen shows it: its last 4 digits only."""
    return "●●●● ●●●● " + number[-4:]


class FormsFlow:
    """One resident's form: what the card gave, the form chosen, the consent, until printed."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.face: CardFace | None = None
        self.form: FormTemplate | None = None
        self.agreed = False  # to the individual number on the form
        self.visit_id = ""
        self.printed = ""  # the form printed in this visit (its id)

    def reset(self) -> None:
        self._drop()
        self.visit_id, self.printed = "", ""

    def _drop(self) -> None:
        """Forget everything read from the card and chosen."""
        self.face, self.form, self.agreed = None, None, False

    def handlers(self) -> Mapping[type[ev.Event], Handler]:
        return {ev.EnterPin: self._on_pin, ev.ChooseForm: self._on_form, ev.Agree: self._on_agree,
                ev.Confirm: self._on_confirm, ev.Back: self._on_back}

    def results(self) -> Mapping[type[JobResult], Handler]:
        return {jobs.HelperOpened: self._opened, jobs.FaceRead: self._read,
                jobs.NumberRead: self._number, jobs.FormRendered: self._rendered,
                jobs.FormPrinted: self._printed}

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        return {jobs.HelperOpened: self._refused, jobs.FaceRead: self._pin_refused,
                jobs.NumberRead: self._refused, jobs.FormRendered: self._refused,
                jobs.FormPrinted: self._print_failed}

    def entered(self, state: str) -> None:
        card = self.core.ports.card
        if state == "forms_opening":
            self.visit_id = secrets.token_hex(4).upper()  # this visit's: printed on the form
            self.core.submit(jobs.HelperOpened, lambda: jobs.open_helper(card),
                             Reason.CARD_UNREADABLE)
        elif state == "forms_number":
            self.core.submit(jobs.NumberRead, lambda: jobs.read_number(card),
                             Reason.CARD_UNREADABLE)
        elif state == "forms_printing":
            assert self.form is not None and self.face is not None
            form, face, visit_id = self.form, self._face_for_print(), self.visit_id
            today = self.core.clock.now().date()
            self.core.submit(jobs.FormRendered, lambda: jobs.render(form, face, today, visit_id),
                             Reason.PRINTER_FAULT)

    def _face_for_print(self) -> CardFace:
        assert self.face is not None and self.form is not None
        if self.form.takes_number and self.agreed:
            return self.face
        return replace(self.face, number=None)

    # --- the card's, the renderer's and the printer's answers -----------------------------------
    def _opened(self, result: jobs.HelperOpened) -> None:
        card = self.core.visit.card
        if card is not None:
            self.core.visit.card = replace(card, tries_left=result.tries_left)
        if result.tries_left == 0:
            self._release()
            self.core.fail(Reason.PIN_LOCKED)
        elif self.core.visit.cancel_requested:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.trigger("opened")

    def _read(self, result: jobs.FaceRead) -> None:
        self.face = result.face
        self.core.visit.message = None
        if self.core.visit.cancel_requested:
            self._drop()
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.trigger("read")

    def _number(self, result: jobs.NumberRead) -> None:
        if self.face is None or self.core.visit.cancel_requested:
            self._drop()
            self.core.cancel(Reason.CANCELLED)
            return
        self.face = replace(self.face, number=result.number)
        self.core.trigger("number_read")

    def _rendered(self, result: jobs.FormRendered) -> None:
        filled = result.filled
        if not self._bound(filled):  # never print a form not made for this visit
            log.error("a form not bound to this visit was refused")
            self._drop()
            self._release()
            self.core.fail(Reason.PRINTER_FAULT)
            return
        printer = self.core.ports.printer
        self.core.submit(jobs.FormPrinted, lambda: jobs.print_form(printer, filled),
                         Reason.PRINTER_FAULT)

    def _bound(self, filled: FilledForm) -> bool:
        return (bool(self.visit_id) and filled.visit_id == self.visit_id
                and self.form is not None and filled.form.id == self.form.id
                and self.core.state == "forms_printing")

    def _printed(self, result: jobs.FormPrinted) -> None:
        self._drop()  # printed: nothing read is kept
        self.printed = result.form
        self.core.ports.journal.form_printed(result.form)
        log.info("form printed: %s (%d pages)", result.form, result.pages)
        self._release()
        self.core.trigger("printed")

    def _pin_refused(self, e: WorkFailed) -> None:
        error = e.error
        card = self.core.visit.card
        if isinstance(error, PinWrong) and error.tries_left > 0 and card is not None:
            self.core.visit.card = replace(card, tries_left=error.tries_left)
            self.core.visit.message = Reason.PIN_WRONG
            if self.core.visit.cancel_requested:
                self.core.cancel(Reason.CANCELLED)
            else:
                self.core.trigger("pin_rejected")
            return
        self._refused(replace(e, reason=Reason.PIN_LOCKED) if isinstance(error, PinWrong) else e)

    def _print_failed(self, e: WorkFailed) -> None:
        self.core.printer_fault(str(e.error) if e.error else "printer not ready")
        self._refused(e)

    def _refused(self, e: WorkFailed) -> None:
        self._drop()
        self._release()
        if self.core.visit.cancel_requested and e.job is not jobs.FormPrinted:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.fail(e.reason)

    def _release(self) -> None:
        try:
            self.core.ports.card.close()
        except Exception as exc:  # the card may be gone already
            log.info("card release: %s", type(exc).__name__)

    # --- what the resident does -----------------------------------------------------------------
    def _on_pin(self, e: ev.EnterPin) -> None:
        if self.core.state != "forms_pin" or not pin_acceptable(e.pin):
            wipe(e.pin)
            return
        pin = bytearray(e.pin)
        wipe(e.pin)
        card = self.core.ports.card
        self.core.trigger("pin_entered")
        self.core.submit(jobs.FaceRead, lambda: jobs.read_face(card, pin), Reason.CARD_UNREADABLE)

    def _on_form(self, e: ev.ChooseForm) -> None:
        form = BY_ID.get(e.form)
        if self.core.state != CHOOSE or form is None:
            return
        self.form, self.agreed = form, False
        if self.face is not None and self.face.number is not None:
            self.face = replace(self.face, number=None)  # a number read for another form goes
        self.core.trigger("consent" if form.takes_number else "chosen")

    def _on_agree(self, e: ev.Agree) -> None:
        if self.core.state != "forms_consent":
            return
        self.agreed = e.accepted
        self.core.trigger("agreed" if e.accepted else "declined")

    def _on_confirm(self, e: ev.Confirm) -> None:
        state = self.core.state
        if state == "forms_confirm" and e.accepted:
            self.core.trigger("print")
        elif state == DONE:
            self.core.trigger("ask_card_back")

    def _on_back(self, e: ev.Back) -> None:
        if self.core.state in ("forms_consent", "forms_confirm"):
            self.form, self.agreed = None, False
            if self.face is not None:
                self.face = replace(self.face, number=None)
            self.core.trigger("back")

    def view(self, view: View, now: datetime) -> View:
        state = view.screen
        preview: tuple[tuple[str, str], ...] = ()
        if state == "forms_confirm" and self.face is not None and self.form is not None:
            face = self._face_for_print()
            preview = (("name", face.name), ("address", face.address),
                       ("birth", f"{face.birth[:4]}-{face.birth[4:6]}-{face.birth[6:]}"),
                       ("sex", SEX_NAMES.get(face.sex, "")))
            if face.number is not None:
                preview += (("number", masked(face.number)),)
        form = self.form.id if self.form is not None else (self.printed or None)
        return replace(view, forms=tuple(f.id for f in FORMS) if state == CHOOSE else (),
                       form=form, form_preview=preview,
                       form_number=bool(self.form and self.form.takes_number and self.agreed))


SERVICE = Service(
    id=ID,
    title=N_("Pre-filled application forms"),
    states=(
        StateInfo("forms_opening", prompt="please-wait", step=STEP, busy=True, service=ID),
        StateInfo("forms_pin", prompt="enter-pin", timeout="pin_entry", step=STEP,
                  cancellable=True, service=ID),
        StateInfo("forms_reading", prompt="please-wait", step=STEP, busy=True, service=ID),
        StateInfo(CHOOSE, prompt="choose", timeout="choose", step=CHOOSE, cancellable=True,
                  service=ID),
        StateInfo("forms_consent", prompt="choose", timeout="choose", step=CHOOSE,
                  cancellable=True, service=ID),
        StateInfo("forms_number", prompt="please-wait", step=CHOOSE, busy=True, service=ID),
        StateInfo("forms_confirm", prompt="choose", timeout="choose", step="forms_confirm",
                  cancellable=True, service=ID),
        StateInfo("forms_printing", prompt="please-wait", step="forms_confirm", busy=True,
                  service=ID),
        StateInfo(DONE, prompt="remove-card", timeout="remove_card_giveup", on_timeout="leave",
                  step=DONE, settled=True, service=ID),
    ),
    transitions=(
        Transition("opened", "forms_opening", "forms_pin"),
        Transition("pin_entered", "forms_pin", "forms_reading"),
        Transition("pin_rejected", "forms_reading", "forms_pin"),
        Transition("read", "forms_reading", CHOOSE),
        Transition("consent", CHOOSE, "forms_consent"),
        Transition("chosen", CHOOSE, "forms_confirm"),
        Transition("agreed", "forms_consent", "forms_number"),
        Transition("number_read", "forms_number", "forms_confirm"),
        Transition("declined", "forms_consent", "forms_confirm"),
        Transition("back", ("forms_consent", "forms_confirm"), CHOOSE),
        Transition("print", "forms_confirm", "forms_printing"),
        Transition("printed", "forms_printing", DONE),
    ),
    journey=("await_card", STEP, CHOOSE, "forms_confirm", DONE),
    entry="forms_opening",
    after_card="forms_opening",
    flow=FormsFlow,
    ports=frozenset({Port.CARD, Port.PRINTER}),
    order=40,
)
