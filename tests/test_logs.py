"""Log lines and their redaction: no PIN, individual number, resident name or address in
anything the kiosk logs, replaying every sample session with DEBUG logging."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, SESSIONS

from kiosk.field.logs import LineFormatter, Redactor, install_logging, world_redactions
from kiosk.lab.center.content import individual_number
from kiosk.lab.center.world import load_world

WORLDS = [load_world(), load_world(ROOT / "tests" / "worlds" / "with-kawasaki-register.toml")]


def pins_typed() -> set[str]:
    pins = set()
    for f in SESSIONS.glob("*.jsonl"):
        for line in f.read_text().splitlines():
            obj = json.loads(line)
            if "pin" in obj:
                pins.add(obj["pin"])
    return pins


def personal_data() -> list[str]:
    """Everything of the worlds' residents that must never be written, spaced or not."""
    found: set[str] = set()
    for world in WORLDS:
        for r in world.residents:
            number = individual_number(r.id)
            found |= {number, number.replace(" ", ""), r.name.kanji, r.name.kana, r.address,
                      r.name.kanji.replace(" ", ""), r.name.kana.replace(" ", "")}
            if r.residence is not None:
                found.add(r.residence.card_number)
    return sorted(found)


def leaks(text: str) -> list[str]:
    out = [s for s in personal_data() if s.lower() in text.lower()]
    for pin in pins_typed():  # standing alone, as in test_privacy
        if re.search(rf"(?<![0-9A-Za-z])(?<!\d\.){pin}(?![0-9A-Za-z])(?!\.\d)", text):
            out.append(f"PIN {pin}")
    return out


@pytest.fixture
def restore_root() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, filters, level = root.handlers[:], root.filters[:], root.level
    yield root
    root.handlers[:], root.filters[:] = handlers, filters
    root.setLevel(level)


def test_the_redactor_masks_each_kind_of_personal_data(restore_root: logging.Logger) -> None:
    names = [s for w in WORLDS for s in world_redactions(w)]
    buf = io.StringIO()
    install_logging(logging.DEBUG, names, stream=buf)
    log = logging.getLogger("kiosk.test")
    r = WORLDS[0].residents[0]
    foreign = next(x for x in WORLDS[0].residents if x.residence is not None)
    log.info("PIN entered: %s", "1234")
    log.debug("暗証番号 %s", "4321")
    log.debug("verify pin=%r", bytearray(b"5678"))
    log.info("number %s / %s", individual_number(r.id), individual_number(r.id).replace(" ", ""))
    log.info("resident %s (%s) of %s", r.name.kanji.replace(" ", ""), r.name.kana, r.address)
    log.warning("card %s", foreign.residence.card_number, extra={"who": foreign.name.kana})
    try:
        raise ValueError(f"lookup failed for {r.name.kanji}")
    except ValueError:
        log.exception("broke")
    log.info("kept: year 2026, 1200 yen, 3 tries, order o-1234abcd")
    text = buf.getvalue()
    assert not leaks(text.replace("o-1234abcd", "")), text
    assert "kept: year 2026, 1200 yen, 3 tries, order o-1234abcd" in text
    lines = text.splitlines()
    assert len(lines) == 8, "one line per record, tracebacks included"
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} [A-Z]+ kiosk\.test: ", x)
               for x in lines), lines
    assert "who=[redacted]" in lines[5]


def test_under_systemd_no_timestamp_and_a_priority(monkeypatch: pytest.MonkeyPatch,
                                                   restore_root: logging.Logger) -> None:
    monkeypatch.setenv("JOURNAL_STREAM", "8:12345")
    buf = io.StringIO()
    install_logging("INFO", [], stream=buf)
    logging.getLogger("kiosk.session").warning("out of service: %s", "printer",
                                              extra={"state": "idle", "note": "two words"})
    assert buf.getvalue() == ('<4>WARNING kiosk.session: out of service: printer state=idle '
                              'note="two words"\n')


def test_installing_again_replaces_the_handler(restore_root: logging.Logger) -> None:
    buf = io.StringIO()
    install_logging("INFO", ["山田 太郎"], stream=buf)
    install_logging("INFO", ["佐藤 花子"], stream=buf)
    logging.getLogger("kiosk").info("%s %s", "山田 太郎", "佐藤花子")
    assert buf.getvalue().count("\n") == 1
    assert "[redacted]" in buf.getvalue() and "佐藤" not in buf.getvalue()


def test_every_record_of_a_debug_replay_is_clean(restore_root: logging.Logger) -> None:
    """The filter on the records the kiosk really logs, replaying every sample in-process."""
    from kiosk.replay.harness import replay
    from kiosk.replay.result import Options

    raw: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            raw.append(record)

    buf = io.StringIO()
    redactor = install_logging(logging.DEBUG, [s for w in WORLDS for s in world_redactions(w)],
                               stream=buf)
    keep = Keep()
    keep.addFilter(redactor)
    restore_root.addHandler(keep)
    out = io.StringIO()
    code = replay(sorted(SESSIONS.glob("*.jsonl")), Options(), out=out, err=out)
    assert code == 0, out.getvalue()[-2000:]
    assert len(raw) > 500 and any(r.levelno == logging.DEBUG for r in raw)
    formatter = LineFormatter(journal=False)
    text = "\n".join(formatter.format(r) for r in raw)
    assert not leaks(text)
    assert not leaks(buf.getvalue())


def test_a_debug_replay_writes_no_personal_data(tmp_path: Path) -> None:
    samples = sorted(SESSIONS.glob("*.jsonl"))
    env = dict(os.environ, KIOSK_LOG_LEVEL="DEBUG")
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--journal",
                          str(tmp_path / "journal.sqlite"), *map(str, samples)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr[-2000:]
    assert "DEBUG" in run.stderr, "DEBUG logging was on"
    assert not leaks(run.stdout + run.stderr)


def test_redactor_keeps_what_is_not_personal() -> None:
    r = Redactor(["東京都渋谷区宇田川町1番1号"])
    assert r.redact("state pin_entry, tries 2") == "state pin_entry, tries 2"
    assert r.redact("APDU INS 20 -> 9000 (0 bytes)") == "APDU INS 20 -> 9000 (0 bytes)"
    assert r.redact("municipality 131130, fee 300") == "municipality 131130, fee 300"
    assert r.redact("at 東京都 渋谷区宇田川町1番1号") == "at [redacted]"
    assert r.redact("in-card AB12345678CD.") == "in-card [redacted]."
