"""``kiosk screenshots``: the sample list (every screen, the variants the issue asks for, drawn
only where this UI can draw them) and step numbers from the one place the live kiosk takes
them (the state table and the service's journey)."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")

from dataclasses import fields  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from conftest import make_kiosk  # noqa: E402

from kiosk.replay import screenshots  # noqa: E402
from kiosk.replay.screenshots import (  # noqa: E402
    CANCEL_ASKED,
    FOCUS,
    Sample,
    base_views,
    drawable,
    journey_step,
    samples,
    ui_state,
)
from kiosk.services.registry import all_states  # noqa: E402
from kiosk.vocabulary import events as ev  # noqa: E402
from kiosk.vocabulary.view import Choice, View  # noqa: E402
from screens.layout import UiState  # noqa: E402

UI_FIELDS = {f.name for f in fields(UiState)}


def test_every_state_has_one_sample_and_names_are_unique() -> None:
    names = [s.name for s in samples("ja")]
    assert len(names) == len(set(names))
    assert set(all_states()) <= set(names)
    assert [s.name for s in samples("ja", variants=False)] == list(base_views("ja"))


def test_the_pictogram_samples_are_there() -> None:
    names = {s.name for s in samples("en")}
    assert {"await_card", "remove_card", "payment", "collect", "await_card-large_text",
            "await_card-high_contrast", "await_card-other_copier", "payment-other_copier",
            "collect-large_text_high_contrast", "remove_card-large_text"} <= names


def test_the_keypad_and_cancel_samples_follow_what_the_ui_offers() -> None:
    names = {s.name for s in samples("en")}
    assert ("choose_certificate-focus" in names) == (FOCUS in UI_FIELDS)
    assert ("pin_entry-focus" in names) == (FOCUS in UI_FIELDS)
    assert ("payment-cancel_question" in names) == (CANCEL_ASKED in UI_FIELDS)
    assert ("pin_entry-handset" in names) == ({"audio_private", FOCUS} <= UI_FIELDS)
    choice_fields = {f.name for f in fields(Choice)}
    assert ("choose_certificate-unavailable" in names) == ({"closed", "hours"} <= choice_fields)
    for sample in samples("en"):
        ui = ui_state(sample)  # every sample listed can be drawn with this UI's state
        for name, value in sample.ui:
            assert getattr(ui, name) == value


def test_a_sample_needing_a_field_the_ui_lacks_is_left_out(
        monkeypatch: pytest.MonkeyPatch) -> None:
    sample = Sample("idle-future", View("idle"), ui=(("no_such_field", True),))
    assert not drawable(sample)
    monkeypatch.setattr(screenshots, "_ui_fields", lambda: frozenset({"pin_length"}))
    names = {s.name for s in samples("en")}
    assert "choose_certificate-focus" not in names and "payment-cancel_question" not in names
    assert "await_card-other_copier" in names  # the rest stay


def test_step_numbers_come_from_the_state_table_and_the_journey() -> None:
    for sample in samples("en"):
        view = sample.view
        assert (view.step, view.steps) == journey_step(view.screen, view.service), sample.name
    assert journey_step("terms", "certificates") == (0, 0)
    assert journey_step("await_card", "certificates") == (1, 9)
    assert journey_step("reading_card", "certificates") == (1, 9)
    assert journey_step("collect", "certificates") == (9, 9)
    assert journey_step("registration_form", "honseki-registration")[1] == 6


def test_step_numbers_match_a_live_visit(tmp_path: Path) -> None:
    """Walk a real visit and compare each screen's "step n of m" with its screenshot."""
    k = make_kiosk(tmp_path)
    seen: dict[str, tuple[int, int]] = {}

    def look() -> None:
        view = k.session.view()
        seen[view.screen] = (view.step, view.steps)

    def act(*events: ev.Event) -> None:
        for e in events:
            k.post(e)
            k.pump()
            look()

    try:
        act(ev.Start(), ev.Agree())
        k.place_card("r001")
        k.pump()
        look()
        act(ev.EnterPin(bytearray(b"1234")))
        k.remove_card()
        k.pump()
        look()
        act(ev.ChooseMunicipality("131130"), ev.ChooseCertificate("juminhyo"),
            ev.SetOptions({}), ev.SetCopies(1), ev.Confirm())
        k.cash.insert(1000)
        k.pump()
        look()
    finally:
        k.close()
    shots = base_views("en")
    assert {"await_card", "remove_card", "choose_municipality", "confirm", "payment",
            "collect"} <= set(seen)
    for screen, live in seen.items():
        assert (shots[screen].step, shots[screen].steps) == live, screen
