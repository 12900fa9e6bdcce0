"""The ID-003 driver against the emulated validator over a real pseudo-terminal and pyserial:
the escrow cycle, inhibit, every fault status, a pulled cable, and ``kiosk cash emulate``.
Faults arrive by a word of the hands, never by sleeping; every wait is bounded."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.payment.id003 import Id003Validator, open_serial
from drivers.payment.id003_events import (
    CommandRefused,
    CommunicationLost,
    Disabled,
    Escrow,
    Event,
    Fault,
    FaultKind,
    Id003Fault,
    Idle,
    Rejecting,
    Returned,
    Stacked,
    VendValid,
)
from kiosk.cli import main as kiosk
from kiosk.lab.cash.id003_device import REJECT_INHIBITED, Id003Device
from kiosk.lab.cash.pty_link import PtyLink

ROOT = Path(__file__).resolve().parents[1]
NOTES = frozenset({1000, 2000, 5000, 10000})


def polls_until(driver: Id003Validator, wanted: Callable[[Event], bool],
                limit: int = 20) -> list[Event]:
    """Poll until an event is wanted (at most ``limit`` polls); every event seen."""
    seen: list[Event] = []
    for _ in range(limit):
        seen.append(driver.poll())
        if wanted(seen[-1]):
            return seen
    raise AssertionError(f"not within {limit} polls: {seen}")


@pytest.fixture
def unit(tmp_path: Path) -> Iterator[tuple[Id003Device, Id003Validator]]:
    """An emulated validator on a pty served in a thread, a started driver on its link."""
    device = Id003Device()
    stop = threading.Event()
    with PtyLink(tmp_path / "validator") as link:
        server = threading.Thread(target=link.serve, args=(device.feed, stop), daemon=True)
        server.start()
        driver = Id003Validator(open_serial(str(link.link), timeout=0.1), retries=2)
        try:
            assert driver.start(NOTES) == Disabled()
            driver.inhibit(False)
            assert driver.poll() == Idle()
            yield device, driver
        finally:
            driver.close()
            stop.set()
            server.join(timeout=5)
    assert not (tmp_path / "validator").exists()  # the link went with the pty


def test_a_note_in_escrow_is_stacked_and_credited_once_at_vend_valid(
        unit: tuple[Id003Device, Id003Validator]) -> None:
    device, driver = unit
    assert "escrow" in device.hand("insert 1000")
    assert polls_until(driver, lambda e: isinstance(e, Escrow))[-1] == Escrow(1000)
    driver.stack()
    seen = polls_until(driver, lambda e: e == Idle())
    assert [e for e in seen if isinstance(e, VendValid | Stacked)] == [VendValid(1000),
                                                                       Stacked(1000)]
    assert device.stacked == [1000]


def test_a_note_in_escrow_is_returned(unit: tuple[Id003Device, Id003Validator]) -> None:
    device, driver = unit
    device.hand("insert 5000")
    assert polls_until(driver, lambda e: isinstance(e, Escrow))[-1] == Escrow(5000)
    driver.return_note()
    assert polls_until(driver, lambda e: isinstance(e, Returned))[-1] == Returned(5000)
    assert driver.poll() == Idle()
    assert device.returned == [5000] and device.stacked == []


def test_inhibit_and_the_denominations_from_config_refuse_notes(
        unit: tuple[Id003Device, Id003Validator]) -> None:
    device, driver = unit
    driver.inhibit(True)
    assert driver.poll() == Disabled()
    assert "rejected" in device.hand("insert 1000")
    assert driver.poll() == Rejecting(REJECT_INHIBITED)
    assert driver.poll() == Disabled()
    with pytest.raises(CommandRefused):
        driver.stack()  # nothing in escrow
    driver.inhibit(False)
    driver.set_denominations({1000, 5000})
    assert "rejected" in device.hand("insert 10000")
    assert isinstance(driver.poll(), Rejecting)
    device.hand("insert 1000")
    assert polls_until(driver, lambda e: isinstance(e, Escrow))[-1] == Escrow(1000)
    with pytest.raises(ValueError):
        driver.set_denominations({500})


@pytest.mark.parametrize(("word", "kind"), [
    ("jam", FaultKind.JAM_IN_ACCEPTOR), ("jam stacker", FaultKind.JAM_IN_STACKER),
    ("full", FaultKind.STACKER_FULL), ("open", FaultKind.STACKER_OPEN),
    ("cheat", FaultKind.CHEATED), ("fail", FaultKind.FAILURE), ("pause", FaultKind.PAUSE),
    ("garbled", FaultKind.COMMUNICATION_ERROR),
])
def test_each_fault_status_reaches_the_driver_typed_and_ok_clears_it(
        unit: tuple[Id003Device, Id003Validator], word: str, kind: FaultKind) -> None:
    device, driver = unit
    device.hand("insert 2000")
    assert polls_until(driver, lambda e: isinstance(e, Escrow))[-1] == Escrow(2000)
    device.hand(word)
    event = driver.poll()
    assert isinstance(event, Fault) and event.kind is kind and event.reason
    with pytest.raises(Id003Fault) as raised:
        driver.stack()
    assert raised.value.fault == event and str(raised.value) == event.reason
    device.hand("ok")
    assert driver.poll() == Escrow(2000)  # the note is still held: the kiosk decides again


def test_an_unplugged_validator_is_communication_lost_and_ok_recovers(
        unit: tuple[Id003Device, Id003Validator]) -> None:
    device, driver = unit
    device.hand("unplug")
    with pytest.raises(CommunicationLost):
        driver.poll()  # bounded: 2 attempts of one 0.1 s read each
    device.hand("ok")
    assert driver.poll() == Idle()


def test_the_cassette_full_is_cleared_by_emptying_it(
        unit: tuple[Id003Device, Id003Validator]) -> None:
    device, driver = unit
    device.hand("full")
    assert driver.poll() == Fault(FaultKind.STACKER_FULL)
    assert "emptied" in device.hand("empty")
    assert driver.poll() == Idle()


def _lines(stream: object) -> queue.Queue[str]:
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stream:  # type: ignore[attr-defined]
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines


def test_kiosk_cash_emulate_plays_the_validator_on_a_linked_pty(tmp_path: Path) -> None:
    link = tmp_path / "bv"
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "cash", "emulate", "--device",
                             "id003", "--link", str(link)], cwd=ROOT, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdin is not None and proc.stdout is not None
    said = _lines(proc.stdout)
    try:
        assert str(link) in said.get(timeout=30)
        driver = Id003Validator(open_serial(str(link), timeout=0.1), retries=2)
        driver.start(NOTES)
        driver.inhibit(False)

        def hand(word: str) -> str:
            proc.stdin.write(word + "\n")  # type: ignore[union-attr]
            proc.stdin.flush()  # type: ignore[union-attr]
            return said.get(timeout=10)

        assert "escrow" in hand("insert 10000")
        assert polls_until(driver, lambda e: isinstance(e, Escrow))[-1] == Escrow(10000)
        driver.stack()
        assert Stacked(10000) in polls_until(driver, lambda e: e == Idle())
        assert "jam" in hand("jam stacker")
        assert driver.poll() == Fault(FaultKind.JAM_IN_STACKER)
        assert "unplugged" in hand("unplug")
        with pytest.raises(CommunicationLost):
            driver.poll()
        hand("ok")
        assert driver.poll() == Idle()
        driver.close()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert not link.exists() and not link.is_symlink()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_an_unknown_device_or_a_taken_link_is_one_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert kiosk(["cash", "emulate", "--device", "mdb", "--link", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().out.count("\n") == 1
    taken = tmp_path / "taken"
    taken.write_text("")
    assert kiosk(["cash", "emulate", "--device", "id003", "--link", str(taken)]) == 2
    assert "already exists" in capsys.readouterr().out
    nowhere = tmp_path / "no" / "dir"
    assert kiosk(["cash", "emulate", "--device", "id003", "--link", str(nowhere)]) == 2
    assert "not a directory" in capsys.readouterr().out
