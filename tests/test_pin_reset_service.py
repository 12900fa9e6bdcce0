"""The PIN reset as a service, in-process on the real emulator and reference center: the card is
taken without a sign-in (a locked one too), the new PINs go to the card only and are wiped, and
no PIN or signing password reaches the center, a log record or a file."""

from __future__ import annotations

import io
import logging
import re
from datetime import datetime
from pathlib import Path

import pytest

from drivers.card.inprocess import InProcessReader
from drivers.card.jpki_port import JPKICardPort
from kiosk.center.client import CenterClient
from kiosk.clock import VirtualClock
from kiosk.lab.center.cards import resident_card
from kiosk.lab.center.center import ReferenceCenter
from kiosk.lab.center.local import LocalTransport
from kiosk.lab.center.pki import CenterKeys, TestJPKI
from kiosk.lab.center.world import load_world
from kiosk.replay.harness import replay
from kiosk.replay.result import Options
from kiosk.services.pin_reset import SERVICE, check_reserved, password_acceptable, write_pins
from kiosk.services.registry import installed_services
from kiosk.session.table import machine_for
from kiosk.vocabulary.reasons import CardError, KioskError

NOW = datetime.fromisoformat("2026-11-21T10:00:00+09:00")
SESSIONS = Path(__file__).parent / "sessions"
WORLD = Path(__file__).parent / "worlds" / "pin-reset.toml"
RESET_SESSIONS = sorted(SESSIONS.glob("pin-reset-*.jsonl"))
# What the sessions type: new PINs and signing passwords (none is a world's PIN).
TYPED = ("5173", "8080", "4826", "7531", "1375", "6262", "KIOSK2026", "KIOSK2025")


def test_the_service_is_installed_and_takes_over_after_the_card_is_read():
    services = installed_services()
    assert SERVICE in services and SERVICE.after_card == "pin_reset_checking"
    machine = machine_for(services)
    rows = machine.get_transitions("card_read", "reading_card")
    dests = [t.dest for t in rows]
    assert dests[0] == "pin_reset_checking" and "pin_entry" in dests[1:]  # ours first


@pytest.mark.parametrize("text, ok", [("KIOSK2026", True), ("ABC123", True), ("ABC12", False),
                                      ("A" * 17, False), ("kiosk2026", False), ("ABC 123", False)])
def test_a_signing_password_is_6_to_16_capitals_and_digits(text, ok):
    assert password_acceptable(text) is ok


def _parts(resident: str):
    pki, world = TestJPKI(), load_world(WORLD)
    center = ReferenceCenter(world, pki, CenterKeys(), VirtualClock(NOW))
    client = CenterClient(LocalTransport(center, "store-0001"), center.keys.public_key_bytes())
    reader = InProcessReader()
    reader.place(resident_card(world, pki, resident, NOW))
    port = JPKICardPort(reader.connect)
    port.open()
    return port, client, reader


def test_the_new_pins_reach_the_card_and_are_wiped():
    port, client, reader = _parts("r032")
    reserved = check_reserved(port, client)
    assert reserved.which == ("user", "signing")
    pins = {"user": bytearray(b"4826"), "signing": bytearray(b"KIOSK2026")}
    held = list(pins.values())
    assert write_pins(port, client, reserved.certificate, pins).which == ("user", "signing")
    assert all(not any(pin) for pin in held)
    card = reader.card
    assert card is not None and set(card.reset_pins) == {0x0018, 0x001B}  # type: ignore[attr-defined]


def test_the_pins_are_wiped_when_the_card_is_lifted_before_the_write():
    port, client, reader = _parts("r030")
    reserved = check_reserved(port, client)
    reader.remove()
    pin = bytearray(b"5173")
    with pytest.raises(CardError):
        write_pins(port, client, reserved.certificate, {"user": pin})
    assert not any(pin)


def test_a_card_without_a_reservation_is_refused_before_any_pin_is_typed():
    port, client, _ = _parts("r033")
    with pytest.raises(KioskError) as caught:
        check_reserved(port, client)
    assert caught.value.reason == "pin-reset-not-reserved"


def _found(text: str, secret: str) -> bool:
    """``secret`` as a value of its own (not a run of digits of a longer number or time)."""
    return re.search(rf"(?<![0-9A-Z.]){re.escape(secret)}(?![0-9A-Z.])", text) is not None


def test_no_pin_or_password_reaches_the_center_a_log_or_a_file(tmp_path, monkeypatch, caplog):
    requests: list[bytes] = []
    handle = ReferenceCenter.handle

    def recording(self, kiosk_id, raw, fault=None):
        requests.append(raw)
        return handle(self, kiosk_id, raw, fault)

    monkeypatch.setattr(ReferenceCenter, "handle", recording)
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    caplog.set_level(logging.DEBUG)
    out = io.StringIO()
    code = replay(RESET_SESSIONS, Options(out=tmp_path / "out",
                                          journal=tmp_path / "journal.sqlite"), out=out, err=out)
    assert code == 0, out.getvalue()
    assert f"{len(RESET_SESSIONS)} passed, 0 failed" in out.getvalue()
    calls = [r for r in requests if b"pin_reset_" in r]
    assert len(calls) >= 8  # checks and authorisations of the sessions
    logged = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files
    for secret in TYPED:
        for raw in requests:
            assert not _found(raw.decode("utf-8", "replace"), secret), secret
        assert not _found(logged, secret), secret
        for path in files:
            assert not _found(path.read_bytes().decode("latin-1"), secret), (secret, path)
