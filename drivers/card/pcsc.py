"""Card readers through pcscd (pyscard): contact and contactless alike.

A monitor thread watches the readers whose names match the configured pattern (or every reader)
and posts CardPlaced / CardRemoved, and ReaderChanged when the reader or pcscd itself goes away
or comes back. ``connect()`` opens one exclusive connection to the reader holding the card; it
is released with a reset, so no verified state survives the session.
"""

from __future__ import annotations

import fnmatch
import logging
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from smartcard import scard

from kiosk.vocabulary.events import CardPlaced, CardRemoved, Event, ReaderChanged
from kiosk.vocabulary.reasons import CardError, Reason

if TYPE_CHECKING:
    from drivers.card.jpki import Transmitter

log = logging.getLogger(__name__)

WAIT_MS = 500  # how long one SCardGetStatusChange waits before the reader list is read again
RETRY_SECONDS = 0.5  # how often a lost pcscd is looked for again
SERVICE_GONE = {scard.SCARD_E_NO_SERVICE, scard.SCARD_E_SERVICE_STOPPED,
                scard.SCARD_E_INVALID_HANDLE, scard.SCARD_F_COMM_ERROR}


class PcscConnection:
    """One exclusive card session on one reader; ``transmit`` as pyscard's, errors CardError."""

    def __init__(self, reader: str) -> None:
        self.reader = reader
        hresult, self._context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        if hresult != scard.SCARD_S_SUCCESS:
            raise CardError("pcscd is not running", reason=Reason.CARD_UNREADABLE)
        hresult, self._card, self._protocol = scard.SCardConnect(
            self._context, reader, scard.SCARD_SHARE_EXCLUSIVE,
            scard.SCARD_PROTOCOL_T0 | scard.SCARD_PROTOCOL_T1)
        if hresult != scard.SCARD_S_SUCCESS:
            scard.SCardReleaseContext(self._context)
            removed = hresult in (scard.SCARD_E_NO_SMARTCARD, scard.SCARD_W_REMOVED_CARD)
            raise CardError(f"cannot connect: {scard.SCardGetErrorMessage(hresult)}",
                            reason=Reason.CARD_REMOVED if removed else Reason.CARD_UNREADABLE)
        self._open = True

    def transmit(self, apdu: Sequence[int]) -> tuple[list[int], int, int]:
        if not self._open:
            raise CardError("the card session is closed", reason=Reason.CARD_REMOVED)
        hresult, response = scard.SCardTransmit(self._card, self._protocol, list(apdu))
        if hresult != scard.SCARD_S_SUCCESS or len(response) < 2:
            # Say only what happened: nothing of the APDU (a VERIFY holds the PIN).
            raise CardError(f"the card stopped answering ({hresult & 0xFFFFFFFF:08X})",
                            reason=Reason.CARD_REMOVED)
        return list(response[:-2]), response[-2], response[-1]

    def reset(self) -> None:
        """Nothing to do apart: disconnect() resets the card (SCARD_RESET_CARD)."""

    def disconnect(self) -> None:
        """Reset the card and let go of it; quiet when the card or pcscd is already gone."""
        if not self._open:
            return
        self._open = False
        hresult = scard.SCardDisconnect(self._card, scard.SCARD_RESET_CARD)
        if hresult != scard.SCARD_S_SUCCESS:
            log.debug("disconnect: %s", scard.SCardGetErrorMessage(hresult))
        scard.SCardReleaseContext(self._context)


class PcscReaders:
    """The kiosk's card readers; ``start()`` the monitor, ``connect()`` for the card port."""

    def __init__(self, pattern: str, post: Callable[[Event], None]) -> None:
        self.pattern = pattern or "*"
        self._post = post
        self._lock = threading.Lock()
        self._present: dict[str, bool] = {}  # reader name -> card on it
        self._available: bool | None = None
        self._stop = threading.Event()
        self._context: int | None = None
        self._thread: threading.Thread | None = None

    # --- the card port's side --------------------------------------------------------------
    def connect(self) -> PcscConnection:
        """A connection to the matching reader that holds a card."""
        with self._lock:
            holding = [name for name, present in self._present.items() if present]
        if not holding:
            raise CardError("no card on any reader", reason=Reason.CARD_REMOVED)
        return PcscConnection(holding[0])

    @property
    def available(self) -> bool:
        return bool(self._available)

    # --- the monitor ----------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="pcsc-monitor", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        context = self._context
        if context is not None:
            scard.SCardCancel(context)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
            if hresult != scard.SCARD_S_SUCCESS:
                self._set_available(False, "pcscd is not running")
                self._stop.wait(RETRY_SECONDS)
                continue
            self._context = context
            try:
                self._watch(context)
            finally:
                self._context = None
                scard.SCardReleaseContext(context)
            if not self._stop.is_set():
                self._stop.wait(RETRY_SECONDS)

    def _watch(self, context: int) -> None:
        """Follow the matching readers until pcscd goes away (or stop)."""
        while not self._stop.is_set():
            hresult, names = scard.SCardListReaders(context, [])
            if hresult in SERVICE_GONE:
                self._set_available(False, "pcscd went away")
                return
            if hresult not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_NO_READERS_AVAILABLE):
                log.warning("listing readers: %s", scard.SCardGetErrorMessage(hresult))
                names = []
            matching = [n for n in names or [] if fnmatch.fnmatch(n, self.pattern)]
            self._forget_gone(matching)
            if not matching:
                self._set_available(False, "no card reader is connected")
                hresult, _ = scard.SCardGetStatusChange(
                    context, WAIT_MS, [("\\\\?PnP?\\Notification", scard.SCARD_STATE_UNAWARE)])
                if hresult in SERVICE_GONE:
                    self._set_available(False, "pcscd went away")
                    return
                continue
            self._set_available(True, "")
            hresult, states = scard.SCardGetStatusChange(
                context, WAIT_MS,
                [(n, scard.SCARD_STATE_PRESENT if self._present.get(n)
                  else scard.SCARD_STATE_EMPTY) for n in matching])
            if hresult in SERVICE_GONE:
                self._set_available(False, "pcscd went away")
                return
            if hresult == scard.SCARD_E_TIMEOUT or hresult == scard.SCARD_E_CANCELLED:
                continue
            if hresult != scard.SCARD_S_SUCCESS:
                log.warning("reader status: %s", scard.SCardGetErrorMessage(hresult))
                self._stop.wait(RETRY_SECONDS)
                continue
            for name, state, _atr in states:
                if state & (scard.SCARD_STATE_UNKNOWN | scard.SCARD_STATE_UNAVAILABLE):
                    self._card(name, False)
                else:
                    self._card(name, bool(state & scard.SCARD_STATE_PRESENT))

    def _card(self, reader: str, present: bool) -> None:
        with self._lock:
            before = self._present.get(reader, False)
            self._present[reader] = present
        if present and not before:
            self._post(CardPlaced(reader))
        elif before and not present:
            self._post(CardRemoved(reader))

    def _forget_gone(self, names: list[str]) -> None:
        for reader in [r for r in self._present if r not in names]:
            self._card(reader, False)
            with self._lock:
                self._present.pop(reader, None)

    def _set_available(self, available: bool, why: str) -> None:
        if self._available == available:
            return
        self._available = available
        if not available:
            for reader in list(self._present):
                self._card(reader, False)
            log.warning("card reader unavailable: %s", why)
        else:
            log.info("card reader available")
        self._post(ReaderChanged(available, why))


if TYPE_CHECKING:  # mypy holds PcscConnection to Transmitter: a drift fails here

    def _conforms_pcsc_connection(connection: PcscConnection) -> Transmitter:
        return connection
