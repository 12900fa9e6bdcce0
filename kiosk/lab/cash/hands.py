"""The lab's hands on emulated cash devices, from another process: a client of the unix sockets
that ``kiosk cash lab`` and ``kiosk cash emulate`` listen on (``<link>.hands``).

``CashHands.for_section(bills, coins)`` takes the kiosk's ``[payment.cash]`` targets
(``id003:PATH``, ``cctalk:PATH@N``); ``insert(yen)`` puts a note (¥1000 and up) into the
validator or a coin into the acceptor and returns the device's answer line. Every wait is
bounded; a socket that is not there is a ``HandsError`` saying what to start.
"""

from __future__ import annotations

import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TIMEOUT = 5.0  # seconds for a connection, a word and its answer
MAX_ANSWER = 65_536


class HandsError(RuntimeError):
    """The device's hands cannot be reached, or said something that is not an answer."""


def hands_path(link: Path) -> Path:
    return link.with_name(link.name + ".hands")


def _line_path(target: str) -> tuple[Path, int | None]:
    """``id003:PATH`` → (PATH, None); ``cctalk:PATH@N`` → (PATH, N)."""
    kind, _, rest = target.partition(":")
    if kind == "id003" and rest:
        return Path(rest), None
    path, at, address = rest.rpartition("@")
    if kind == "cctalk" and at and address.isdigit():
        return Path(path), int(address)
    raise HandsError(f"{target!r}: not id003:PATH or cctalk:PATH@N")


def read_answer(client: socket.socket) -> bytes:
    """The bytes up to the answer's newline (or the connection's end; at most a little over
    MAX_ANSWER)."""
    answer = b""
    while not answer.endswith(b"\n") and len(answer) <= MAX_ANSWER:
        chunk = client.recv(4096)
        if not chunk:
            break
        answer += chunk
    return answer


def ask(path: Path, word: str, timeout: float = TIMEOUT) -> str:
    """One word to the hands at ``path``; the one line answered."""
    if "\n" in word or "\r" in word:
        raise HandsError("a word is one line")
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(timeout)
    try:
        try:
            client.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise HandsError(f"no cash device hands at {path}: start `kiosk cash lab --dir "
                             f"{path.parent}` (or `kiosk cash emulate … --link "
                             f"{path.with_suffix('')}`) first") from None
        client.sendall(word.encode("utf-8") + b"\n")
        answer = read_answer(client)
        if len(answer) > MAX_ANSWER:
            raise HandsError(f"{path}: an answer longer than {MAX_ANSWER} bytes")
    except TimeoutError:
        raise HandsError(f"{path}: no answer to {word!r} within {timeout:g} s") from None
    except OSError as exc:
        raise HandsError(f"{path}: {exc.strerror or exc}") from None
    finally:
        client.close()
    if not answer.endswith(b"\n"):
        raise HandsError(f"{path}: the connection closed before an answer to {word!r}")
    return answer.decode("utf-8", "replace").strip()


@dataclass(frozen=True)
class CashHands:
    """The hands of a kiosk's cash devices: the validator's and the coin bus's sockets."""

    bills: Path | None  # the validator's hands socket
    coins: Path | None  # the ccTalk bus's hands socket
    acceptor: int | None = None  # the coin acceptor's address on its bus

    @classmethod
    def for_section(cls, bills_target: str, coins_target: str) -> CashHands:
        """From ``[payment.cash]`` bills and coins (an empty target: no such device)."""
        bills = hands_path(_line_path(bills_target)[0]) if bills_target else None
        coins, address = _line_path(coins_target) if coins_target else (None, None)
        return cls(bills, hands_path(coins) if coins is not None else None, address)

    def device_for(self, yen: int) -> str:
        """Where money of ``yen`` goes: ``bills`` (notes, ¥1000 and up) or ``coins``."""
        return "bills" if yen >= 1000 else "coins"

    def insert(self, yen: int) -> str:
        """A note into the validator or a coin into the acceptor; the device's answer."""
        device = self.device_for(yen)
        return self.word(device, f"insert {yen}")

    def word(self, device: str, word: str) -> str:
        """A word for ``bills``, ``coins`` (the acceptor), ``bus`` (``@N WORD`` as typed) or
        ``@N`` (the device at address N on the coin bus)."""
        if device == "bills":
            return ask(self._path("bills", self.bills), word)
        if device == "coins":
            prefix = f"@{self.acceptor} " if self.acceptor is not None else ""
            return ask(self._path("coins", self.coins), prefix + word)
        if device == "bus":
            return ask(self._path("coins", self.coins), word)
        if device.startswith("@") and device[1:].isdigit():
            return ask(self._path("coins", self.coins), f"{device} {word}")
        raise HandsError(f"no device {device!r}: bills, coins, bus or @N")

    def counts(self) -> dict[str, Any]:
        """Every device's totals since the lab started: ``{"bills": {…}, "bus": {…}}``."""
        out: dict[str, Any] = {}
        for name, path in (("bills", self.bills), ("bus", self.coins)):
            if path is None:
                continue
            line = ask(path, "counts")
            try:
                out[name] = json.loads(line)
            except ValueError:
                raise HandsError(f"{path}: counts answered {line[:80]!r}") from None
        return out

    def insert_when_free(self, yen: int, within: float = TIMEOUT,
                         look_every: float = 0.05) -> str:
        """``insert``, trying again while the validator's slot is still busy with the last note
        (stacking or returning it takes a few of the kiosk's polls); at most ``within`` s."""
        deadline = time.monotonic() + within
        while True:
            said = self.insert(yen)
            if outcome(self.device_for(yen), said) != "busy" or time.monotonic() > deadline:
                return said
            time.sleep(look_every)

    def _path(self, name: str, path: Path | None) -> Path:
        if path is None:
            raise HandsError(f"this kiosk has no {name} device (payment.cash.{name})")
        return path


def outcome(device: str, said: str) -> str:
    """What a device's answer to ``insert`` means for the kiosk's cash unit:

    - ``taken``: a note went to escrow or a coin was credited: the unit posts MoneyInserted
      (or, for a note it does not want, returns it and posts MoneyRejected with its value);
    - ``refused``: the acceptor rejected or inhibited a coin and counted the event: the unit
      posts MoneyRejected(0) (it cannot know the value) and the coin is in the return cup;
    - ``back``: the money never reached the unit (a note refused by the head, a validator not
      taking notes, a coin falling through a jammed or dead acceptor): it is in the cup;
    - ``busy``: the validator's slot still holds the last note; ``error``: not understood.
    """
    s = said.lower()
    if s.startswith("error"):
        return "error"
    if device == "bills":
        if "accepting" in s:
            return "taken"
        if "busy" in s:
            return "busy"
        if "rejected" in s or "not taking notes" in s:
            return "back"
        return "error"
    if "credited" in s:
        return "taken"
    if "rejected" in s or "inhibited" in s:
        return "refused"
    if "fell through" in s:
        return "back"
    return "error"
