"""One fuzzed session: generated line by line on the real harness, checked after each line; and
a session file played again, for confirming and shrinking what was found."""

from __future__ import annotations

import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kiosk.config import ConfigError
from kiosk.replay.format import MAX_SECONDS, FormatError, Step, parse_session
from kiosk.replay.fuzz_check import CheckedPlayer, Violation, captured_logs, escaped
from kiosk.replay.fuzz_gen import Line, Resident, Seen
from kiosk.replay.fuzz_world import FuzzWorld
from kiosk.replay.runner import SetupError

MAX_LINES = 160  # lines a resident writes before the ending, at most


@dataclass
class Outcome:
    """What one session played and found."""

    index: int
    lines: list[Line] = field(default_factory=list)  # the header first
    violations: list[Violation] = field(default_factory=list)
    checks: Counter[str] = field(default_factory=Counter)
    faults: Counter[str] = field(default_factory=Counter)
    screens: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)  # reason codes the screens showed
    setup_error: str = ""  # the generator wrote a line the harness cannot play (a fuzzer bug)
    ending: int = 0  # lines of the ending played (nobody comes back): never shrunk away
    shrunk: list[Line] | None = None
    reproduced: bool = True
    seconds: float = 0.0

    @property
    def steps(self) -> int:
        return len(self.lines) - 1


def dumps(lines: list[Line]) -> str:
    """A session file's text."""
    return "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def fault_kind(line: Line) -> str | None:
    """The fault a world line injects, by kind (None for a resident's line)."""
    if "center" in line:
        value = str(line["center"])
        return "center:" + ("slow" if value.startswith("slow:") else value)
    if "power" in line:
        return "power:cut"
    if "clock" in line:
        return "clock:jump"
    return None


class Scratch:
    """A folder for one session: the kiosk's files (``kiosk/``) and the session file beside."""

    def __init__(self, root: Path | None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="kiosk-fuzz-", dir=root)
        self.path = Path(self._tmp.name)
        self.kiosk = self.path / "kiosk"
        self.file = self.path / "session.jsonl"

    def step(self, header: Line, line: Line, number: int) -> Step:
        """One line, checked by the format's own parser, as line ``number`` of the file."""
        one = self.path / "line.jsonl"
        one.write_text(dumps([header, line]), encoding="utf-8")
        return replace(parse_session(one).steps[0], line=number)

    def close(self) -> None:
        self._tmp.cleanup()


def generate(index: int, rng: random.Random, world: FuzzWorld, root: Path | None,
             name: str, max_idle: float = MAX_SECONDS) -> Outcome:
    """Write and play one random session, checking after every line."""
    started = time.perf_counter()
    out = Outcome(index)
    scratch = Scratch(root)
    resident = Resident(rng, world, max_idle=max_idle)
    header = resident.header(name)
    out.lines.append(header)
    scratch.file.write_text(dumps([header]), encoding="utf-8")
    try:
        with captured_logs() as logs:
            player = CheckedPlayer(parse_session(scratch.file), scratch.kiosk, logs)
            try:
                _play_generated(player, resident, scratch, out)
            finally:
                player.close()
                out.checks, out.violations = player.checks, player.violations
    except (SetupError, ConfigError, FormatError) as exc:
        out.setup_error = f"a line the harness cannot play: {exc}"
    except Exception as exc:  # the kiosk did not even start: a finding at the header
        out.violations = [escaped(exc, 1)]
    finally:
        scratch.close()
    out.seconds = time.perf_counter() - started
    return out


def _play_generated(player: CheckedPlayer, resident: Resident, scratch: Scratch,
                    out: Outcome) -> None:
    header = out.lines[0]
    ending: list[Line] | None = None
    while True:
        seen = _seen(player)
        out.screens[seen.view.screen] += 1
        if seen.view.message:
            out.messages[seen.view.message] += 1
        line: Line | None = None
        if ending is None:
            if len(out.lines) > MAX_LINES:
                resident.visits = 0  # finish the visit under way, start no other
            if len(out.lines) <= MAX_LINES + MAX_LINES // 4:
                line = resident.next_line(seen)
            if line is None:
                ending = resident.ending()
        if ending is not None:
            if not ending:
                break
            line = ending.pop(0)
            out.ending += 1
        assert line is not None
        out.lines.append(line)
        kind = fault_kind(line)
        if kind:
            out.faults[kind] += 1
        if not player.step(scratch.step(header, line, len(out.lines))):
            return
    player.finish()


def _seen(player: CheckedPlayer) -> Seen:
    k = player.kiosk
    now = player.clock.now()
    tray: Any = k.tray
    return Seen(k.session.view(), now, (now - player.file.header.start).total_seconds(),
                bool(k.slot and k.slot.card_present), int(getattr(tray, "sheets", 0)),
                int(getattr(tray, "coins", 0)))


def replay(lines: list[Line], root: Path | None) -> list[Violation]:
    """Play session-file lines with every check; SetupError and FormatError pass through."""
    scratch = Scratch(root)
    try:
        scratch.file.write_text(dumps(lines), encoding="utf-8")
        return replay_file(scratch.file, root)
    finally:
        scratch.close()


def replay_file(path: Path, root: Path | None) -> list[Violation]:
    """Play a session file with every check (its world is read from beside it)."""
    session = parse_session(path)
    scratch = Scratch(root)
    try:
        with captured_logs() as logs:
            try:
                player = CheckedPlayer(session, scratch.kiosk, logs)
            except (SetupError, ConfigError):
                raise
            except Exception as exc:  # as generate() counts it: a finding at the header
                return [escaped(exc, 1)]
            try:
                for step in session.steps:
                    if not player.step(step):
                        break
                else:
                    player.finish()
            finally:
                player.close()
        return player.violations
    finally:
        scratch.close()


def still_fails(kind: str, root: Path | None) -> Callable[[list[Line]], bool]:
    """Whether a session file still breaks the invariant ``kind``."""

    def fails(lines: list[Line]) -> bool:
        try:
            return any(v.kind == kind for v in replay(lines, root))
        except (SetupError, ConfigError, FormatError):
            return False  # a cut that leaves a line the harness cannot play

    return fails


def shrink(lines: list[Line], fails: Callable[[list[Line]], bool], seconds: float,
           ending: int = 0) -> list[Line]:
    """Fewer lines that still fail (delta debugging; the header and ``ending`` stay)."""
    deadline = time.monotonic() + seconds
    cut_at = len(lines) - ending
    head, body, end = lines[:1], lines[1:cut_at], lines[cut_at:]
    chunk = max(1, len(body) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, cut = 0, False
        while i < len(body) and time.monotonic() < deadline:
            candidate = body[:i] + body[i + chunk:]
            if fails(head + candidate + end):
                body, cut = candidate, True
            else:
                i += chunk if chunk > 2 else 1  # small cuts: at every offset
        if not cut:
            chunk //= 2
    untimed = [{k: v for k, v in line.items() if k != "at"} for line in body]
    if untimed != body and time.monotonic() < deadline and fails(head + untimed + end):
        body = untimed
    return head + body + end
