"""Operator mode: the service key and the operator PIN (never a gesture), every action
journaled before it is carried out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import make_kiosk

from kiosk.field.operator_pin import check_pin, hash_pin
from kiosk.vocabulary import events as ev


def test_the_operator_pin_is_stored_only_as_a_hash() -> None:
    stored = hash_pin("2468")
    assert "2468" not in stored and stored.startswith("scrypt$")
    pin = bytearray(b"2468")
    assert check_pin(pin, stored) and pin == bytearray(4)
    assert not check_pin(bytearray(b"1357"), stored)


def test_hash_pin_prints_the_config_line() -> None:
    run = subprocess.run([sys.executable, "-m", "kiosk", "operator", "hash-pin"],
                         input="2468\n", capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.startswith('pin_hash = "scrypt$')


def act(k, *events) -> None:  # type: ignore[no-untyped-def]
    for e in events:
        k.post(e)
        k.pump()


def test_operator_mode_enter_test_print_settle_leave_journaled(tmp_path: Path) -> None:
    k = make_kiosk(tmp_path, operator={"pin_hash": hash_pin("2468")})
    try:
        act(k, ev.Start(), ev.Cancel())
        act(k, ev.OperatorKey())
        assert k.session.state == "maintenance" and k.session.view().operator.pin_needed
        act(k, ev.OperatorAction("collect_cash"))  # nothing before the PIN
        act(k, ev.EnterPin(bytearray(b"2468")))
        view = k.session.view()
        assert not view.operator.pin_needed and view.operator.status
        for action in ("test_print", "settlement", "refill", "collect_cash", "clear_fault",
                       "out_of_service", "back_in_service", "leave"):
            act(k, ev.OperatorAction(action))
        assert k.session.state == "idle"
        log = [action for action, _, _ in k.journal.operator_log()]
        assert log[:4] == ["enter", "test_print", "settlement", "refill"]
        assert "collect_cash done" in log and log[-1] == "leave"
        assert any(p.name.startswith("test-") for p in k.printer.directory.iterdir())
    finally:
        k.close()


def test_three_wrong_operator_pins_send_the_kiosk_back(tmp_path: Path) -> None:
    k = make_kiosk(tmp_path, operator={"pin_hash": hash_pin("2468")})
    try:
        act(k, ev.OperatorKey())
        for _ in range(3):
            act(k, ev.EnterPin(bytearray(b"0000")))
        assert k.session.state == "idle"
        assert [a for a, _, _ in k.journal.operator_log()] == ["refused"]
    finally:
        k.close()


def test_without_a_configured_pin_the_key_does_nothing(tmp_path: Path) -> None:
    k = make_kiosk(tmp_path)
    try:
        act(k, ev.OperatorKey())
        assert k.session.state == "idle"
    finally:
        k.close()
