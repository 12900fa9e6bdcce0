"""``kiosk replay``: play session files, report; exit 0 all hold, 1 one failed, 2 bad input."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any, TextIO

from kiosk.config import ConfigError, resolve_paths
from kiosk.replay.format import FormatError, parse_session
from kiosk.replay.parallel import play_all
from kiosk.replay.result import Options, Result
from kiosk.schema import TomlError, load_toml

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def load_config_data(path: Path) -> dict[str, Any]:
    """The raw tables of a --config file (checked when merged with each session's overrides)."""
    try:
        data = load_toml(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except TomlError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror}") from None
    return resolve_paths(data, path.resolve().parent)


def _unwritable(options: Options) -> str:
    """Why --out or --journal cannot be written (before any session runs), or ""."""
    for flag, folder in (("--out", options.out),
                         ("--journal", options.journal.parent if options.journal else None)):
        if folder is None:
            continue
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return f"{flag}: {folder} cannot be written: {exc.strerror or exc}"
    if options.journal is not None and options.journal.exists() and (
            not options.journal.is_file() or not os.access(options.journal, os.W_OK)):
        return f"--journal: {options.journal} is not a journal file this user can write"
    return ""


def replay(files: list[Path], options: Options, out: TextIO = sys.stdout,
           err: TextIO = sys.stderr, jobs: int = 1) -> int:
    """Play every file (in ``jobs`` processes); print one line per session and a summary;
    write report.json with --out."""
    try:
        sessions = [parse_session(f) for f in files]
    except FormatError as exc:
        print(f"malformed session file: {exc}", file=err)
        return EXIT_BAD_INPUT
    problem = _unwritable(options)
    if problem:
        print(problem, file=err)
        return EXIT_BAD_INPUT
    results: list[Result] = []
    outcomes = play_all(sessions, options, jobs)
    for session, result in zip(sessions, outcomes, strict=True):
        if isinstance(result, str):
            outcomes.close()  # the pool stops: the rest would not be reported
            print(result, file=err)
            return EXIT_BAD_INPUT
        results.append(result)
        mark = "pass" if result.passed else "FAIL"
        print(f"{mark}  {session.path}  ({result.name})", file=out)
        for failure in result.failures:
            print(f"      {failure.text(str(session.path))}", file=out)
    passed = sum(r.passed for r in results)
    print(f"{passed} passed, {len(results) - passed} failed", file=out)
    if options.out is not None:
        options.out.mkdir(parents=True, exist_ok=True)
        report = {"passed": passed, "failed": len(results) - passed,
                  "sessions": [r.report() for r in results]}
        (options.out / "report.json").write_text(json.dumps(report, indent=2, ensure_ascii=False),
                                                 encoding="utf-8")
    return EXIT_OK if passed == len(results) else EXIT_FAILED
