"""Transports carry protocol messages to a center; one is chosen by the URI in the config.

``local:`` (the reference center in-process, the embedded default) is built by the composition
root, which owns that center; this registry opens the others. Third parties add schemes through
the ``kiosk.transports`` entry-point group: the entry point's name is the URI scheme and its
object a factory ``(uri: str, options: TransportOptions) -> Transport``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol

from kiosk.clock import Clock


class TransportError(Exception):
    """The center could not be reached, or did not answer in time."""


class Transport(Protocol):
    def send(self, request: bytes) -> bytes:
        """Deliver one encoded request and return the encoded reply."""


@dataclass
class TransportOptions:
    """What a transport may need besides its URI."""

    kiosk_id: str
    extra: dict[str, Any] = field(default_factory=dict)
    clock: Clock | None = None  # the kiosk's (virtual in replay), for a lab center's clock


Factory = Callable[[str, TransportOptions], Transport]


def _https(uri: str, options: TransportOptions) -> Transport:
    from kiosk.center.https import open_https  # requests only when a remote center is used

    return open_https(uri, options)


BUILTIN: dict[str, Factory] = {"https": _https}


def open_transport(uri: str, options: TransportOptions) -> Transport:
    """The transport for ``uri``: built in, or registered under ``kiosk.transports``."""
    scheme = uri.partition(":")[0].lower()
    factory = BUILTIN.get(scheme)
    if factory is None:
        for ep in entry_points(group="kiosk.transports"):
            if ep.name == scheme:
                factory = ep.load()
                break
    if factory is None:
        known = ["local", *sorted(set(BUILTIN) | {ep.name for ep in
                                                  entry_points(group="kiosk.transports")})]
        raise TransportError(f"no transport for {scheme}: (known: {', '.join(known)})")
    return factory(uri, options)
