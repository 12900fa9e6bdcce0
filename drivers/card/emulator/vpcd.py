"""An emulated card on vsmartcard-vpcd: it connects to vpcd's port as the card in that slot.

vpcd (a pcscd reader driver) listens on TCP, 35963 for slot 0; the virtual card connects. Every
message is a 2-byte big-endian length and a payload. A 1-byte payload is a control message:
``00`` power off, ``01`` power on, ``02`` reset, ``04`` asks for the ATR (the only one answered);
anything longer is a command APDU, answered with the response APDU. Connected means "card on
the reader"; closing the socket lifts it.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from collections.abc import Callable

from drivers.card.emulator.iso import CardPoweredOff, EmulatedCard

log = logging.getLogger(__name__)

DEFAULT_PORT = 35963
POWER_OFF, POWER_ON, RESET, GET_ATR = 0x00, 0x01, 0x02, 0x04


class VpcdClosed(Exception):
    """vpcd closed the connection (or it was closed here)."""


def parse_endpoint(text: str) -> tuple[str, int]:
    """``HOST:PORT`` (or ``HOST``, or ``:PORT``) → (host, port)."""
    host, _, port = text.rpartition(":") if ":" in text else (text, "", "")
    try:
        number = int(port) if port else DEFAULT_PORT
    except ValueError:
        raise ValueError(f"{text!r}: the port must be a number") from None
    if not 0 < number < 65536:
        raise ValueError(f"{text!r}: the port must be 1 to 65535")
    return host or "127.0.0.1", number


def _quickack(sock: socket.socket) -> None:
    """Ask for an immediate ACK of what comes next (Linux; re-armed before every receive)."""
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None:
        sock.setsockopt(socket.IPPROTO_TCP, quickack, 1)


class VpcdCard:
    """Runs ``card`` on a vpcd slot until ``remove()`` (or vpcd goes away)."""

    def __init__(self, card: EmulatedCard, host: str = "127.0.0.1", port: int = DEFAULT_PORT,
                 on_change: Callable[[EmulatedCard], None] | None = None) -> None:
        self.card = card
        self.address = (host, port)
        self._on_change = on_change  # told after every APDU (to persist counters)
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self.apdus = 0

    # --- life ----------------------------------------------------------------------------
    def connect(self, timeout: float = 5.0) -> None:
        """Put the card on the reader: connect to vpcd (it must be listening)."""
        sock = socket.create_connection(self.address, timeout=timeout)
        sock.settimeout(None)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._sock = sock
        self._stop.clear()

    def start(self, timeout: float = 5.0) -> None:
        """Connect and serve on a background thread."""
        self.connect(timeout)
        self._thread = threading.Thread(target=self._serve_quietly, name="vpcd-card",
                                        daemon=True)
        self._thread.start()

    def remove(self) -> None:
        """Lift the card off the reader: close the connection and wait for the server."""
        self._stop.set()
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already gone: vpcd closed it first
            sock.close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None

    @property
    def connected(self) -> bool:
        return self._sock is not None and not self._stop.is_set()

    # --- the protocol --------------------------------------------------------------------
    def serve(self) -> None:
        """Answer vpcd until the connection closes; raises VpcdClosed at the end."""
        while True:
            message = self._receive()
            reply = self._answer(message)
            if reply is not None:
                self._send(reply)

    def _serve_quietly(self) -> None:
        try:
            self.serve()
        except VpcdClosed:
            log.debug("vpcd connection closed")
        except OSError as exc:
            if not self._stop.is_set():
                log.warning("vpcd connection lost: %s", exc)

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            code = message[0]
            if code == POWER_OFF:
                self.card.power_off()
            elif code == POWER_ON:
                self.card.power_on()
            elif code == RESET:
                self.card.reset()
            elif code == GET_ATR:
                return bytes(self.card.atr)
            else:
                log.warning("vpcd sent an unknown control byte %02X", code)
            return None
        self.apdus += 1
        try:
            data, sw1, sw2 = self.card.transmit(list(message))
        except CardPoweredOff:
            data, sw1, sw2 = [], 0x6F, 0x00  # no precise diagnosis: the card is not powered
        if self._on_change is not None:
            self._on_change(self.card)
        return bytes(data) + bytes((sw1, sw2))

    def _receive(self) -> bytes:
        (length,) = struct.unpack(">H", self._read_exactly(2))
        return self._read_exactly(length)

    def _read_exactly(self, n: int) -> bytes:
        sock = self._sock
        if sock is None:
            raise VpcdClosed()
        chunks, got = [], 0
        while got < n:
            _quickack(sock)
            chunk = sock.recv(n - got)
            if not chunk:
                raise VpcdClosed()
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def _send(self, payload: bytes) -> None:
        sock = self._sock
        if sock is None:
            raise VpcdClosed()
        sock.sendall(struct.pack(">H", len(payload)) + payload)


class VpcdSlot:
    """A vpcd reader slot where tests and the harness put emulated cards (real pcscd sees them)."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT) -> None:
        self.host, self.port = host, port
        self._card: VpcdCard | None = None

    @property
    def reader_name(self) -> str:
        """The name pcscd gives this slot (port 35963 is "Virtual PCD 00 00")."""
        return f"Virtual PCD 00 {self.port - DEFAULT_PORT:02d}"

    @property
    def card_present(self) -> bool:
        return self._card is not None

    @property
    def card(self) -> EmulatedCard | None:
        return self._card.card if self._card else None

    def place(self, card: EmulatedCard) -> None:
        if self._card is not None:
            raise ValueError(f"a card is already on {self.reader_name}")
        vcard = VpcdCard(card, self.host, self.port)
        vcard.start()
        self._card = vcard

    def remove(self) -> None:
        vcard, self._card = self._card, None
        if vcard is not None:
            vcard.remove()
