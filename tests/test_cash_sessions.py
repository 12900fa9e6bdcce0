"""The money sessions of tests/sessions/ replayed over the emulated cash devices of a real
`kiosk cash lab` process (`kiosk replay --config DIR/cash.toml`), then the devices' counters
held against the journal: what the cassette and the coin box kept, less what the hoppers paid,
is the fees collected plus what vouchers owe."""

from __future__ import annotations

import json
from pathlib import Path

from cash_lab_kit import cash_lab, kiosk
from conftest import SESSIONS

from kiosk.lab.cash.hands import CashHands

# world-disk-full: its coin "comes back at once" because the simulated unit refuses it before
# taking it; a ccTalk acceptor has credited a coin before the kiosk hears of it, so over the
# devices that coin waits for room and comes back from its row, never twice
# (test_cash_recovery.py's test of it).
DEVICES_DIFFER = {"world-disk-full.jsonl"}
MONEY_SESSIONS = sorted(p for p in SESSIONS.glob("*.jsonl")
                        if '"insert"' in p.read_text() and p.name not in DEVICES_DIFFER)
REPLAY_WITHIN = 900  # seconds for all of them (real time: the devices are polled for real)


def test_every_money_session_passes_over_the_devices_and_the_counts_agree(
        tmp_path: Path) -> None:
    assert len(MONEY_SESSIONS) >= 20
    lab_dir, out = tmp_path / "lab", tmp_path / "out"
    lab_dir.mkdir()
    journal = tmp_path / "journal.sqlite"
    with cash_lab(lab_dir) as lab:
        run = kiosk("replay", "--config", str(lab.config), "--journal", str(journal),
                    "--out", str(out), *map(str, MONEY_SESSIONS), timeout=REPLAY_WITHIN,
                    cwd=tmp_path)
        assert run.returncode in (0, 1), run.stdout[-3000:] + run.stderr[-3000:]
        hands = CashHands.for_section(f"id003:{lab_dir}/bills", f"cctalk:{lab_dir}/cctalk@2")
        counts = hands.counts()
    report = json.loads((out / "report.json").read_text())
    failed = {s["file"]: s["failures"] for s in report["sessions"] if not s["passed"]}
    for file, failures in failed.items():
        print(f"FAIL over the devices: {file}")
        for failure in failures:
            print(f"    {failure}")
    print(f"{report['passed']} passed, {report['failed']} failed over the emulated devices")

    totals = json.loads(kiosk("journal", "report", "--journal", str(journal),
                              "--json").stdout)["totals"]
    bills, bus = counts["bills"], counts["bus"]
    hoppers = [device for device in bus.values() if device["device"] == "hopper"]
    kept = (bills["stacked"] + bus["@2"]["credited"]
            - sum(hopper["paid"] for hopper in hoppers))
    print(f"devices: stacked ¥{bills['stacked']}, credited ¥{bus['@2']['credited']}, hoppers "
          f"paid ¥{sum(h['paid'] for h in hoppers)}, in escrow ¥{bills['in_escrow']}; "
          f"journal: {totals}")
    assert bills["in_escrow"] == 0
    assert totals["money_in"] == (totals["fees_collected"] + totals["change"]
                                  + totals["refunded"]), totals
    assert totals["outstanding"] == 0, totals
    assert kept == totals["fees_collected"] + totals["vouchers"], (kept, totals)
    assert not failed, sorted(failed)


def test_several_processes_cannot_share_one_set_of_devices(tmp_path: Path) -> None:
    config = tmp_path / "cash.toml"
    config.write_text('[payment]\nunit = "serial"\n')
    run = kiosk("replay", "-j", "2", "--config", str(config), str(MONEY_SESSIONS[0]),
                cwd=tmp_path)
    assert run.returncode == 2 and "one set of cash devices" in run.stderr, run
