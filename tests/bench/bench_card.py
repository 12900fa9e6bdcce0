"""A resident's authentication over the real PC/SC stack: APDUs, bytes and machine time.

    .venv/bin/python tests/bench/bench_card.py [--runs N]

The kiosk's own session drives pyscard → pcscd → vsmartcard-vpcd → the emulated card (on its
TCP socket in this process) from "card placed" to "authenticated", with extended-length reads
and with short ones, for the RSA-2048 card, the next-generation ECDSA P-384 card (SHA-384,
r‖s; the algorithm read from its certificate), the iPhone (no PIN: its owner confirms, and the
kiosk asks it once before and once after) and the older resident card by its town's AP (the
card-AP method: one SELECT finds the AP, its own PIN, INTERNAL AUTHENTICATE). Time is split
into reading (open + certificate), VERIFY, signing (less the card's own signing, which a real
chip does in hardware; the kiosk reads the certificate for the algorithm here, once), and the
center. Targets: at most 10 APDUs
extended / 16 short; under 50 ms machine time outside the card's signing. pcscd's own ~0.4 s
polling before it notices a card is not machine time and is not counted.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: pcscd_control

from pcscd_control import Pcscd, wait_empty  # noqa: E402

from kiosk.app import Kiosk, build_kiosk  # noqa: E402
from kiosk.clock import JST, VirtualClock  # noqa: E402
from kiosk.config import from_data  # noqa: E402
from kiosk.vocabulary import events as ev  # noqa: E402

STAGES = {"open": "reading", "read_auth_certificate": "reading", "verify_pin": "verify",
          "sign_message": "signing", "challenge": "center", "authenticate": "center",
          "authenticate_ap": "center", "catalog": "center"}
PINS = {"rsa2048": b"1234", "ecdsa-p384": b"1234", "iphone": b"", "card-ap": b"2468"}


class Timed:
    """Wraps a port; the time of each call goes to its stage."""

    def __init__(self, inner: Any, spent: dict[str, float]) -> None:
        self._inner, self._spent = inner, spent

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if name not in STAGES:
            return target

        def call(*args: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return target(*args)
            finally:
                self._spent[STAGES[name]] += time.perf_counter() - t0
        return call


class ChipTimer:
    """The emulated chip, timing its own COMPUTE DIGITAL SIGNATURE."""

    def __init__(self, card: Any, spent: dict[str, float]) -> None:
        self._card, self._spent = card, spent
        self.atr = card.atr

    def transmit(self, apdu: list[int]) -> Any:
        t0 = time.perf_counter()
        try:
            return self._card.transmit(apdu)
        finally:
            if apdu[1] in (0x2A, 0x88):  # a signature, or a town AP's MAC
                self._spent["chip signing"] += time.perf_counter() - t0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._card, name)


def wait(k: Kiosk, kind: type[ev.Event]) -> None:
    event = k.wait_for(kind, 10)
    if event is None:
        raise SystemExit(f"pcscd did not report {kind.__name__} within 10 s")
    k.session.handle(event)
    k.pump()


def card_of(k: Kiosk, key: str) -> Any:
    """r001's card: as the world has it (RSA-2048), the next-generation one (ECDSA P-384), or
    an iPhone; or r008's resident card (住基カード, Nanto's AP)."""
    if key == "rsa2048":
        return k.card_for("r001")
    if key == "card-ap":
        return k.card_for("r008")
    from drivers.card.emulator import MyNumberCard

    assert k.issuer is not None
    if key == "iphone":
        creds = k.issuer[1].issue_card("r001", "valid", k.clock.now())
        return MyNumberCard("iphone", None, 3, creds.key, creds.cert_der, creds.ca_cert_der)
    ec = k.issuer[1].issue_card_ec("r001", "valid", k.clock.now())
    return MyNumberCard("mynumber", "1234", 3, ec.key, ec.cert_der, ec.ca_cert_der)


def one(k: Kiosk, spent: dict[str, float], key: str) -> tuple[int, int]:
    """Card placed → authenticated once; returns (APDUs, bytes)."""
    k.post(ev.Start())
    k.post(ev.Agree())
    k.pump()
    wait_empty()
    assert k.slot is not None
    card = card_of(k, key)
    k.slot.place(ChipTimer(card, spent))  # type: ignore[arg-type]
    wait(k, ev.CardPlaced)  # the card is read here (the job runs inline)
    if key == "iphone":  # asked once already: the owner confirms, the kiosk asks again
        card.phone_confirm()
        deadline = k.session.next_deadline()
        assert deadline is not None
        k.advance_to(deadline)
    else:
        k.post(ev.EnterPin(bytearray(PINS[key])))
    k.pump()
    if k.session.state != "remove_card":
        raise SystemExit(f"authentication failed: {k.session.state} {k.session.view().message}")
    stats = k.card_port.stats
    k.slot.remove()
    wait(k, ev.CardRemoved)
    k.post(ev.Cancel())
    k.pump()
    return stats.apdus, stats.bytes_out + stats.bytes_in


def run(extended: bool, key: str, runs: int, tmp: Path) -> None:
    config = from_data({
        "card": {"reader": "pcsc", "vpcd": "127.0.0.1:35963",
                 "reader_pattern": "Virtual PCD 00 00", "extended_length": extended},
        "printer": {"uri": f"spool:{tmp}/printed"},
        "journal": {"path": str(tmp / f"journal-{extended}-{key}.sqlite")}})
    k = build_kiosk(config, VirtualClock(datetime(2026, 11, 20, 10, 0, tzinfo=JST)), inline=True)
    try:
        wait(k, ev.ReaderChanged)
        samples: dict[str, list[float]] = defaultdict(list)
        apdus = size = 0
        for i in range(runs + 1):
            spent: dict[str, float] = defaultdict(float)
            k.session.ports.card = Timed(k.card_port, spent)  # type: ignore[assignment]
            k.session.ports.center = Timed(k.client, spent)  # type: ignore[assignment]
            apdus, size = one(k, spent, key)
            if i == 0:
                continue  # warm-up
            spent["signing"] -= spent["chip signing"]
            spent["total outside the chip"] = sum(spent[s] for s in
                                                  ("reading", "verify", "signing", "center"))
            for stage, seconds in spent.items():
                samples[stage].append(seconds * 1000)
        label = f"{key} card, " + ("extended length" if extended else "short APDUs")
        print(f"{label}: {apdus} APDUs, {size} bytes per authentication; machine time, median "
              f"of {runs}:")
        for stage in ("reading", "verify", "signing", "chip signing", "center",
                      "total outside the chip"):
            values = samples[stage]
            print(f"  {stage:<24} {statistics.median(values):7.2f} ms"
                  f"   (p90 {statistics.quantiles(values, n=10)[-1]:.2f})")
    finally:
        k.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    Pcscd().start()
    with tempfile.TemporaryDirectory() as tmp:
        for key in ("rsa2048", "ecdsa-p384", "iphone", "card-ap"):
            for extended in (True, False):
                run(extended, key, args.runs, Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())


