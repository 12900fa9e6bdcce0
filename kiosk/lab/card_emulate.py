"""``kiosk card emulate``: be one resident's card on a vsmartcard-vpcd slot, until stopped.

Any PC/SC client then sees the card through pcscd: the kiosk, or OpenSC's tools. With
``--state DIR`` the test CA and the PIN counters live in DIR, so a locked card stays locked and
another process (a center) can share the CA.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

from drivers.card.emulator import TransitCard
from drivers.card.emulator.iso import EmulatedCard
from drivers.card.emulator.mynumber import MyNumberCard
from drivers.card.emulator.vpcd import VpcdCard, VpcdClosed, parse_endpoint
from kiosk.clock import SystemClock
from kiosk.lab.center.cards import CardState, resident_card
from kiosk.lab.center.pki import TestJPKI
from kiosk.lab.center.world import WorldError, load_world

log = logging.getLogger(__name__)

TRANSIT = "transit"  # --resident transit: a card that is not JPKI at all


def build_card(resident: str, world_path: Path | None, state: CardState | None) -> EmulatedCard:
    """The card to emulate; ValueError with a clear message when it cannot be made."""
    if resident == TRANSIT:
        return TransitCard()
    try:
        world = load_world(world_path)
    except WorldError as exc:
        raise ValueError(str(exc)) from None
    pki = state.pki() if state is not None else TestJPKI()
    tries, sign_tries = state.counters(resident) if state is not None else (None, None)
    try:
        pins = state.reset_pins(resident) if state is not None else {}
        return resident_card(world, pki, resident, SystemClock().now(), tries, sign_tries,
                             pins)
    except KeyError:
        known = ", ".join(r.id for r in world.residents)
        raise ValueError(f"no resident {resident!r} in the world (known: {known}, "
                         f"or {TRANSIT})") from None


def owner_hand(phone: MyNumberCard, lines: Iterable[str], out: Callable[[str], object]) -> None:
    """The iPhone's owner, typed on standard input: ``confirm`` or ``decline``, one a line."""
    for line in lines:
        word = line.strip().lower()
        if word == "confirm":
            phone.phone_confirm()
        elif word == "decline":
            phone.phone_decline()
        elif word:
            out(f"unknown {word[:20]!r}: type confirm or decline")
            continue
        else:
            continue
        out(f"the owner: {word}")


def emulate(vpcd: str, resident: str, world_path: Path | None, state_dir: Path | None,
            out: Callable[[str], object] = print) -> int:
    """Serve the card until vpcd closes the connection or the process is interrupted."""
    try:
        host, port = parse_endpoint(vpcd)
        state = CardState(state_dir) if state_dir is not None else None
        card = build_card(resident, world_path, state)
    except ValueError as exc:
        print(f"kiosk card emulate: {exc}")
        return 2

    def persist(c: EmulatedCard) -> None:
        if state is not None and isinstance(c, MyNumberCard):
            state.save_counters(resident, c)

    vcard = VpcdCard(card, host, port, on_change=persist)
    try:
        vcard.connect()
    except OSError as exc:
        print(f"kiosk card emulate: cannot reach vpcd at {host}:{port}: {exc.strerror or exc} "
              "(is pcscd running with vsmartcard-vpcd installed?)")
        return 1
    stop = threading.Event()

    def lift(*_: object) -> None:
        stop.set()
        vcard.remove()

    signal.signal(signal.SIGTERM, lift)
    signal.signal(signal.SIGINT, lift)
    out(f"card of {resident} on vpcd {host}:{port}; Ctrl-C lifts it")
    if isinstance(card, MyNumberCard) and card.kind == "iphone":
        out("an iPhone: type confirm or decline (its owner's Face ID) on standard input")
        threading.Thread(target=owner_hand, args=(card, sys.stdin, out), name="iphone-owner",
                         daemon=True).start()
    try:
        vcard.serve()
    except (VpcdClosed, OSError):
        pass
    if not stop.is_set():
        print("kiosk card emulate: vpcd closed the connection")
        return 1
    return 0
