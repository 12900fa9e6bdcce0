"""Emulated ccTalk devices: a coin acceptor and a hopper that answer as the real ones would.

``feed(bytes from the line) -> bytes onto the line``: the host's own bytes come back first (the
echo of the one-wire bus), then the answer of the device addressed, if any. ``hand(word)`` is the
person at the machine (``insert 100``, ``jam``, ``empty``, ``fill 50``, ``unplug``, ``ok``):
faults come by word, never by time. A hopper pays one coin per status request (header 166), so
a payout's progress follows the host's polls, not a clock.
"""

from __future__ import annotations

import threading
from collections import deque

from drivers.payment.cctalk_frame import (
    COIN_IDS,
    CREDIT_SENSOR_BLOCKED,
    ENABLE_HOPPER_KEY,
    HOST,
    INHIBITED_COIN,
    REJECT_COIN,
    YEN_BY_POSITION,
    Frame,
    FrameReader,
    Header,
    HopperFlag,
)

WORDS = "insert YEN, jam, unplug, ok"
HOPPER_WORDS = "empty, fill N, jam, unplug, ok"


def next_counter(counter: int) -> int:
    """The event counter: 0 only after reset, then 1..255, 255 wraps to 1."""
    return counter % 255 + 1


class _BusDevice:
    """What every ccTalk device does: addressing, echo, simple poll, category, reset."""

    category = "Unknown"

    def __init__(self, address: int) -> None:
        if not 2 <= address <= 255:
            raise ValueError(f"ccTalk device address out of range 2..255: {address}")
        self.address = address
        self.unplugged = False
        self._reader = FrameReader()
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> bytes:
        out = bytearray(data)  # the echo: a real bus hands the host back its own bytes
        with self._lock:
            for frame in self._reader.feed(data):
                if frame.destination != self.address or frame.source != HOST or self.unplugged:
                    continue
                reply = self._answer(frame)
                if reply is not None:
                    out += Frame(HOST, self.address, reply[0], reply[1]).encode()
        return bytes(out)

    def hand(self, word: str) -> str:
        parts = word.split()
        with self._lock:
            if not parts:
                return ""
            if parts == ["unplug"]:
                self.unplugged = True
                return "unplugged: no answer until 'ok'"
            return self._hand(parts)

    def _answer(self, frame: Frame) -> tuple[int, bytes] | None:
        if frame.header == Header.SIMPLE_POLL:
            return Header.ACK, b""
        if frame.header == Header.REQUEST_EQUIPMENT_CATEGORY:
            return Header.ACK, self.category.encode("ascii")
        if frame.header == Header.RESET_DEVICE:
            self._reset()
            return Header.ACK, b""
        return self._command(frame.header, frame.data)

    def _reset(self) -> None:
        raise NotImplementedError

    def _command(self, header: int, data: bytes) -> tuple[int, bytes] | None:
        raise NotImplementedError

    def _hand(self, parts: list[str]) -> str:
        raise NotImplementedError


class CoinAcceptorDevice(_BusDevice):
    """A coin acceptor for yen coins (our documented table), five events buffered."""

    category = "Coin Acceptor"

    def __init__(self, address: int = 2) -> None:
        super().__init__(address)
        self.counter = 0
        self.events: deque[tuple[int, int]] = deque(maxlen=5)  # newest first
        self.inhibits = 0  # bit n-1 set: coin n accepted
        self.accepting = False  # master inhibit on after power-up, as on real acceptors
        self.jammed = False
        self.credited_yen = self.credited_coins = 0  # since start (a reset keeps them)
        self.refused_yen = self.refused_coins = 0  # rejected, inhibited or fallen through

    def _reset(self) -> None:
        self.counter, self.inhibits, self.accepting, self.jammed = 0, 0, False, False
        self.events.clear()

    def _event(self, a: int, b: int) -> None:
        self.counter = next_counter(self.counter)
        self.events.appendleft((a, b))

    def _command(self, header: int, data: bytes) -> tuple[int, bytes] | None:
        if header == Header.READ_BUFFERED_CREDIT and not data:
            pairs = list(self.events) + [(0, 0)] * (5 - len(self.events))
            return Header.ACK, bytes([self.counter] + [x for pair in pairs for x in pair])
        if header == Header.MODIFY_INHIBIT_STATUS and len(data) == 2:
            self.inhibits = int.from_bytes(data, "little")
            return Header.ACK, b""
        if header == Header.MODIFY_MASTER_INHIBIT and len(data) == 1:
            self.accepting = bool(data[0] & 1)
            return Header.ACK, b""
        if header == Header.REQUEST_COIN_ID and len(data) == 1:
            return Header.ACK, COIN_IDS.get(data[0], "......").encode("ascii")
        return Header.NAK, b""

    def _hand(self, parts: list[str]) -> str:
        if parts == ["jam"]:
            self.jammed = True
            self._event(0, CREDIT_SENSOR_BLOCKED)
            return f"jammed: credit sensor blocked (counter {self.counter})"
        if parts == ["ok"]:
            self.jammed = self.unplugged = False
            return "ok"
        if len(parts) == 2 and parts[0] == "insert" and parts[1].isdigit():
            return self._insert(int(parts[1]))
        return f"unknown word {' '.join(parts)!r}: {WORDS}"

    def counts(self) -> dict[str, object]:
        """Totals since start: coins credited, and coins that went back to the cup."""
        with self._lock:
            return {"device": "coins", "address": self.address, "credited": self.credited_yen,
                    "credited_coins": self.credited_coins, "refused": self.refused_yen,
                    "refused_coins": self.refused_coins}

    def _insert(self, yen: int) -> str:
        before = self.credited_coins
        said = self._place(yen)
        if self.credited_coins == before:
            self.refused_yen += yen
            self.refused_coins += 1
        return said

    def _place(self, yen: int) -> str:
        if self.unplugged or self.jammed:
            return f"¥{yen} fell through: the acceptor is {'jammed' if self.jammed else 'off'}"
        positions = [p for p, value in YEN_BY_POSITION.items() if value == yen]
        if not positions:
            self._event(0, REJECT_COIN)
            return f"¥{yen} rejected (counter {self.counter})"
        position = positions[0]
        if not self.accepting or not self.inhibits & (1 << (position - 1)):
            self._event(0, INHIBITED_COIN)
            return f"¥{yen} inhibited, returned (counter {self.counter})"
        self._event(position, 1)  # result B: the sorter path
        self.credited_yen += yen
        self.credited_coins += 1
        return f"¥{yen} credited (counter {self.counter})"


class HopperDevice(_BusDevice):
    """A hopper of one coin, plain dispense (header 167 with [N], or [8 cipher bytes][N])."""

    category = "Payout"

    def __init__(self, address: int = 3, coins: int = 50, coin: int | None = None) -> None:
        super().__init__(address)
        if not 0 <= coins <= 10_000:
            raise ValueError(f"coins out of range: {coins}")
        self.coins = coins
        self.coin = coin  # the coin's value in yen, when the lab's layout says it
        self.jammed = False
        self.paid_total = 0  # coins paid out since start (a reset keeps it)
        self._reset()

    def _reset(self) -> None:
        self.counter = self.remaining = self.paid = self.unpaid = 0
        self.enabled = False
        self.flags = int(HopperFlag.POWER_UP)

    def _command(self, header: int, data: bytes) -> tuple[int, bytes] | None:
        if header == Header.ENABLE_HOPPER and len(data) == 1:
            self.enabled = data[0] == ENABLE_HOPPER_KEY
            return Header.ACK, b""
        if header == Header.DISPENSE_HOPPER_COINS and len(data) in (1, 9):
            return self._dispense(data[-1])
        if header == Header.REQUEST_HOPPER_STATUS and not data:
            self._progress()
            return Header.ACK, bytes((self.counter, self.remaining, self.paid, self.unpaid))
        if header == Header.TEST_HOPPER and not data:
            flags = self.flags | (0 if self.enabled else HopperFlag.PAYOUT_DISABLED)
            return Header.ACK, bytes((flags, 0))
        return Header.NAK, b""

    def _dispense(self, n: int) -> tuple[int, bytes]:
        if self.remaining:
            return Header.BUSY, b""
        if not self.enabled or n == 0:
            return Header.NAK, b""
        self.counter = next_counter(self.counter)
        self.remaining, self.paid, self.unpaid = n, 0, 0
        self.flags &= ~(HopperFlag.PAYOUT_TIMEOUT | HopperFlag.OPTO_BLOCKED_PAYOUT)
        return Header.ACK, bytes((self.counter,))

    def _progress(self) -> None:
        """One step of the motor: a coin out, or the payout stops short."""
        if not self.remaining:
            return
        if self.jammed or not self.coins:
            self.flags |= (HopperFlag.OPTO_BLOCKED_PAYOUT if self.jammed
                           else HopperFlag.PAYOUT_TIMEOUT)
            self.unpaid, self.remaining = self.unpaid + self.remaining, 0
            return
        self.coins -= 1
        self.paid += 1
        self.paid_total += 1
        self.remaining -= 1

    def counts(self) -> dict[str, object]:
        """Totals since start: coins paid out (and their yen when the coin is known)."""
        with self._lock:
            out: dict[str, object] = {"device": "hopper", "address": self.address,
                                      "paid_coins": self.paid_total, "coins_left": self.coins}
            if self.coin is not None:
                out["coin"] = self.coin
                out["paid"] = self.paid_total * self.coin
            return out

    def _hand(self, parts: list[str]) -> str:
        if parts == ["empty"]:
            self.coins = 0
            return "hopper emptied"
        if parts == ["jam"]:
            self.jammed = True
            return "coin jammed in the hopper exit"
        if parts == ["ok"]:
            self.jammed = self.unplugged = False
            return "ok"
        if len(parts) == 2 and parts[0] == "fill" and parts[1].isdigit():
            self.coins = min(10_000, self.coins + int(parts[1]))
            return f"{self.coins} coins in the hopper"
        return f"unknown word {' '.join(parts)!r}: {HOPPER_WORDS}"
