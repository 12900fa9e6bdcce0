"""`kiosk replay -j N`: the files spread over processes, one report in the files' order; and
the usage errors of -j and of `kiosk record`, each one clear line and exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, SESSIONS

SAMPLES = sorted(SESSIONS.glob("*.jsonl"))


def kiosk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_two_processes_give_the_same_report_as_one(tmp_path: Path) -> None:
    one = kiosk("replay", "--out", str(tmp_path / "one"), *map(str, SAMPLES))
    two = kiosk("replay", "-j", "2", "--out", str(tmp_path / "two"), *map(str, SAMPLES))
    assert one.returncode == two.returncode == 0, two.stdout + two.stderr[-2000:]
    assert one.stdout == two.stdout  # the same lines, in the files' order
    reports = [json.loads((tmp_path / d / "report.json").read_text()) for d in ("one", "two")]
    assert [s["file"] for s in reports[1]["sessions"]] == list(map(str, SAMPLES))
    for a, b in zip(reports[0]["sessions"], reports[1]["sessions"], strict=True):
        assert (a["passed"], a["money"], a["documents"]["printed"], a["screens"]) == \
            (b["passed"], b["money"], b["documents"]["printed"], b["screens"])


def test_a_failure_in_a_worker_is_reported_and_exits_1() -> None:
    bad = FIXTURES / "false-expectation.jsonl"
    run = kiosk("replay", "-j", "2", str(SAMPLES[0]), str(bad), str(SAMPLES[1]))
    assert run.returncode == 1
    assert f"{bad}:3: expected screen 'payment', found 'terms'" in run.stdout
    assert "2 passed, 1 failed" in run.stdout


def test_a_file_a_worker_cannot_play_exits_2_with_one_line(tmp_path: Path) -> None:
    unknown = tmp_path / "unknown-resident.jsonl"
    unknown.write_text('{"kiosk_session": 1, "start": "2026-11-20T11:00:00+09:00"}\n'
                       '{"start": "certificates"}\n{"agree": true}\n'
                       '{"card": "place", "resident": "r999"}\n')
    run = kiosk("replay", "-j", "2", str(SAMPLES[0]), str(unknown))
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "no resident 'r999'" in run.stderr


@pytest.mark.parametrize("args, message", [
    (["-j", "0"], "-j: 1 to 64 processes"),
    (["-j", "65"], "-j: 1 to 64 processes"),
    (["-j", "2", "--journal", "j.sqlite"], "cannot serve several processes"),
    (["-j", "2", "--pcsc"], "cannot serve several processes"),
])
def test_jobs_out_of_range_or_with_shared_parts_is_refused(args: list[str], message: str,
                                                           tmp_path: Path) -> None:
    run = kiosk("replay", *args, str(SAMPLES[0]))
    assert run.returncode == 2 and message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_record_refuses_a_place_it_cannot_write() -> None:
    run = kiosk("record", "--out", "/proc/no-such-place/visits.jsonl")
    assert run.returncode == 2 and "cannot be written" in run.stderr
    assert "Traceback" not in run.stderr


def test_record_without_a_display_says_so() -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER")}
    run = kiosk("record", "--out", "/tmp/kiosk-record-test/", env=env)
    assert run.returncode == 2 and "needs a display" in run.stderr
