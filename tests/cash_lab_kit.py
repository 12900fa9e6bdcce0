"""``kiosk cash lab`` as a real process for the tests: started in a directory, its ready line
awaited (bounded), stopped with SIGTERM at the end (bounded)."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.lab.cash.cash_set import READY

ROOT = Path(__file__).resolve().parents[1]
START_WITHIN = 30.0  # seconds for the lab to say it is ready (a loaded machine)
STOP_WITHIN = 10.0


def kiosk(*args: str, timeout: float = 120, cwd: Path | None = None,
          ) -> subprocess.CompletedProcess[str]:
    """A kiosk command in a real process. Not run from the checkout: ``-m`` puts the working
    directory first on sys.path, where a stale ``*.egg-info`` would hide the installed entry
    points (the drivers)."""
    return subprocess.run([sys.executable, "-m", "kiosk", *args], capture_output=True,
                          text=True, cwd=cwd or Path("/"), timeout=timeout)


@dataclass
class Lab:
    directory: Path
    process: subprocess.Popen[str]
    ready: str
    lines: list[str] = field(default_factory=list)

    @property
    def config(self) -> Path:
        return self.directory / "cash.toml"


def _read(stream: object, lines: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        lines.put(line.rstrip("\n"))
    lines.put(None)


def lines_of(process: subprocess.Popen[str]) -> queue.Queue[str | None]:
    """The process's output lines as they come (None at its end), read by a thread."""
    said: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read, args=(process.stdout, said), daemon=True).start()
    return said


@contextmanager
def cash_lab(directory: Path, hopper_coins: int = 200) -> Iterator[Lab]:
    """The lab serving under ``directory``; its links are gone when this ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "cash", "lab", "--dir", str(directory),
         "--hopper-coins", str(hopper_coins)], stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, cwd=directory,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    said = lines_of(process)
    seen: list[str] = []
    try:
        while True:
            try:
                line = said.get(timeout=START_WITHIN)
            except queue.Empty:
                raise AssertionError(f"kiosk cash lab said nothing ready within "
                                     f"{START_WITHIN:g} s: {seen}") from None
            if line is None:
                raise AssertionError(f"kiosk cash lab ended before it was ready: {seen}")
            seen.append(line)
            if line.startswith(READY):
                break
        yield Lab(directory, process, line, seen)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=STOP_WITHIN)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_WITHIN)
