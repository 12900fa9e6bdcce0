"""The ``local:`` transport: the reference center in this process (the embedded default).

Requests still travel as encoded bytes, so the kiosk meets exactly the protocol it meets over
HTTPS; only the network is left out. The lab's transport faults are played here as the network
would show them: down, 5xx and a too-slow reply as a TransportError, malformed JSON as garbage.
"""

from __future__ import annotations

from kiosk.center.transport import TransportError
from kiosk.lab.center.center import ReferenceCenter


class LocalTransport:
    """Transport to an in-process ReferenceCenter, as kiosk ``kiosk_id``."""

    def __init__(self, center: ReferenceCenter, kiosk_id: str,
                 read_timeout: float = 10.0) -> None:
        self.center = center
        self.kiosk_id = kiosk_id
        self.read_timeout = read_timeout

    def send(self, request: bytes) -> bytes:
        fault = self.center.take_fault(self.kiosk_id)
        if fault == "down":
            raise TransportError("the center does not answer (down)")
        if fault == "5xx":
            raise TransportError("the center answered HTTP 500")
        reply = self.center.handle(self.kiosk_id, request, fault)
        if fault is not None and fault.startswith("slow:"):
            if float(fault.partition(":")[2]) >= self.read_timeout:
                raise TransportError(f"no reply within {self.read_timeout:g} s")
        if fault == "malformed-json":
            return reply[: len(reply) // 2]
        return reply

    def set_fault(self, mode: str, times: int = 0) -> None:
        """The lab's fault control, for this kiosk."""
        self.center.set_fault(self.kiosk_id, mode, times)

    def approve_registrations(self) -> int:
        """The lab's 本籍地: approve every pending registration; returns how many."""
        return self.center.approve_registrations()
