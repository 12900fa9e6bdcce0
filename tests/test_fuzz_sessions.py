"""Whole-session fuzzing (issue 12): random residents' sessions on the real harness hold every
invariant after every line; and the fuzzer has teeth: a kiosk that keeps a coin, or logs a PIN,
is caught, and what it writes is a session file that replays."""

from __future__ import annotations

import io
import logging
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kiosk.session.signin as signin
from drivers.payment.cash_unit import SimulatedCashUnit
from kiosk.replay.format import parse_session
from kiosk.replay.fuzz import Plan, main, run_one, shrink_found
from kiosk.replay.fuzz_run import generate, replay_file
from kiosk.replay.fuzz_world import FuzzWorld
from kiosk.replay.harness import replay
from kiosk.replay.parallel import play_file
from kiosk.replay.result import Options

QUICK = 30
FOUND = Path(__file__).resolve().parent / "fuzz-found"
# Counterexamples the fuzzers found and not fixed yet (tests/fuzz-found/README.md), by a part of
# the file name: each is a strict expected failure until its fix lands, then taken off here.
KNOWN: dict[str, str] = {}


def test_quick_profile_holds_every_invariant(tmp_path: Path) -> None:
    out = io.StringIO()
    code = main(["--sessions", str(QUICK), "--seed", "20261121", "--out", str(tmp_path),
                 "--jobs", "1"],
                out=out, err=io.StringIO())
    report = out.getvalue()
    assert code == 0, report
    assert f"kiosk fuzz: {QUICK} sessions" in report
    assert "violations: 0 in 0 sessions" in report
    assert not list(tmp_path.iterdir())  # no counterexample written


def test_registration_world_holds_every_invariant(tmp_path: Path) -> None:
    out = io.StringIO()
    code = main(["--sessions", "10", "--seed", "9", "--world", "honseki", "--out",
                 str(tmp_path), "--jobs", "1"], out=out, err=io.StringIO())
    assert code == 0, out.getvalue()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.randoms(use_true_random=False))
def test_hypothesis_drawn_sessions_hold_every_invariant(rng: random.Random) -> None:
    # hypothesis draws every choice the resident makes, so a failure shrinks to fewer choices
    outcome = generate(0, rng, FuzzWorld.named("sample"), None, "hypothesis")
    assert not outcome.setup_error, outcome.setup_error
    assert not outcome.violations, [v.text() for v in outcome.violations]


@pytest.mark.parametrize("bad", ["--sessions=0", "--sessions=1000001", "--jobs=0",
                                 "--world=/nonexistent.toml", "--bogus"])
def test_usage_errors_exit_2(bad: str, tmp_path: Path) -> None:
    assert main([bad, "--out", str(tmp_path)], out=io.StringIO(), err=io.StringIO()) == 2


def _first_found(plan: Plan, sessions: int = 40) -> list[str]:
    for index in range(sessions):
        outcome = run_one(plan, index)
        if outcome.violations:
            assert outcome.reproduced
            shrink_found(plan, [outcome])
            assert outcome.shrunk is not None and len(outcome.shrunk) <= len(outcome.lines)
            return [v.kind for v in outcome.violations]
    return []


def test_a_unit_that_keeps_a_coin_is_caught(monkeypatch: pytest.MonkeyPatch,
                                            tmp_path: Path) -> None:
    dispense = SimulatedCashUnit.dispense

    def keeps_ten(self: SimulatedCashUnit, yen: int) -> int:
        given = dispense(self, yen)
        if given >= 10:
            self.tubes[10] += 1  # a coin stays in the unit, reported as given
        return given

    monkeypatch.setattr(SimulatedCashUnit, "dispense", keeps_ten)
    assert "cash-vs-journal" in _first_found(Plan(7, "sample", None, 10))


def test_a_logged_pin_is_caught_and_written_as_a_session_that_replays(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    sign_in = signin.sign_in

    def chatty(card: object, center: object, pin: bytearray, kiosk_id: str) -> object:
        logging.getLogger("kiosk.card").info("verify with %s", pin.decode())
        return sign_in(card, center, pin, kiosk_id)  # type: ignore[arg-type]

    monkeypatch.setattr(signin, "sign_in", chatty)
    out = io.StringIO()
    code = main(["--sessions", "3", "--seed", "7", "--out", str(tmp_path), "--shrink-seconds",
                 "20", "--jobs", "1"], out=out, err=io.StringIO())
    assert code == 1, out.getvalue()
    found = sorted(tmp_path.glob("fuzz-7-*-pin-in-log.jsonl"))
    assert found, out.getvalue()
    assert str(found[0]) in out.getvalue()
    session = parse_session(found[0])  # a counterexample is a session file the harness plays
    assert any(step.action == "pin" for step in session.steps)
    assert play_file(session, Options()).passed


@pytest.mark.parametrize("name", sorted(p.name for p in FOUND.glob("*.jsonl")))
def test_found_sessions_replay_with_every_invariant(name: str,
                                                    request: pytest.FixtureRequest) -> None:
    why = next((why for key, why in KNOWN.items() if key in name), None)
    if why is not None:
        request.applymarker(pytest.mark.xfail(strict=True, reason=why))
    err = io.StringIO()
    code = replay([FOUND / name], Options(), io.StringIO(), err)  # as kiosk replay plays it
    if code == 2:  # refused: one line, and nothing played
        assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()
        return
    violations = replay_file(FOUND / name, None)
    assert not violations, [v.text() for v in violations]
