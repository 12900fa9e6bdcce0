"""``kiosk fuzz``: random residents' whole sessions on the real harness, invariants after each line.

Each session is written in the replay format as it is played (what the kiosk shows chooses the
plausible lines; now and then any line at all, a center fault, a power cut or a clock jump), so a
session that breaks an invariant is a session file: it is played again to confirm it, shrunk
while it still fails, and written to ``--out``. Exit 0: no violation; 1: violations (each file
named); 2: a usage error.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kiosk.lab.center.world import WorldError
from kiosk.replay.format import MAX_SECONDS
from kiosk.replay.fuzz_gen import Line
from kiosk.replay.fuzz_run import Outcome, dumps, generate, shrink, still_fails
from kiosk.replay.fuzz_world import FuzzWorld

MAX_SESSIONS = 1_000_000
SHRINK_EACH = 3  # counterexamples shrunk per distinct finding
LISTED = 5  # sessions listed per distinct finding
_NUMBERS = re.compile(r"[0-9A-F]{6,}|\d+")  # ids and amounts differ between sessions
WORLDS = ("sample", "honseki", "mixed")


@dataclass(frozen=True)
class Plan:
    """What a run does; one session is ``(plan, index)``, the same on any worker."""

    seed: int
    world: str  # sample | honseki | mixed | a world file
    root: Path | None  # where sessions keep their files (tmpfs when there is one)
    shrink_seconds: float
    max_idle: float = MAX_SECONDS  # the longest idle line (to steer clear of a known finding)


@dataclass
class Tally:
    """What the run did, summed over its sessions."""

    sessions: int = 0
    steps: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    checks: Counter[str] = field(default_factory=Counter)
    screens: Counter[str] = field(default_factory=Counter)
    messages: Counter[str] = field(default_factory=Counter)
    found: list[Outcome] = field(default_factory=list)
    setup_errors: list[Outcome] = field(default_factory=list)

    def add(self, out: Outcome) -> None:
        self.sessions += 1
        self.steps += out.steps
        self.faults += out.faults
        self.checks += out.checks
        self.screens += out.screens
        self.messages += out.messages
        if out.violations:
            self.found.append(out)
        if out.setup_error:
            self.setup_errors.append(out)


def _world_for(plan: Plan, rng: random.Random) -> FuzzWorld:
    name = plan.world
    if name == "mixed":
        name = rng.choice(("sample", "sample", "honseki"))
    return FuzzWorld.named(name)


def run_one(plan: Plan, index: int) -> Outcome:
    """Session ``index`` of the plan: generated and checked; played again if it failed."""
    rng = random.Random(f"{plan.seed}:{index}")
    try:
        world = _world_for(plan, rng)
        out = generate(index, rng, world, plan.root, f"fuzz seed {plan.seed} session {index}",
                       plan.max_idle)
        if out.violations:
            out.reproduced = still_fails(out.violations[0].kind, plan.root)(out.lines)
    except Exception as exc:  # the fuzzer's own bug: reported, and the run goes on
        out = Outcome(index, setup_error=f"the fuzzer failed: {type(exc).__name__}: {exc}")
    return out


def signature(outcome: Outcome) -> str:
    """What tells one finding from another: the invariant, and its detail without numbers."""
    first = outcome.violations[0]
    return f"{first.kind}: {_NUMBERS.sub('#', first.detail)[:120]}"


def shrink_found(plan: Plan, found: list[Outcome]) -> None:
    """Shrink the first few counterexamples of each finding (the rest are written whole)."""
    done: Counter[str] = Counter()
    for outcome in found:
        key = signature(outcome)
        if outcome.reproduced and plan.shrink_seconds > 0 and done[key] < SHRINK_EACH:
            done[key] += 1
            fails = still_fails(outcome.violations[0].kind, plan.root)
            outcome.shrunk = shrink(outcome.lines, fails, plan.shrink_seconds, outcome.ending)


def _outcomes(plan: Plan, sessions: int, jobs: int) -> Iterator[Outcome]:
    if jobs <= 1:
        for index in range(sessions):
            yield run_one(plan, index)
        return
    with ProcessPoolExecutor(jobs) as pool:
        yield from pool.map(run_one, [plan] * sessions, range(sessions), chunksize=8)


def _tmpfs() -> Path | None:
    """A RAM disk for the journals, when there is one: the journal syncs every write."""
    shm = Path("/dev/shm")
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="kiosk fuzz", description=__doc__.splitlines()[0])
    p.add_argument("--sessions", type=int, default=200, help="how many (1 to 1000000)")
    p.add_argument("--seed", type=int, default=None, help="the run's seed (default: random)")
    p.add_argument("--out", type=Path, default=Path("fuzz-out"),
                   help="where counterexample session files are written")
    p.add_argument("--world", default="sample",
                   help="sample, honseki (tests/worlds/honseki.toml), mixed, or a world file")
    p.add_argument("--jobs", type=int, default=min(8, os.cpu_count() or 1),
                   help="sessions played side by side (default: one per core)")
    p.add_argument("--shrink-seconds", type=float, default=60.0,
                   help="time spent shrinking each counterexample (0: write it whole)")
    p.add_argument("--max-idle", type=float, default=MAX_SECONDS,
                   help="the longest idle line, in seconds (to look past a known finding)")
    return p


def main(argv: list[str], out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the fuzzer; exit 0 when every invariant held, 1 on a violation, 2 on bad usage."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        print(f"kiosk fuzz: --sessions must be 1 to {MAX_SESSIONS}", file=err)
        return 2
    if not 1 <= args.jobs <= 64 or not 0 <= args.shrink_seconds <= 3600:
        print("kiosk fuzz: --jobs must be 1 to 64, --shrink-seconds 0 to 3600", file=err)
        return 2
    if not 1 <= args.max_idle <= MAX_SECONDS:
        print(f"kiosk fuzz: --max-idle must be 1 to {MAX_SECONDS:g} seconds", file=err)
        return 2
    if args.world not in WORLDS:
        try:
            FuzzWorld.named(args.world)
        except WorldError as exc:
            print(f"kiosk fuzz: --world: {exc}", file=err)
            return 2
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**31)
    plan = Plan(seed, args.world, _tmpfs(), args.shrink_seconds, args.max_idle)
    tally = Tally()
    started = time.perf_counter()
    every = max(1, args.sessions // 10)
    for outcome in _outcomes(plan, args.sessions, args.jobs):
        tally.add(outcome)
        if tally.sessions % every == 0 and tally.sessions < args.sessions:
            rate = tally.sessions / (time.perf_counter() - started)
            print(f"… {tally.sessions}/{args.sessions} sessions, {len(tally.found)} with "
                  f"violations, {rate:.1f}/s", file=err, flush=True)
    seconds = time.perf_counter() - started
    shrink_found(plan, tally.found)
    written = _write_found(tally, plan, args.out, err) if tally.found else []
    _summary(tally, plan, seconds, written, out)
    return 1 if tally.found or tally.setup_errors else 0


def _write_found(tally: Tally, plan: Plan, where: Path, err: TextIO) -> list[Path]:
    """Each counterexample as a session file named after the seed, session and invariant."""
    try:
        where.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        print(f"kiosk fuzz: --out: {where} cannot be made: {exc.strerror}", file=err)
        return []
    paths = []
    for outcome in tally.found:
        first = outcome.violations[0]
        lines = _relative_world(outcome.shrunk or outcome.lines, where)
        lines[0] = {**lines[0], "name": f"fuzz seed {plan.seed} session {outcome.index}: "
                    f"{first.kind}" + ("" if outcome.reproduced else " (did not reproduce)")}
        path = where / f"fuzz-{plan.seed}-{outcome.index}-{first.kind}.jsonl"
        path.write_text(dumps(lines), encoding="utf-8")
        paths.append(path)
    return paths


def _relative_world(lines: list[Line], where: Path) -> list[Line]:
    """A world file named relative to where the session file goes (it is read from there)."""
    header = dict(lines[0])
    world = str(header.get("world", "sample"))
    if world != "sample":
        header["world"] = os.path.relpath(world, where.resolve())
    return [header, *lines[1:]]


def _summary(tally: Tally, plan: Plan, seconds: float, written: list[Path],
             out: TextIO) -> None:
    def counts(counter: Counter[str]) -> str:
        return ", ".join(f"{k} {n}" for k, n in sorted(counter.items())) or "none"

    rate = tally.sessions / seconds if seconds else 0.0
    print(f"kiosk fuzz: {tally.sessions} sessions, {tally.steps} lines played (seed "
          f"{plan.seed}, world {plan.world}) in {seconds:.1f} s, {rate:.1f} sessions/s", file=out)
    print(f"faults injected ({sum(tally.faults.values())}): {counts(tally.faults)}", file=out)
    print(f"invariants checked ({sum(tally.checks.values())}): {counts(tally.checks)}",
          file=out)
    print(f"screens reached ({len(tally.screens)}): {counts(tally.screens)}", file=out)
    print(f"reasons shown ({len(tally.messages)}): {counts(tally.messages)}", file=out)
    for outcome in tally.setup_errors:
        print(f"FUZZER BUG session {outcome.index}: {outcome.setup_error}", file=out)
    groups: dict[str, list[tuple[Outcome, Path | None]]] = {}
    paths: list[Path | None] = [*written] or [None] * len(tally.found)
    for outcome, path in zip(tally.found, paths, strict=True):
        groups.setdefault(signature(outcome), []).append((outcome, path))
    print(f"violations: {sum(len(o.violations) for o in tally.found)} in "
          f"{len(tally.found)} sessions, {len(groups)} distinct", file=out)
    for key, members in groups.items():
        print(f"finding: {key} ({len(members)} sessions)", file=out)
        for outcome, path in members[:LISTED]:
            for v in outcome.violations:
                print(f"  session {outcome.index} {v.text()}", file=out)
            size = len(outcome.shrunk or outcome.lines)
            note = "" if outcome.reproduced else ", did not reproduce on replay"
            print(f"    -> {path or '(not written)'} ({size} of {len(outcome.lines)} lines"
                  f"{note})", file=out)
        if len(members) > LISTED:
            print(f"  … and {len(members) - LISTED} more sessions, each written to --out",
                  file=out)
