"""A pcscd of the tests' own (with the vsmartcard-vpcd driver), which tests may stop and start."""

from __future__ import annotations

import shutil
import subprocess
import time

from smartcard import scard

VPCD_READER = "Virtual PCD 00 00"


def readers() -> list[str] | None:
    """The reader names pcscd lists, or None when pcscd does not answer."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return None
    try:
        hresult, names = scard.SCardListReaders(context, [])
        if hresult == scard.SCARD_E_NO_READERS_AVAILABLE:
            return []
        return list(names) if hresult == scard.SCARD_S_SUCCESS else None
    finally:
        scard.SCardReleaseContext(context)


class Pcscd:
    """Start, stop and restart ``pcscd -f``; waits until the vpcd reader is listed."""

    def __init__(self) -> None:
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, wait: float = 15.0) -> None:
        names = readers()
        if names is not None and VPCD_READER in names:
            return  # one is running already (a developer's, or ours)
        if shutil.which("pcscd") is None:
            raise RuntimeError("pcscd is not installed (apt-get install pcscd vsmartcard-vpcd)")
        self.process = subprocess.Popen(["pcscd", "-f"], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            names = readers()
            if names is not None and VPCD_READER in names:
                return
            time.sleep(0.1)
        raise RuntimeError(f"pcscd did not list {VPCD_READER!r} within {wait} s: is "
                           "vsmartcard-vpcd installed?")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
        else:  # not started here: stop whichever pcscd is running
            subprocess.run(["pkill", "-x", "pcscd"], check=False)
        deadline = time.monotonic() + 10
        while readers() is not None and time.monotonic() < deadline:
            time.sleep(0.1)


def wait_empty(reader: str = VPCD_READER, wait: float = 10.0) -> None:
    """Until pcscd reports no card on ``reader`` (it notices a lifted card within ~0.4 s)."""
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    assert hresult == scard.SCARD_S_SUCCESS, "pcscd is not running"
    try:
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            hresult, states = scard.SCardGetStatusChange(
                context, 200, [(reader, scard.SCARD_STATE_UNAWARE)])
            if hresult == scard.SCARD_S_SUCCESS and states[0][1] & scard.SCARD_STATE_EMPTY:
                return
            time.sleep(0.05)
        raise RuntimeError(f"a card stayed on {reader} for {wait} s")
    finally:
        scard.SCardReleaseContext(context)
