"""The harness as a user runs it: `kiosk replay` in a real process, exit codes and report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, SESSIONS

from kiosk.replay.format import FormatError, parse_session

SAMPLES = sorted(SESSIONS.glob("*.jsonl"))


def kiosk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120)


def test_every_sample_session_passes_and_reports(tmp_path: Path) -> None:
    assert len(SAMPLES) >= 4
    run = kiosk("replay", "--out", str(tmp_path), *map(str, SAMPLES))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["passed"] == len(SAMPLES) and report["failed"] == 0
    happy = next(s for s in report["sessions"] if "one-copy" in s["file"])
    assert [v["screen"] for v in happy["screens"]][:4] == ["idle", "terms", "await_card",
                                                           "reading_card"]
    assert happy["money"] == {"paid": 1000, "fees": 200, "change": 800, "refunded": 0}
    assert happy["documents"]["printed"] == 1 and happy["documents"]["pages"] == 2
    assert 0 < happy["apdus"] <= 16
    assert happy["machine_time_ms"]["requesting"] > 0
    pdf = Path(happy["documents"]["files"][0]).read_bytes()
    assert pdf.startswith(b"%PDF-") and b"/FontFile2" in pdf


def test_a_false_expectation_exits_1_naming_file_line_expected_and_found() -> None:
    bad = FIXTURES / "false-expectation.jsonl"
    run = kiosk("replay", str(bad))
    assert run.returncode == 1
    assert f"{bad}:3: expected screen 'payment', found 'terms'" in run.stdout


def test_a_malformed_file_exits_2_with_one_clear_line() -> None:
    bad = FIXTURES / "malformed-line.jsonl"
    run = kiosk("replay", str(bad))
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{bad}:3:" in lines[0] and "exactly one action" in lines[0]


@pytest.mark.parametrize("line, message", [
    ('{"pin": 1234}', ":2: pin: must be a string of digits"),
    ('{"at": 5, "start": "certificates"}\n{"at": 3, "agree": true}', ":3: at: goes back in time"),
    ('{"card": "place"}', ":2: card: must be \"place\" with a resident id"),
    ('{"expect": {"colour": "red"}}', ":2: expect: 'colour' cannot be checked"),
    ('{"printer": "smoke"}', ":2: printer: must be one of ok, jam, media-empty, offline"),
    ('{"power": "off"}', ":2: power: must be \"cut\""),
    ('{"expect_end": {"paid": 1}}\n{"start": "x"}', ":2: expect_end: must be the last line"),
    ("not json", ":2: not JSON"),
    ('{"text": {"honseki": "宇田川町1番1号"}}',
     ":2: text: honseki: '宇' is not on the on-screen keyboard"),
    ('{"text": {"hittousha": "１"}}', ":2: text: hittousha: '１' is not on the on-screen"),
    ('{"text": {"honseki": ""}}', ":2: text: honseki: must be text of 1 to 200 characters"),
    ('{"text": "うだがわ"}', ":2: text: must be an object of field names"),
    ('{"center": "approve"}', ":2: center: must be ok, down"),
    ('{"expect_end": {"registrations": -1}}', ":2: expect_end.registrations: must be a count"),
    ('{"key": "page-down"}', ":2: key: must be \"operator\" or a keypad key (up, down"),
    ('{"key": 5}', ":2: key: must be \"operator\" or a keypad key"),
    ('{"expect": {"said": ""}}', ":2: expect: said must be text of 1 to 500 characters"),
    ('{"expect": {"focus": 3}}', ":2: expect: focus must be text of 1 to 500 characters"),
])
def test_format_errors_name_line_and_field(tmp_path: Path, line: str, message: str) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text('{"kiosk_session": 1, "start": "2026-11-21T10:00:00+09:00"}\n' + line + "\n")
    with pytest.raises(FormatError) as info:
        parse_session(f)
    assert message in str(info.value)


def test_a_header_of_another_version_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text('{"kiosk_session": 2, "start": "2026-11-21T10:00:00+09:00"}\n')
    with pytest.raises(FormatError, match="kiosk_session: format version 2"):
        parse_session(f)


def test_an_unknown_resident_exits_2(tmp_path: Path) -> None:
    f = tmp_path / "s.jsonl"
    f.write_text('{"kiosk_session": 1, "start": "2026-11-21T10:00:00+09:00"}\n'
                 '{"start": "certificates"}\n{"agree": true}\n'
                 '{"card": "place", "resident": "r999"}\n')
    run = kiosk("replay", str(f))
    assert run.returncode == 2 and "r999" in run.stderr and "Traceback" not in run.stderr


def test_the_journal_is_kept_across_runs_with_journal(tmp_path: Path) -> None:
    journal = tmp_path / "j.sqlite"
    sample = str(SESSIONS / "r001-juminhyo-one-copy.jsonl")
    for _ in range(2):
        assert kiosk("replay", "--journal", str(journal), sample).returncode == 0
    import sqlite3

    with sqlite3.connect(journal) as db:
        assert db.execute("SELECT COUNT(*) FROM orders WHERE state='completed'").fetchone() == (2,)


def test_a_config_file_for_replay_is_checked_and_its_paths_are_its_own(tmp_path: Path) -> None:
    from kiosk.replay.harness import load_config_data

    (tmp_path / "kiosk.toml").write_text('[center]\nworld = "worlds/town.toml"\n')
    data = load_config_data(tmp_path / "kiosk.toml")
    assert data["center"]["world"] == str(tmp_path / "worlds" / "town.toml")
    (tmp_path / "bad.toml").write_text('[payment]\nmethods = ["gold"]\n')
    run = kiosk("replay", "--config", str(tmp_path / "bad.toml"),
                str(SESSIONS / "r004-pin-locked.jsonl"))
    assert run.returncode == 2 and "payment.methods: must list cash" in run.stderr
