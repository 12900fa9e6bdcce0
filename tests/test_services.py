"""The service core: the kana keyboard, the registry of services, a new service plugged in as a
module of its own, typed job results, and the registration flow's hold on what was typed."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

import pytest
from test_session import act, sign_in

from kiosk.app import Kiosk
from kiosk.services.api import Core, Service, Transition
from kiosk.services.honseki import RegistrationFlow, typed_ok
from kiosk.services.registry import (
    ServiceError,
    check_services,
    installed_services,
    state_table,
)
from kiosk.session.machine import Session
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.keyboard import (
    KANA_KEYS,
    NotOnKeyboard,
    keystrokes,
    type_key,
    type_keys,
)
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.states import SIGN_IN_JOURNEY, StateInfo
from kiosk.vocabulary.view import View

# --- the kana keyboard ------------------------------------------------------------------------
ALL_KANA = ("あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよ"
            "らりるれろわをんがぎぐげござじずぜぞだぢづでどばびぶべぼぱぴぷぺぽぁぃぅぇぉっゃゅょゎゔ")


@pytest.mark.parametrize("text", [
    ALL_KANA, ALL_KANA.translate({ord(c): ord(c) + 0x60 for c in ALL_KANA}),
    "うだがわちょう1番1号", "3丁目2番地の1", "かとう だいすけ", "アーサー", "1-2-3",
])
def test_every_text_the_keyboard_makes_is_typed_back_by_its_keystrokes(text: str) -> None:
    assert type_keys(keystrokes(text)) == text


@pytest.mark.parametrize("text", ["宇田川町", "１番", "ｱ", "a", "😀", "〒", "\n"])
def test_a_character_the_keyboard_lacks_is_named(text: str) -> None:
    with pytest.raises(NotOnKeyboard, match="not on the on-screen keyboard"):
        keystrokes(text)


def test_a_mark_with_nothing_to_mark_changes_nothing() -> None:
    assert type_key("", "゛") == "" and type_key("あ", "゛") == "あ"  # あ has no voiced form
    assert type_key("は", "゜") == "ぱ" and type_key("つ", "小") == "っ"
    assert type_key("っ", "小") == "つ"  # 小 again: back to the full size
    with pytest.raises(NotOnKeyboard):
        type_key("", "漢")
    assert len(KANA_KEYS) == 46


# --- the registry -----------------------------------------------------------------------------
def test_the_built_in_services_register_through_their_entry_points() -> None:
    services = installed_services()
    assert [s.id for s in services] == ["certificates", "honseki-registration", "pin-reset",
                                        "forms"]
    # + phone_confirm, + the PIN reset's 7, + the forms' 9, + the counter's ticket
    assert len(state_table(services)) == 28 + 1 + 7 + 9 + 1


def _poll_flow(core: Core) -> Any:
    return PollFlow(core)


def _with(**changes: Any) -> Service:
    return replace(POLL, **changes)


def test_a_broken_service_is_refused_with_its_name() -> None:
    with pytest.raises(ServiceError, match="declared twice"):
        check_services((*installed_services(), _with(states=(
            StateInfo("confirm", service="poll"),))))
    with pytest.raises(ServiceError, match="unknown states nowhere"):
        check_services((*installed_services(), _with(entry="nowhere")))
    with pytest.raises(ServiceError, match="the core's"):
        check_services((*installed_services(), _with(states=(StateInfo("poll_question"),))))
    with pytest.raises(ServiceError, match="share an id"):
        check_services((*installed_services(), _with(id="certificates")))


# --- a new service is a new module ---------------------------------------------------------------
class PollFlow:
    """A one-question service: after sign-in, "confirm" answers and the visit ends."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.answers = 0

    def handlers(self) -> Mapping[type[ev.Event], Callable[[Any], None]]:
        return {ev.Confirm: self._answer}

    def results(self) -> Mapping[type[JobResult], Callable[[Any], None]]:
        return {}

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        return {}

    def reset(self) -> None:
        """Nothing to forget."""

    def entered(self, state: str) -> None:
        """Nothing starts by itself."""

    def view(self, view: View, now: datetime) -> View:
        return view

    def _answer(self, e: ev.Confirm) -> None:
        if self.core.state == "poll_question":
            self.answers += 1
            self.core.trigger("answered")


POLL = Service(id="poll", title="Answer a question",
               states=(StateInfo("poll_question", timeout="choose", step="poll_question",
                                 cancellable=True, service="poll"),),
               transitions=(Transition("answered", "poll_question", "thanks"),),
               journey=(*SIGN_IN_JOURNEY, "poll_question"), entry="poll_question",
               flow=_poll_flow)


def test_a_new_service_plugs_into_the_core_without_touching_it(kiosk: Kiosk) -> None:
    s = kiosk.session
    kiosk.session = Session(s.config, s.ports, s.jobs, s.clock, s.kiosk_id, post=kiosk.post,
                            services=(*installed_services(), POLL))
    act(kiosk, ev.Start("poll"), ev.Agree())
    kiosk.place_card("r001")
    kiosk.pump()
    act(kiosk, ev.EnterPin(bytearray(b"1234")))
    kiosk.remove_card()
    kiosk.pump()
    assert kiosk.session.state == "poll_question"
    assert (kiosk.session.view().step, kiosk.session.view().steps) == (3, 3)
    act(kiosk, ev.Confirm())
    assert kiosk.session.state == "thanks"
    flow = kiosk.session.flows["poll"]
    assert isinstance(flow, PollFlow) and flow.answers == 1


def test_an_unknown_service_or_operator_action_is_ignored(kiosk: Kiosk) -> None:
    act(kiosk, ev.Start("no-such-service"))
    assert kiosk.session.state == "idle"
    act(kiosk, ev.OperatorAction("format_disk"))  # type: ignore[arg-type]
    assert kiosk.session.state == "idle"


def test_job_results_are_dispatched_by_their_type(kiosk: Kiosk) -> None:
    class Stray(JobResult):
        """A result no one asked for."""

    with pytest.raises(KeyError):
        kiosk.session.handle(ev.WorkDone(Stray()))
    kiosk.session.handle(ev.WorkFailed(Stray, Reason.CANCELLED))  # logged, nothing else
    assert kiosk.session.state == "idle"


# --- the registration flow holds what was typed only as long as the visit ---------------------
@pytest.mark.parametrize("fields", [
    {"honseki": "うだがわちょう"}, {"honseki": "", "hittousha": "かとう"},
    {"honseki": "宇田川町", "hittousha": "かとう"}, {"honseki": "あ" * 81, "hittousha": "かとう"},
    {"honseki": "あ", "hittousha": "か", "extra": "x"},
])
def test_an_incomplete_or_untypable_form_is_not_taken(fields: dict[str, str]) -> None:
    assert typed_ok(fields) is None


def test_what_was_typed_is_forgotten_when_the_visit_ends(kiosk: Kiosk) -> None:
    sign_in(kiosk)  # a certificate visit: the registration flow holds nothing
    flow = kiosk.session.flows["honseki-registration"]
    assert isinstance(flow, RegistrationFlow) and flow.typed == {}
    flow.typed = {"honseki": "うだがわちょう", "hittousha": "かとう"}
    act(kiosk, ev.Cancel())
    assert kiosk.session.state == "idle" and flow.typed == {} and flow.town is None
