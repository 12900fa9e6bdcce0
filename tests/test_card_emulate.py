"""``kiosk card emulate`` as a real process on vpcd: clients nobody here wrote (OpenSC) read and
sign with it, and its PIN counters outlive it with --state."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from pcscd_control import VPCD_READER, wait_empty

from drivers.card.jpki_port import JPKICardPort
from drivers.card.pcsc import PcscConnection
from kiosk.vocabulary.reasons import CardError, PinWrong

PKCS11 = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
OPENSC = dict(os.environ, OPENSC_DRIVER="jpki")  # only the JPKI driver probes the card


class Emulator:
    """``kiosk card emulate`` running in its own process."""

    def __init__(self, resident: str, state: Path, world: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kiosk", "card", "emulate", "--resident", resident,
             "--state", str(state), *(["--world", str(world)] if world else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline() if self.process.stdout else ""
        assert "on vpcd" in line, line + (self.process.stderr.read() if self.process.stderr
                                          else "")
        self._wait_present()

    def _wait_present(self) -> None:
        for _ in range(100):  # pcscd polls vpcd every ~0.4 s
            try:
                PcscConnection(VPCD_READER).disconnect()
                return
            except CardError:  # not seen yet
                time.sleep(0.1)
        raise AssertionError("pcscd never saw the emulated card")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=10) == 0
        wait_empty()


@pytest.fixture
def emulator(pcscd: object, tmp_path: Path) -> Iterator[Emulator]:
    wait_empty()
    emu = Emulator("r001", tmp_path / "state")
    yield emu
    if emu.process.poll() is None:
        emu.stop()


def opensc(*args: str) -> str:
    tool = shutil.which(args[0])
    assert tool, f"{args[0]} is not installed (apt-get install opensc)"
    run = subprocess.run([tool, *args[1:]], capture_output=True, text=True, env=OPENSC,
                         timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    return run.stdout


def test_opensc_lists_the_user_authentication_certificate(emulator: Emulator) -> None:
    listing = opensc("pkcs15-tool", "--list-certificates")
    assert "X.509 Certificate [User Authentication Certificate]" in listing
    assert "Path           : 000a" in listing


def test_opensc_signs_with_the_card_and_the_signature_verifies(emulator: Emulator,
                                                               tmp_path: Path) -> None:
    data = tmp_path / "data.bin"
    data.write_bytes(b"signed through pcscd by a client nobody here wrote")
    pem = opensc("pkcs15-tool", "--read-certificate", "01")
    cert = x509.load_pem_x509_certificate(pem.encode())
    opensc("pkcs11-tool", "--module", PKCS11, "--token-label", "JPKI (User Authentication PIN)",
           "--login", "--pin", "1234", "--sign", "--mechanism", "SHA256-RSA-PKCS", "--id", "01",
           "--input-file", str(data), "--output-file", str(tmp_path / "sig.bin"))
    signature = (tmp_path / "sig.bin").read_bytes()
    cert.public_key().verify(signature, data.read_bytes(), padding.PKCS1v15(), hashes.SHA256())


def test_pin_counters_persist_across_runs_with_state(emulator: Emulator, tmp_path: Path) -> None:
    port = JPKICardPort(lambda: PcscConnection(VPCD_READER))
    assert port.open().tries_left == 3
    with pytest.raises(PinWrong):
        port.verify_pin(bytearray(b"0000"))
    port.close()
    emulator.stop()
    again = Emulator("r001", tmp_path / "state")
    try:
        assert port.open().tries_left == 2
        port.close()
    finally:
        again.stop()


def test_an_unknown_resident_is_one_clear_line(tmp_path: Path) -> None:
    run = subprocess.run([sys.executable, "-m", "kiosk", "card", "emulate", "--resident",
                          "r999"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "no resident 'r999'" in run.stdout and "Traceback" not in run.stderr


NEXT_CARDS = Path(__file__).parent / "worlds" / "next-cards.toml"


def test_an_emulated_iphone_signs_once_its_owner_confirms_on_standard_input(
        pcscd: object, tmp_path: Path) -> None:
    """The iPhone served over vpcd: pcscd hands the kiosk's port a card with no PIN EF; signing
    waits for the owner, who confirms by typing ``confirm`` to the emulator process."""
    from kiosk.vocabulary.reasons import PhoneNotConfirmed

    wait_empty()
    phone = Emulator("r030", tmp_path / "state", NEXT_CARDS)
    try:
        assert phone.process.stdout is not None and phone.process.stdin is not None
        assert "confirm or decline" in phone.process.stdout.readline()
        port = JPKICardPort(lambda: PcscConnection(VPCD_READER))
        info = port.open()
        assert (info.kind, info.method) == ("iphone", "phone")
        with pytest.raises(PhoneNotConfirmed):
            port.sign_message(b"challenge")
        phone.process.stdin.write("confirm\n")
        phone.process.stdin.flush()
        assert "the owner: confirm" in phone.process.stdout.readline()  # taken, by the event
        signature = port.sign_message(b"challenge")
        cert = x509.load_der_x509_certificate(port.read_auth_certificate())
        cert.public_key().verify(signature, b"challenge", padding.PKCS1v15(),  # type: ignore
                                 hashes.SHA256())
        port.close()
    finally:
        phone.stop()


def test_the_doctor_says_what_lies_on_the_reader_over_pcscd(pcscd: object,
                                                             tmp_path: Path) -> None:
    from kiosk.field.doctor_card import card_on

    wait_empty()
    card = Emulator("r008", tmp_path / "state")
    try:
        said = card_on(VPCD_READER)
        assert said == "card: resident card (住基カード), 3 tries left, RSA, SHA-256, town AP of " \
            "162108", said
    finally:
        card.stop()
