"""Playing session files: each on a kiosk of its own, one after another, or spread over N
processes (``replay -j N``).

Each file plays on a kiosk of its own (its own journal and spool folder), so files are
independent and a process pool can take them in any order; the results come back in the files'
order, for one report. A file that cannot be played is an error message instead of a result.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import tempfile
from collections.abc import Generator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kiosk.config import ConfigError
from kiosk.replay.format import SessionFile
from kiosk.replay.result import Options, Result
from kiosk.replay.runner import Player, SetupError

MAX_JOBS = 64

_options = Options()  # a worker process's options (set once when the pool starts it)


def scratch_dir() -> str | None:
    """Where a session's throw-away kiosk (journal, spool) goes when nothing of it is kept: a
    RAM filesystem if the machine has one (its files are gone after the session anyway)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def play_file(session: SessionFile, options: Options) -> Result:
    """Play one parsed session; its files go under ``options.out/<stem>`` or a temporary dir."""
    if options.out is not None:
        workdir = options.out / session.path.stem
        workdir.mkdir(parents=True, exist_ok=True)
        return Player(session, options, workdir).play()
    with tempfile.TemporaryDirectory(prefix="kiosk-replay-", dir=scratch_dir()) as tmp:
        return Player(session, options, Path(tmp)).play()


def play_or_say_why(session: SessionFile, options: Options) -> Result | str:
    """The session's result, or why it cannot be played (one line)."""
    try:
        return play_file(session, options)
    except (SetupError, ConfigError) as exc:
        return f"cannot play {session.path}: {exc}"
    except (OSError, sqlite3.Error) as exc:  # a folder or journal that cannot be written
        return f"cannot play {session.path}: {exc}"


def _start_worker(options: Options) -> None:
    global _options
    _options = options


def _play_in_worker(session: SessionFile) -> Result | str:
    return play_or_say_why(session, _options)


def play_all(sessions: list[SessionFile], options: Options, jobs: int = 1
             ) -> Generator[Result | str, None, None]:
    """Every session's outcome in order; ``jobs`` > 1 plays them in that many processes."""
    if jobs <= 1 or len(sessions) <= 1:
        for session in sessions:
            yield play_or_say_why(session, options)
        return
    context = multiprocessing.get_context("fork")  # the workers start with what is loaded
    pool = ProcessPoolExecutor(min(jobs, len(sessions)), mp_context=context,
                               initializer=_start_worker, initargs=(options,))
    try:
        yield from pool.map(_play_in_worker, sessions, chunksize=1)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
