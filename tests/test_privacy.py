"""The PIN never leaves the card, and what a resident types on the kana keyboard is never kept:
replay every sample with DEBUG logging and search every byte the kiosk wrote (log, journal with
its WAL, report, screenshots, printed PDFs) for them."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import SESSIONS
from pypdf import PdfReader


def pins_typed(files: list[Path]) -> set[str]:
    """PIN lines, and four digits pressed in a row on the keypad (the keys-and-voice visits)."""
    pins = set()
    for f in files:
        digits = ""
        for line in f.read_text().splitlines():
            obj = json.loads(line)
            if "pin" in obj:
                pins.add(obj["pin"])
            key = obj.get("key")
            digits = digits + key if isinstance(key, str) and key.isdigit() else ""
            if len(digits) == 4:
                pins.add(digits)
    return pins


def texts_typed(files: list[Path]) -> set[str]:
    """What residents typed on the on-screen keyboard (the 本籍地 registration's form)."""
    return {text for f in files for line in f.read_text().splitlines()
            for text in json.loads(line).get("text", {}).values()}


def readable_bytes(path: Path) -> bytes:
    """What of a file can carry text: a PNG's metadata chunks (its pixels are compressed runs in
    which any four bytes turn up by chance, and screens are checked for the PIN's digits in
    test_screens); a PDF's text and metadata (its compressed streams are such runs too, and its
    dictionaries hold lengths such as "/Length 1470"); everything else whole."""
    data = path.read_bytes()
    if data.startswith(b"%PDF-"):
        reader = PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() for page in reader.pages)
        return (text + "\n" + str(dict(reader.metadata or {}))).encode("utf-8")
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data
    chunks, pos = [], 8
    while pos + 8 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind not in (b"IDAT", b"IEND"):
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(chunks)


def test_no_pin_in_any_log_line_or_file(tmp_path: Path) -> None:
    samples = sorted(SESSIONS.glob("*.jsonl"))
    pins = pins_typed(samples)
    assert pins, "the samples type PINs"
    out, journal = tmp_path / "out", tmp_path / "journal.sqlite"
    env = dict(os.environ, KIOSK_LOG_LEVEL="DEBUG")
    run = subprocess.run(
        [sys.executable, "-m", "kiosk", "replay", "--out", str(out), "--screenshots",
         "--journal", str(journal), *map(str, samples)],
        capture_output=True, text=True, env=env, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    log = tmp_path / "kiosk.log"
    log.write_text(run.stdout + run.stderr)
    assert "DEBUG" in run.stderr, "DEBUG logging was on"
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".pdf" for p in written) and any(p.suffix == ".png" for p in written)
    assert any(p.name.startswith("journal.sqlite") for p in written)
    for pin in pins:
        # The digits standing alone: not inside a longer number or id, nor the digits of a
        # decimal number (the report's timings, 1357.2 ms) — a PIN ending a sentence still counts.
        pattern = re.compile(rb"(?<![0-9A-Za-z])(?<!\d\.)" + pin.encode()
                             + rb"(?![0-9A-Za-z])(?!\.\d)")
        for path in written:
            data = readable_bytes(path)
            assert not pattern.search(data), f"PIN found in {path.name}"
            assert pin.encode("utf-16-le") not in data, f"PIN (UTF-16) found in {path.name}"
    texts = texts_typed(samples)
    assert texts, "the samples type a registration form"
    for text in texts:
        for path in written:
            data = readable_bytes(path)
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                assert text.encode(encoding) not in data, f"typed text found in {path.name}"
            assert json.dumps(text).encode() not in data, f"typed text found in {path.name}"
