"""A throwaway PostgreSQL server for the tests and benchmarks: ``initdb`` and ``pg_ctl`` in a
temporary directory, on a free loopback port (and a socket in that directory), stopped and
removed afterwards. PostgreSQL refuses to run as root: as root it runs as ``postgres``."""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

START_SECONDS = 60  # pg_ctl's own wait for the server to accept connections
USER = "postgres"
_databases = itertools.count(1)


def bindir() -> Path | None:
    """The newest Debian PostgreSQL's binaries, or those on PATH."""
    found = [d for d in Path("/usr/lib/postgresql").glob("*/bin")
             if (d / "pg_ctl").exists() and (d / "initdb").exists()]
    if found:
        return max(found, key=lambda d: int(d.parent.name) if d.parent.name.isdigit() else 0)
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl and shutil.which("initdb") else None


def _runas() -> list[str]:
    """The command prefix that runs PostgreSQL's tools as a user it accepts."""
    return ["runuser", "-u", USER, "--"] if os.geteuid() == 0 else []


def missing() -> str | None:
    """Why no server can be started here, or None."""
    if bindir() is None:
        return "PostgreSQL is not installed (Debian: apt-get install postgresql)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(USER)
        except KeyError:
            return f"running as root, and there is no {USER!r} user to run PostgreSQL as"
        if shutil.which("runuser") is None:
            return "running as root, and there is no runuser to run PostgreSQL as postgres"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class PgServer:
    base: Path
    port: int

    def uri(self, dbname: str = "postgres") -> str:
        return f"postgresql://{USER}@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, name: str = "") -> str:
        """A new, empty database (named, or numbered); its URI."""
        name = name or f"db_{os.getpid()}_{next(_databases)}"
        with psycopg.connect(self.uri(), autocommit=True, connect_timeout=10) as db:
            db.execute(f'CREATE DATABASE "{name}"'.encode())
        return self.uri(name)

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n".join((self.base / "log").read_text(errors="replace").splitlines()[-15:])
        return ""


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    return subprocess.run(_runas() + args, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "LC_ALL": "C"})


def for_tests() -> Iterator[PgServer]:
    """A test fixture's server: skipped where PostgreSQL is missing, unless CI is set (CI
    installs it, and a missing server there is a failure)."""
    reason = missing()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL for the multi-host center: {reason}")
        pytest.skip(reason)
    with running() as server:
        yield server


@contextlib.contextmanager
def running() -> Iterator[PgServer]:
    """A server until the block ends (stopped, its directory removed, whatever happened)."""
    reason = missing()
    if reason is not None:
        raise RuntimeError(reason)
    bins = bindir()
    assert bins is not None
    # as root, where the postgres user can reach it (TMPDIR may be root's own)
    base = Path(tempfile.mkdtemp(prefix="kiosk-pg-", dir="/tmp" if os.geteuid() == 0 else None))
    if os.geteuid() == 0:
        entry = pwd.getpwnam(USER)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    data = base / "data"
    server: PgServer | None = None
    try:
        init = _run([str(bins / "initdb"), "-D", str(data), "-A", "trust", "-U", USER,
                     "-E", "UTF8", "--locale=C", "--no-sync"], timeout=180)
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {(init.stderr or init.stdout).strip()[-500:]}")
        for _ in range(3):  # a port taken between choosing it and binding it: another
            candidate = PgServer(base, _free_port())
            options = (f"-c listen_addresses=127.0.0.1 -c port={candidate.port} "
                       f"-c unix_socket_directories={base} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off "
                       "-c max_connections=200")
            start = _run([str(bins / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w",
                          "-t", str(START_SECONDS), "-o", options, "start"],
                         timeout=START_SECONDS + 30)
            if start.returncode == 0:
                server = candidate
                break
            _stop(bins, data)
        if server is None:
            raise RuntimeError(f"PostgreSQL did not start:\n{PgServer(base, 0).log_tail()}")
        yield server
    finally:
        _stop(bins, data)
        shutil.rmtree(base, ignore_errors=True)


def _stop(bins: Path, data: Path) -> None:
    """Stop the server of ``data`` now (immediate mode), killing it if pg_ctl cannot."""
    if not (data / "postmaster.pid").exists():
        return
    try:
        _run([str(bins / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "30",
              "stop"], timeout=60)
    except subprocess.TimeoutExpired:
        pass
    with contextlib.suppress(OSError, ValueError, IndexError):
        pid = int((data / "postmaster.pid").read_text().splitlines()[0])
        os.kill(pid, signal.SIGKILL)  # the postmaster this module started, still there
