"""Money is never lost: the kiosk, a real process replaying sessions, is killed with SIGKILL at
random moments, again and again, and restarted on the same journal each time; then the journal
must balance to the yen.

KIOSK_POWER_CUTS sets how many kills (default 200, shared by two kiosks running side by side).
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from conftest import SESSIONS

CUTS = int(os.environ.get("KIOSK_POWER_CUTS", "200"))
# Sessions that move money and paper every way: bought with change, exact, cancelled, timed
# out, refused coins, a rejected document, e-money.
PLAYLIST = ["r001-juminhyo-one-copy", "r002-pin-mistyped-once", "r001-cancel-at-payment",
            "money-timeout-at-payment", "money-rejected-coin", "alarm-forgotten-paper",
            "center-wrong-document", "money-emoney"]
STATE = re.compile(r"kiosk\.session\.machine: state (\w+)")


def kiosk(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, timeout=300, **kw)  # type: ignore[call-overload]


def config_for(where: Path) -> Path:
    config = where / "kiosk.toml"
    config.write_text(f'[printer]\nuri = "spool:{where / "printed"}"\npages_per_minute = 300\n'
                      f'[journal]\npath = "{where / "journal.sqlite"}"\n')
    return config


def kill_again_and_again(where: Path, config: Path, cuts: int, rng: random.Random,
                         playlist: list[str], sleep: tuple[float, float] = (0.6, 2.4),
                         cwd: Path | None = None) -> Counter[str]:
    """Replay ``playlist`` (three times over, shuffled), kill at a random moment, restart on
    the same journal; ``cuts`` times, recovering and checking by hand now and then. The
    screens the cuts hit."""
    journal = str(where / "journal.sqlite")
    files = [str(SESSIONS / f"{name}.jsonl") for name in playlist] * 3
    states: Counter[str] = Counter()
    env = dict(os.environ, KIOSK_LOG_LEVEL="INFO")
    for i in range(cuts):
        rng.shuffle(files)
        log = where / "kiosk.log"
        with log.open("w") as err:
            proc = subprocess.Popen(
                [sys.executable, "-m", "kiosk", "replay", "--config", str(config), "--journal",
                 journal, "--printer", f"spool:{where / 'printed'}", "--pace", "0.015", *files],
                stdout=subprocess.DEVNULL, stderr=err, env=env, cwd=cwd)
            time.sleep(rng.uniform(*sleep))
            proc.send_signal(signal.SIGKILL)
            proc.wait()
        seen = STATE.findall(log.read_text())
        states[seen[-1] if seen else "starting"] += 1
        if i % 25 == 24:  # now and then by hand, as staff would: recover, then check
            recovered = kiosk("journal", "recover", "--journal", journal, "--config",
                              str(config), cwd=cwd)
            assert recovered.returncode == 0, recovered.stdout + recovered.stderr
            check = kiosk("journal", "check", "--journal", journal, cwd=cwd)
            assert check.returncode == 0, check.stdout
    return states


def cut_power(where: Path, cuts: int, seed: int) -> Counter[str]:
    """Replay, kill at a random moment, restart on the same journal; ``cuts`` times."""
    return kill_again_and_again(where, config_for(where), cuts, random.Random(seed), PLAYLIST)


def test_sigkill_at_random_moments_loses_no_money(tmp_path: Path) -> None:
    kiosks = [tmp_path / "a", tmp_path / "b"]
    for where in kiosks:
        where.mkdir()
    with ThreadPoolExecutor(2) as pool:  # two kiosks side by side: one per core
        counts = list(pool.map(cut_power, kiosks, [CUTS // 2, CUTS - CUTS // 2], [1, 2]))
    states = counts[0] + counts[1]
    print(f"\n{sum(states.values())} power cuts, by the screen they hit: {dict(states)}")
    assert sum(states.values()) >= CUTS
    # Cuts land where time is spent: the money and paper steps must be among them.
    assert {"payment", "printing"} <= set(states), states
    assert {"collect", "refunding", "thanks"} & set(states), states
    for where in kiosks:
        journal = str(where / "journal.sqlite")
        assert kiosk("journal", "recover", "--journal", journal, "--config",
                     str(config_for(where))).returncode == 0
        check = kiosk("journal", "check", "--journal", journal)
        assert check.returncode == 0, check.stdout
        report = json.loads(kiosk("journal", "report", "--journal", journal, "--json").stdout)
        t = report["totals"]
        assert t["money_in"] > 0 and t["fees_collected"] > 0
        assert t["money_in"] == t["fees_collected"] + t["change"] + t["refunded"], t
        assert t["outstanding"] == 0, t
