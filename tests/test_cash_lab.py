"""`kiosk cash lab` as a real process: its links, its cash.toml, the hands over its sockets
(words, counts, hostile lines) and the client; `kiosk cash emulate`'s socket too."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cash_lab_kit import START_WITHIN, STOP_WITHIN, cash_lab, kiosk, lines_of

from drivers.payment.cctalk import CctalkBus, CoinAcceptor, Hopper, Payout, open_line
from kiosk.config import load_config
from kiosk.lab.cash.hands import CashHands, HandsError, ask, outcome, read_answer


def raw(path: Path, data: bytes) -> str:
    """Bytes as a hostile client sends them; the one line answered."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
        client.settimeout(5)
        client.connect(str(path))
        client.sendall(data)
        answer = read_answer(client)
    return answer.decode("utf-8", "replace").strip()


def test_the_lab_serves_its_links_writes_its_config_and_cleans_up(tmp_path: Path) -> None:
    with cash_lab(tmp_path, hopper_coins=20) as lab:
        for name in ("bills", "cctalk"):
            assert (tmp_path / name).is_symlink()
            assert os.readlink(tmp_path / name).startswith("/dev/pts/")
            assert (tmp_path / f"{name}.hands").is_socket()
        assert str(lab.config) in lab.ready
        data = tomllib.loads(lab.config.read_text())
        assert data["payment"]["unit"] == "serial"
        assert data["payment"]["change"] == {"10": 20, "50": 20, "100": 20, "500": 20}
        assert data["payment"]["cash"]["coins"] == f"cctalk:{tmp_path}/cctalk@2"
        assert data["payment"]["cash"]["hoppers"] == {
            "500": f"cctalk:{tmp_path}/cctalk@3", "100": f"cctalk:{tmp_path}/cctalk@4",
            "50": f"cctalk:{tmp_path}/cctalk@5", "10": f"cctalk:{tmp_path}/cctalk@6"}
        load_config(lab.config)  # a kiosk takes it as it is
    assert lab.process.returncode == 0
    for name in ("bills", "cctalk", "bills.hands", "cctalk.hands"):
        assert not (tmp_path / name).exists() and not (tmp_path / name).is_symlink()


def test_hands_words_reach_each_device_and_counts_follow(tmp_path: Path) -> None:
    with cash_lab(tmp_path, hopper_coins=20):
        hands = CashHands.for_section(f"id003:{tmp_path}/bills", f"cctalk:{tmp_path}/cctalk@2")
        # Nothing has started the devices: the validator takes no note, the acceptor refuses.
        said = hands.insert(1000)
        assert outcome("bills", said) == "back", said
        said = hands.insert(100)
        assert outcome("coins", said) == "refused", said
        assert "inhibited" in said
        # A kiosk's driver enables ¥100 and the acceptor credits the next one.
        bus = CctalkBus(open_line(str(tmp_path / "cctalk")))
        try:
            acceptor = CoinAcceptor(bus, 2)
            acceptor.set_inhibits({100})
            acceptor.set_master(True)
            said = hands.insert(100)
            assert outcome("coins", said) == "taken", said
            assert hands.insert(5).startswith("¥5 rejected")
            hopper = Hopper(bus, 3)  # the ¥500 hopper pays two coins, one per status poll
            hopper.enable()
            hopper.dispense(2)
            events: list[object] = []
            for _ in range(10):
                events = list(hopper.poll())
                if events:
                    break
            assert any(isinstance(e, Payout) and e.paid == 2 for e in events), events
        finally:
            bus.close()
        assert hands.word("@4", "empty") == "hopper emptied"
        counts = hands.counts()
        assert counts["bills"]["stacked"] == 0 and counts["bills"]["rejected"] == 0
        assert counts["bus"]["@2"]["credited"] == 100
        assert counts["bus"]["@2"]["refused"] == 105  # the inhibited ¥100 and the ¥5
        assert counts["bus"]["@3"] == {"device": "hopper", "address": 3, "coin": 500,
                                       "paid_coins": 2, "paid": 1000, "coins_left": 18}
        assert counts["bus"]["@4"]["coins_left"] == 0
        assert json.loads(hands.word("@6", "counts"))["coin"] == 10
        assert json.loads(hands.word("bills", "counts"))["device"] == "id003"


@pytest.mark.parametrize("data, says", [
    (b"dance\n", "error: unknown"),
    (b"@9 jam\n", "error: no device at '@9'"),
    (b"@4\n", "error: @4: a word for the device is missing"),
    (b"@x insert 100\n", "error: no device"),
    (b"\n", "error: an empty line"),
    (b"\xff\xfe insert\n", "error: not UTF-8"),
    (b"insert \x07100\n", "error: control characters"),
    (b"insert 99999999999999999999999\n", "¥99999999999999999999999 rejected"),
    (b"x" * 600, "error: a line longer than 512 bytes"),
])
def test_hostile_lines_get_one_error_line_and_the_lab_goes_on(
        tmp_path: Path, data: bytes, says: str) -> None:
    with cash_lab(tmp_path) as lab:
        assert raw(tmp_path / "cctalk.hands", data).startswith(says)
        assert raw(tmp_path / "bills.hands", b"insert lots\n").startswith("insert what?")
        assert json.loads(ask(tmp_path / "cctalk.hands", "@2 counts"))["device"] == "coins"
        assert lab.process.poll() is None


def test_a_missing_socket_names_its_path_and_what_to_start(tmp_path: Path) -> None:
    hands = CashHands.for_section(f"id003:{tmp_path}/bills", f"cctalk:{tmp_path}/cctalk@2")
    with pytest.raises(HandsError, match=r"bills\.hands.*kiosk cash lab"):
        hands.insert(1000)
    with pytest.raises(HandsError, match=r"cctalk\.hands.*kiosk cash lab"):
        hands.insert(100)
    with pytest.raises(HandsError, match="not id003:PATH"):
        CashHands.for_section("serial:/dev/ttyS0", "")


def test_a_bad_dir_or_count_or_a_taken_dir_exits_2_with_one_message(tmp_path: Path) -> None:
    for args in (["--dir", str(tmp_path / "nowhere")],
                 ["--dir", str(tmp_path), "--hopper-coins", "-1"]):
        run = kiosk("cash", "lab", *args)
        assert run.returncode == 2, run
        assert len(run.stdout.strip().splitlines()) == 1 and "kiosk cash lab:" in run.stdout
    with cash_lab(tmp_path):
        run = kiosk("cash", "lab", "--dir", str(tmp_path))
        assert run.returncode == 2 and "already exists" in run.stdout, run
        assert len(run.stdout.strip().splitlines()) == 1
        assert (tmp_path / "bills").is_symlink()  # the running lab's links are left alone


def test_emulate_takes_the_same_words_on_its_socket(tmp_path: Path) -> None:
    link = tmp_path / "hopper"
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "cash", "emulate", "--device", "cctalk-hopper",
         "--link", str(link)], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True,
        cwd=tmp_path, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        first = lines_of(process).get(timeout=START_WITHIN)  # its ready line
        assert first is not None
        assert str(link) in first and "hopper.hands" in first
        counts = json.loads(ask(tmp_path / "hopper.hands", "counts", timeout=START_WITHIN))
        assert counts == {"device": "hopper", "address": 3, "paid_coins": 0,
                          "coins_left": 50}  # no coin value: a count only
        assert ask(tmp_path / "hopper.hands", "@3 fill 5") == "55 coins in the hopper"
        assert ask(tmp_path / "hopper.hands", "@2 fill 5").startswith("error: no device")
    finally:
        process.terminate()
        process.wait(timeout=STOP_WITHIN)
        if process.stdout is not None:
            process.stdout.close()
        if process.stdin is not None:
            process.stdin.close()
    assert not link.is_symlink() and not (tmp_path / "hopper.hands").exists()


def test_the_demo_money_keys_go_through_the_hands(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("SDL_AUDIODRIVER", "dummy")
    import pygame

    from kiosk.app import build_kiosk
    from kiosk.clock import VirtualClock
    from kiosk.config import from_data, merge
    from kiosk.lab.demo import hardware_key
    from kiosk.replay.harness import load_config_data

    (tmp_path / "lab").mkdir()
    with cash_lab(tmp_path / "lab") as lab:
        data = merge(load_config_data(lab.config), {
            "printer": {"uri": f"spool:{tmp_path / 'printed'}"},
            "journal": {"path": str(tmp_path / "journal.sqlite")}})
        clock = VirtualClock(datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=9))))
        kiosk_ = build_kiosk(from_data(data), clock, inline=True)
        try:
            assert hardware_key(kiosk_, pygame.K_e)  # ¥100 while nobody pays: it comes back
            hands = CashHands.for_section(f"id003:{lab.directory}/bills",
                                          f"cctalk:{lab.directory}/cctalk@2")
            assert hands.counts()["bus"]["@2"]["refused"] == 100
            assert getattr(kiosk_.tray, "coins", None) == 100  # in the return cup
        finally:
            kiosk_.close()
