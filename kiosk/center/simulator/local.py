"""The ``local:`` transport: the reference center in this process (the embedded default).

Requests still travel as encoded bytes, so the kiosk meets exactly the protocol it meets over
HTTPS; only the network is left out.
"""

from __future__ import annotations

from kiosk.center.simulator.center import ReferenceCenter


class LocalTransport:
    """Transport to an in-process ReferenceCenter, as kiosk ``kiosk_id``."""

    def __init__(self, center: ReferenceCenter, kiosk_id: str) -> None:
        self.center = center
        self.kiosk_id = kiosk_id

    def send(self, request: bytes) -> bytes:
        return self.center.handle(self.kiosk_id, request)
