"""The 本籍地 registration (本籍地の証明書交付の利用登録申請).

A resident whose family register is kept by another municipality applies once, at a kiosk, to get
that municipality's family-register certificates at kiosks; the 本籍地 answers days later. After
sign-in the center says which towns take applications (or why this resident need not, or cannot,
apply); the resident picks the 本籍地, types the register's address (after the prefecture and
city, which the list gave) and the head of the register on the kana keyboard, checks and sends
it. What was typed lives in this flow until the visit ends: never logged, journaled or kept.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.center.protocol import Registration, RegistrationChoices, RegistrationTown
from kiosk.i18n import N_
from kiosk.services.api import Core, Handler, Port, Service, Transition
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.keyboard import NotOnKeyboard, keystrokes
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.states import SIGN_IN_JOURNEY, StateInfo
from kiosk.vocabulary.view import Choice, TextField, View

log = logging.getLogger(__name__)

ID = "honseki-registration"
# The fields of the form and the most characters each takes (the center's limits).
FIELDS = {"honseki": 80, "hittousha": 40}


@dataclass(frozen=True)
class TownsListed(JobResult):
    """The towns this resident may apply to."""

    choices: RegistrationChoices


@dataclass(frozen=True)
class Applied(JobResult):
    """The center recorded the application as pending."""

    registration: Registration


def typed_ok(fields: dict[str, str]) -> dict[str, str] | None:
    """The form's fields when each is filled, within its limit and typable; else None."""
    if set(fields) != set(FIELDS):
        return None
    out = {}
    for key, limit in FIELDS.items():
        value = fields[key]
        if not isinstance(value, str) or not value.strip() or len(value) > limit:
            return None
        try:
            keystrokes(value)
        except NotOnKeyboard:
            return None
        out[key] = value
    return out


class RegistrationFlow:
    """One resident's application: the town, the typed form, the center's answer."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.reset()

    def reset(self) -> None:
        self.towns: list[RegistrationTown] = []
        self.town: RegistrationTown | None = None
        self.typed: dict[str, str] = {}
        self.registration: Registration | None = None

    def handlers(self) -> Mapping[type[ev.Event], Handler]:
        return {ev.ChooseMunicipality: self._on_town, ev.SetText: self._on_text,
                   ev.Confirm: self._on_confirm}

    def results(self) -> Mapping[type[JobResult], Handler]:
        return {TownsListed: self._listed, Applied: self._applied}

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        return {TownsListed: self._refused, Applied: self._refused}

    def entered(self, state: str) -> None:
        if state == "registration_checking":
            center, token = self.core.ports.center, self.core.visit.token
            self.core.submit(TownsListed, lambda: TownsListed(center.registration_towns(token)),
                                Reason.CENTER_UNAVAILABLE)

    def _listed(self, result: TownsListed) -> None:
        self.towns = list(result.choices.towns)
        if self.core.visit.cancel_requested:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.trigger("towns_listed")

    def _refused(self, e: WorkFailed) -> None:
        if self.core.visit.cancel_requested and e.job is TownsListed:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.fail(e.reason)

    def _on_town(self, e: ev.ChooseMunicipality) -> None:
        town = next((t for t in self.towns if t.code == e.code), None)
        if self.core.state == "registration_municipality" and town is not None:
            if self.town is None or self.town.code != town.code:
                self.typed = {}  # another town: another register
            self.town = town
            self.core.trigger("municipality")

    def _on_text(self, e: ev.SetText) -> None:
        if self.core.state != "registration_form":
            return
        typed = typed_ok(e.fields)
        if typed is None:
            log.info("registration form not complete")
            return
        self.typed = typed
        self.core.trigger("typed")

    def _on_confirm(self, e: ev.Confirm) -> None:
        if self.core.state == "registration_done":
            self.core.trigger("finish")  # read it: done
            return
        if self.core.state != "registration_confirm" or not e.accepted or self.town is None:
            return
        center, token, town = self.core.ports.center, self.core.visit.token, self.town.code
        honseki, hittousha = self.typed["honseki"], self.typed["hittousha"]
        self.core.trigger("confirmed")
        self.core.submit(Applied, lambda: Applied(center.register(token, town, honseki,
                                                                     hittousha)),
                            Reason.CENTER_UNAVAILABLE)

    def _applied(self, result: Applied) -> None:
        self.registration = result.registration
        self.typed = {}  # sent: nothing typed is kept a moment longer
        self.core.ports.journal.registration_accepted(result.registration.registration_id,
                                                         result.registration.municipality)
        log.info("registration %s pending", result.registration.registration_id)
        self.core.trigger("registered")

    def view(self, view: View, now: datetime) -> View:
        town = self.town
        return replace(
            view,
            municipalities=tuple(Choice(t.code, dict(t.names), note="register",
                                           region=dict(t.prefecture)) for t in self.towns),
            municipality=Choice(town.code, dict(town.names), region=dict(town.prefecture))
            if town else None,
            fields=tuple(TextField(k, self.typed.get(k, ""), limit) for k, limit in
                         FIELDS.items()) if view.screen in ("registration_form",
                                                               "registration_confirm") else (),
            usable_from=self.registration.usable_from if self.registration else None,
        )


SERVICE = Service(
    id=ID,
    title=N_("Register your family register's town"),
    states=(
        StateInfo("registration_checking", prompt="please-wait",
                  step="registration_municipality", busy=True, service=ID),
        StateInfo("registration_municipality", prompt="choose", timeout="choose",
                  step="registration_municipality", cancellable=True, service=ID),
        StateInfo("registration_form", prompt="choose", timeout="typing",
                  step="registration_form", cancellable=True, service=ID),
        StateInfo("registration_confirm", prompt="confirm", timeout="confirm",
                  step="registration_confirm", cancellable=True, service=ID),
        StateInfo("registering", prompt="please-wait", step="registration_confirm", busy=True,
                  service=ID),
        StateInfo("registration_done", prompt="thanks", timeout="done", on_timeout="finish",
                  step="registration_done", settled=True, service=ID),
    ),
    transitions=(
        Transition("towns_listed", "registration_checking", "registration_municipality"),
        Transition("municipality", "registration_municipality", "registration_form"),
        Transition("typed", "registration_form", "registration_confirm"),
        Transition("confirmed", "registration_confirm", "registering"),
        Transition("registered", "registering", "registration_done"),
        Transition("back", "registration_form", "registration_municipality"),
        Transition("back", "registration_confirm", "registration_form"),
    ),
    journey=(*SIGN_IN_JOURNEY, "registration_municipality", "registration_form",
             "registration_confirm", "registration_done"),
    entry="registration_checking",
    flow=RegistrationFlow,
    ports=frozenset({Port.CARD, Port.CENTER}),
    order=20,
)
