"""The power-cut run over the cash devices: the kiosk, a real process replaying the money
sessions with its money going through the emulated ID-003 validator, ccTalk acceptor and
hoppers of ``kiosk cash lab`` (another process, which keeps running), is killed with SIGKILL at
random moments and started again on the same journal and devices. At the end the journal
balances to the yen, nothing is outstanding, and the devices' own counts agree with it: the
cash they kept (notes stacked, coins credited, less the coins the hoppers paid out) is the fees
collected plus what is owed on vouchers.

KIOSK_POWER_CUTS sets how many kills (default 200, shared by two kiosks side by side).
"""

from __future__ import annotations

import json
import os
import random
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from cash_lab_kit import Lab, cash_lab, kiosk
from test_power_cuts import kill_again_and_again

from kiosk.lab.cash.hands import CashHands

CUTS = int(os.environ.get("KIOSK_POWER_CUTS", "200"))
COINS = 2000  # in each hopper: enough change for every visit of the run
# Money every way over the devices: a note with change, coins exact, cancelled and timed out
# with coins to give back, a refused note and coin, a rejected document, a paper left behind.
PLAYLIST = ["r001-juminhyo-one-copy", "r002-pin-mistyped-once", "r001-cancel-at-payment",
            "money-timeout-at-payment", "money-rejected-coin", "alarm-forgotten-paper",
            "center-wrong-document", "registration-approved-then-koseki"]


def config_for(where: Path, lab: Lab) -> Path:
    config = where / "kiosk.toml"
    config.write_text(lab.config.read_text()
                      + f'\n[printer]\nuri = "spool:{where / "printed"}"\npages_per_minute = 300\n'
                      f'[journal]\npath = "{where / "journal.sqlite"}"\n')
    return config


def cut_power(where: Path, cuts: int, seed: int) -> tuple[Counter[str], dict[str, int]]:
    """Replay over the lab's devices, kill at a random moment, start again; ``cuts`` times.
    The states the cuts hit, and the journal's totals at the end."""
    (where / "cash").mkdir()
    with cash_lab(where / "cash", hopper_coins=COINS) as lab:
        config = config_for(where, lab)
        journal = str(where / "journal.sqlite")
        # run from ``where``, not the checkout: a stale egg-info there would hide the drivers
        states = kill_again_and_again(where, config, cuts, random.Random(seed), PLAYLIST,
                                      sleep=(0.8, 3.0), cwd=where)
        done = kiosk("journal", "recover", "--journal", journal, "--config", str(config))
        assert done.returncode == 0, done.stdout + done.stderr
        check = kiosk("journal", "check", "--journal", journal)
        assert check.returncode == 0, check.stdout
        report = json.loads(kiosk("journal", "report", "--journal", journal, "--json").stdout)
        totals: dict[str, int] = report["totals"]
        counts = CashHands.for_section(f"id003:{lab.directory / 'bills'}",
                                       f"cctalk:{lab.directory / 'cctalk'}@2").counts()
        totals["device_kept"] = kept_by(counts)
    return states, totals


def kept_by(counts: dict[str, Any]) -> int:
    """The cash the devices kept, by their own counts: notes stacked and coins credited, less
    the coins the hoppers paid out."""
    kept = int(counts["bills"]["stacked"])
    for device in counts["bus"].values():
        if device["device"] == "coins":
            kept += int(device["credited"])
        elif device["device"] == "hopper":
            kept -= int(device["paid"])
    return kept


def test_sigkill_over_the_cash_devices_loses_no_yen(tmp_path: Path) -> None:
    kiosks = [tmp_path / "a", tmp_path / "b"]
    for where in kiosks:
        where.mkdir()
    with ThreadPoolExecutor(2) as pool:  # two kiosks side by side, each with its own devices
        results = list(pool.map(cut_power, kiosks, [CUTS // 2, CUTS - CUTS // 2], [3, 4]))
    states = results[0][0] + results[1][0]
    print(f"\n{sum(states.values())} power cuts over the cash devices, by the screen they hit: "
          f"{dict(states)}")
    assert sum(states.values()) >= CUTS
    assert {"payment", "printing"} <= set(states), states
    for _, t in results:
        print(f"journal: in ¥{t['money_in']:,}, fees ¥{t['fees_collected']:,}, change "
              f"¥{t['change']:,}, refunded ¥{t['refunded']:,} (vouchers ¥{t['vouchers']:,}); "
              f"devices kept ¥{t['device_kept']:,}")
        assert t["money_in"] > 0 and t["fees_collected"] > 0
        assert t["money_in"] == t["fees_collected"] + t["change"] + t["refunded"], t
        assert t["outstanding"] == 0, t
        assert t["device_kept"] == t["fees_collected"] + t["vouchers"], t
