"""The hands over a unix socket at ``<link>.hands``: one line in, one line answered.

The same words as the emulator's standard input, for tests, the harness and the demo. A line
too long, not UTF-8, or a word the device does not know gets one line of error back; the
server never dies of what a client sends. Every wait is bounded.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import stat
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.lab.cash.pty_link import LinkError

log = logging.getLogger(__name__)

MAX_LINE = 512  # bytes: a word is short
IDLE = 120.0  # seconds a client may stay silent before it is let go
TICK = 0.1  # the accept loop looks at its stop event this often


def hands_path(link: Path) -> Path:
    """Where a device linked at ``link`` takes its hands."""
    return link.with_name(link.name + ".hands")


class HandsServer:
    """Listens at ``path``; each line goes to ``word`` and its answer goes back."""

    def __init__(self, path: Path, word: Callable[[str], str]) -> None:
        if path.exists() or path.is_symlink():
            if not _stale_socket(path):
                raise LinkError(f"{path} already exists: choose another path or remove it")
            path.unlink()  # a socket nobody listens on: left by a killed lab
        self.path = path
        self._word = word
        self._lock = threading.Lock()  # one word at a time across clients
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.bind(str(path))
        except OSError as exc:
            self._sock.close()
            raise LinkError(f"cannot listen at {path}: {exc.strerror or exc}") from None
        self._sock.listen(8)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"hands-{path.name}",
                                        daemon=True)

    def start(self) -> HandsServer:
        self._thread.start()
        return self

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                ready, _, _ = select.select([self._sock], [], [], TICK)
                if not ready:
                    continue
                conn, _ = self._sock.accept()
            except OSError:
                return  # closed under us
            threading.Thread(target=self._client, args=(conn,), daemon=True,
                             name=f"hands-client-{self.path.name}").start()

    def _client(self, conn: socket.socket) -> None:
        conn.settimeout(IDLE)
        buffer = b""
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(4096)
                except OSError:
                    return
                if not data:
                    return
                buffer += data
                while b"\n" in buffer:
                    raw, buffer = buffer.split(b"\n", 1)
                    if not self._reply(conn, self.answer(raw)):
                        return
                if len(buffer) > MAX_LINE:
                    self._reply(conn, f"error: a line longer than {MAX_LINE} bytes")
                    return

    def answer(self, raw: bytes) -> str:
        """One line's answer (an error line for anything malformed)."""
        if len(raw) > MAX_LINE:
            return f"error: a line longer than {MAX_LINE} bytes"
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            return "error: not UTF-8 text"
        if not line:
            return "error: an empty line: type a word"
        if not line.isprintable():
            return "error: control characters in the line"
        try:
            with self._lock:
                said = self._word(line)
        except Exception as exc:  # the lab never dies of a client's word
            log.exception("hands: %r", line[:40])
            return f"error: {line[:40]!r}: {type(exc).__name__}: {exc}"
        return " ".join(said.split()) or "ok"

    @staticmethod
    def _reply(conn: socket.socket, line: str) -> bool:
        try:
            conn.sendall(line.encode("utf-8") + b"\n")
        except OSError:
            return False
        return True

    def close(self) -> None:
        self._stop.set()
        try:
            self._sock.close()
        except OSError:
            pass
        if self._thread.is_alive():
            self._thread.join(timeout=2)
        try:
            if self.path.is_socket():
                self.path.unlink()
        except OSError:
            pass


def _stale_socket(path: Path) -> bool:
    """A socket file no process listens on (connecting is refused)."""
    try:
        if not stat.S_ISSOCK(os.lstat(path).st_mode):
            return False
    except OSError:
        return False
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    probe.settimeout(1.0)
    try:
        probe.connect(str(path))
    except ConnectionRefusedError:
        return True
    except OSError:
        return False
    finally:
        probe.close()
    return False
