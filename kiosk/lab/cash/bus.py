"""One ccTalk wire with several emulated devices on it, and the hands that reach each of them.

On a real bus every device hears every frame; the host hears its own bytes back once (the
echo), then the answer of the device addressed. ``answer`` plays that for the pty server;
``BusHands`` takes a hand's word for the device at ``@N`` (the coin acceptor when unprefixed).
"""

from __future__ import annotations

import json
from typing import Protocol

from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice

Device = CoinAcceptorDevice | HopperDevice


class HandDevice(Protocol):
    """An emulated device's hands: one word in, one line back."""

    def hand(self, word: str) -> str: ...


def answer(devices: tuple[Device, ...], data: bytes) -> bytes:
    """One wire, several devices: the echo once, then whatever the addressed device says."""
    return data + b"".join(device.feed(data)[len(data):] for device in devices)


def counts_line(device: object) -> str:
    """The device's totals as one JSON line."""
    counts = getattr(device, "counts", None)
    if not callable(counts):
        return "error: this device keeps no counts"
    return json.dumps(counts(), sort_keys=True)


def device_word(device: HandDevice, word: str) -> str:
    """A hand's word to one device: ``counts`` is answered here, anything else by the device
    (one line, never an exception)."""
    word = " ".join(word.split())
    if word == "counts":
        return counts_line(device)
    try:
        said = str(device.hand(word))
    except (ValueError, KeyError, OverflowError) as exc:  # a word the device chokes on
        return f"error: {word[:40]!r}: {exc}"
    said = " ".join(said.split()) or "ok"
    return f"error: {said}" if said.startswith("unknown") else said


class BusHands:
    """The words for a bus: ``@N WORD`` to the device at address N, a bare word to the coin
    acceptor, ``counts`` alone: every device's totals (a JSON object by ``@N``)."""

    def __init__(self, devices: tuple[Device, ...]) -> None:
        self.devices = {d.address: d for d in devices}
        if len(self.devices) != len(devices):
            raise ValueError("two devices at one address on one bus")
        acceptors = [d for d in devices if isinstance(d, CoinAcceptorDevice)]
        self.default: Device | None = acceptors[0] if acceptors else (
            devices[0] if len(devices) == 1 else None)

    def word(self, line: str) -> str:
        parts = line.split(maxsplit=1)
        if not parts:
            return "error: an empty line: type a word (insert 100, @4 empty, counts)"
        if parts[0].startswith("@"):
            address = parts[0][1:]
            device = self.devices.get(int(address)) if address.isdigit() else None
            if device is None:
                return (f"error: no device at {parts[0][:8]!r} on this bus "
                        f"(devices: {self.names()})")
            if len(parts) == 1:
                return f"error: {parts[0]}: a word for the device is missing (@N WORD)"
            return device_word(device, parts[1])
        if line.split() == ["counts"] and len(self.devices) > 1:
            return json.dumps({f"@{a}": d.counts() for a, d in sorted(self.devices.items())},
                              sort_keys=True)
        if self.default is None:
            return f"error: say which device: @N WORD (devices: {self.names()})"
        return device_word(self.default, line)

    def names(self) -> str:
        return ", ".join(f"@{a} {d.category.lower()}" for a, d in sorted(self.devices.items()))
