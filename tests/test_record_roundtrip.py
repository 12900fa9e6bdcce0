"""Record every sample session as the harness plays it, and replay the recording: what the
recorder writes (resident and staff actions, the world's faults where the kiosk met them, the
screens, the totals) replays to exit 0, and holds no PIN and no resident's data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, SESSIONS
from test_record import no_secret_in

from kiosk.record.recorder import Recorder
from kiosk.replay.format import parse_session
from kiosk.replay.result import Options
from kiosk.replay.runner import Player

# A power cut starts a new kiosk process: a recording of the old one ends there (kiosk record
# records one process), so those sessions are not round-tripped.
SAMPLES = [*sorted(SESSIONS.glob("*.jsonl")),
           *sorted((ROOT / "tests" / "printer-sessions").glob("*.jsonl"))]
ROUND_TRIP = [p for p in SAMPLES if '"power"' not in p.read_text()]


def record_while_replaying(session: Path, out: Path, workdir: Path) -> Path:
    player = Player(parse_session(session), Options(), workdir)
    recorder = Recorder(player.kiosk, out, per_visit=False)
    close = player.kiosk.close

    def close_recording_first() -> None:
        recorder.close()
        close()

    player.kiosk.close = close_recording_first  # type: ignore[method-assign]
    result = player.play()
    assert result.passed, [f.text(str(session)) for f in result.failures]
    return out


def test_the_round_trip_covers_every_kind_of_line() -> None:
    text = "".join(p.read_text() for p in ROUND_TRIP)
    for action in ('"printer"', '"center"', '"reader"', '"emoney"', '"disk"', '"text"',
                   '"key"', '"insert"', '"tap"', '"language"', '"clock"', '"help"'):
        assert action in text, action


@pytest.mark.parametrize("session", ROUND_TRIP, ids=lambda p: p.stem)
def test_a_recording_of_a_session_replays_to_exit_0(session: Path, tmp_path: Path) -> None:
    recorded = record_while_replaying(session, tmp_path / "recorded.jsonl", tmp_path / "work")
    no_secret_in(recorded)
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", str(recorded)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, (run.stdout + run.stderr[-1500:] + "\n"
                                 + recorded.read_text(encoding="utf-8"))
