"""Everything a card can do wrong, over the real stack: pyscard → pcscd → vsmartcard-vpcd → our
emulated card on its TCP socket. Waits are real time (pcscd polls vpcd every ~0.4 s), bounded."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SESSIONS, make_pcsc_kiosk
from pcscd_control import wait_empty

from drivers.card.emulator import MyNumberCard, TransitCard
from kiosk.app import Kiosk
from kiosk.vocabulary import events as ev

WAIT = 10.0


@pytest.fixture
def kiosk(tmp_path: Path, pcscd: object) -> Iterator[Kiosk]:
    wait_empty()  # a card lifted by the test before is gone for pcscd too
    k = make_pcsc_kiosk(tmp_path)
    ready = k.wait_for(ev.ReaderChanged, WAIT)
    assert isinstance(ready, ev.ReaderChanged) and ready.available, ready
    k.session.handle(ready)
    seen: list[tuple[str, str | None]] = []
    k.session.listeners.append(lambda state: seen.append((state, k.session.view().message)))
    k.seen = seen  # type: ignore[attr-defined]
    yield k
    k.close()


def act(k: Kiosk, *events: ev.Event) -> None:
    for e in events:
        k.post(e)
        k.pump()


def until(k: Kiosk, kind: type[ev.Event]) -> None:
    """Wait for the reader monitor's event, then hand it (and what follows) to the session."""
    event = k.wait_for(kind, WAIT)
    assert event is not None, f"no {kind.__name__} within {WAIT} s (on {k.session.state})"
    act(k, event)


def place(k: Kiosk, card: object) -> None:
    assert k.slot is not None
    k.slot.place(card)  # type: ignore[arg-type]
    until(k, ev.CardPlaced)


def lift(k: Kiosk) -> None:
    assert k.slot is not None
    k.slot.remove()
    until(k, ev.CardRemoved)


def to_card_prompt(k: Kiosk) -> None:
    act(k, ev.Start(), ev.Agree())
    assert k.session.state == "await_card"


def test_sample_sessions_pass_over_pcscd(pcscd: object, tmp_path: Path) -> None:
    """All but those that unplug the reader: the harness cannot unplug pcscd's vpcd reader."""
    samples = [p for p in sorted(SESSIONS.glob("*.jsonl")) if '"reader"' not in p.read_text()]
    run = subprocess.run([sys.executable, "-m", "kiosk", "replay", "--pcsc", "--out",
                          str(tmp_path), *map(str, samples)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    import json

    report = json.loads((tmp_path / "report.json").read_text())
    happy = next(s for s in report["sessions"] if "one-copy" in s["file"])
    # extended length through vpcd: 10, and the one SELECT that looks for a town's AP (the
    # sample world's Nanto takes the card-AP method; in a world where none does, 10)
    assert happy["apdus"] <= 11


def test_a_good_pin_over_pcscd_signs_in(kiosk: Kiosk) -> None:
    to_card_prompt(kiosk)
    place(kiosk, kiosk.card_for("r001"))
    assert kiosk.session.state == "pin_entry"
    act(kiosk, ev.EnterPin(bytearray(b"1234")))
    assert kiosk.session.state == "remove_card"
    lift(kiosk)
    assert kiosk.session.state == "choose_municipality"


def test_three_wrong_pins_lock_the_card(kiosk: Kiosk) -> None:
    card = kiosk.card_for("r001")
    to_card_prompt(kiosk)
    place(kiosk, card)
    for tries_after in (2, 1):
        act(kiosk, ev.EnterPin(bytearray(b"9999")))
        view = kiosk.session.view()
        assert (view.screen, view.message, view.tries_left) == ("pin_entry", "pin-wrong",
                                                                tries_after)
    act(kiosk, ev.EnterPin(bytearray(b"9999")))
    assert (kiosk.session.state, kiosk.session.view().message) == ("error", "pin-locked")
    assert card.tries_left == 0
    lift(kiosk)
    assert kiosk.session.state == "idle"


def test_an_already_locked_card_is_pin_locked_without_asking(kiosk: Kiosk) -> None:
    to_card_prompt(kiosk)
    place(kiosk, kiosk.card_for("r004"))
    assert (kiosk.session.state, kiosk.session.view().message) == ("error", "pin-locked")
    assert "pin_entry" not in [s for s, _ in kiosk.seen]  # type: ignore[attr-defined]


class LiftedMidRead:
    """A card taken off the reader while it answers its ``n``-th APDU (between two APDUs)."""

    def __init__(self, card: MyNumberCard, kiosk: Kiosk, n: int) -> None:
        self._card, self._kiosk, self._n = card, kiosk, n
        self.atr = card.atr

    def transmit(self, apdu: list[int]) -> tuple[list[int], int, int]:
        self._n -= 1
        if self._n == 0:
            assert self._kiosk.slot is not None
            self._kiosk.slot.remove()  # the socket closes before this answer is sent
        return self._card.transmit(apdu)

    def __getattr__(self, name: str) -> object:
        return getattr(self._card, name)


def test_a_card_lifted_mid_read_is_card_removed_and_nothing_hangs(kiosk: Kiosk) -> None:
    card = kiosk.card_for("r001")
    to_card_prompt(kiosk)
    place(kiosk, LiftedMidRead(card, kiosk, n=3))  # during the token read
    until(kiosk, ev.CardRemoved)
    assert ("error", "card-removed") in kiosk.seen  # type: ignore[attr-defined]
    assert kiosk.session.state == "idle"
    assert card.tries_left == 3


def test_a_card_lifted_during_authentication_spends_no_try(kiosk: Kiosk) -> None:
    card = kiosk.card_for("r001")
    to_card_prompt(kiosk)
    place(kiosk, LiftedMidRead(card, kiosk, n=6))  # open takes 5; the 6th is the VERIFY
    act(kiosk, ev.EnterPin(bytearray(b"1234")))
    assert ("error", "card-removed") in kiosk.seen  # type: ignore[attr-defined]
    until(kiosk, ev.CardRemoved)
    assert kiosk.session.state == "idle"


def test_a_transit_card_is_card_unsupported(kiosk: Kiosk) -> None:
    to_card_prompt(kiosk)
    place(kiosk, TransitCard())
    assert (kiosk.session.state, kiosk.session.view().message) == ("error", "card-unsupported")
    lift(kiosk)
    assert kiosk.session.state == "idle"


def test_the_older_resident_card_signs_in_by_its_towns_ap_over_pcscd(kiosk: Kiosk) -> None:
    """住基カード: the card-AP method only, which Nanto takes (its AP found by one SELECT)."""
    to_card_prompt(kiosk)
    place(kiosk, kiosk.card_for("r008"))
    view = kiosk.session.view()
    assert (kiosk.session.state, view.card_kind, view.tries_left) == ("pin_entry", "card-ap", 3)
    act(kiosk, ev.EnterPin(bytearray(b"2468")))
    assert kiosk.session.state == "remove_card"


@pytest.mark.parametrize("resident, pin, reason", [("r005", b"7777", "cert-revoked"),
                                                   ("r006", b"2580", "cert-expired")])
def test_the_center_refuses_a_revoked_or_expired_certificate(kiosk: Kiosk, resident: str,
                                                             pin: bytes, reason: str) -> None:
    to_card_prompt(kiosk)
    place(kiosk, kiosk.card_for(resident))
    act(kiosk, ev.EnterPin(bytearray(pin)))
    assert (kiosk.session.state, kiosk.session.view().message) == ("error", reason)


def test_pcscd_vanishing_mid_session_takes_the_kiosk_out_of_service_until_it_returns(
        kiosk: Kiosk, pcscd: object) -> None:
    to_card_prompt(kiosk)
    place(kiosk, kiosk.card_for("r001"))
    assert kiosk.session.state == "pin_entry"
    pcscd.stop()  # type: ignore[attr-defined]
    until(kiosk, ev.ReaderChanged)
    view = kiosk.session.view()
    assert (view.screen, view.message) == ("out_of_service", "reader-unavailable")
    assert kiosk.journal.totals().paid == 0
    kiosk.slot.remove()  # type: ignore[union-attr]
    pcscd.start()  # type: ignore[attr-defined]
    until(kiosk, ev.ReaderChanged)
    assert kiosk.session.state == "idle"
    to_card_prompt(kiosk)  # and it works again
    place(kiosk, kiosk.card_for("r001"))
    assert kiosk.session.state == "pin_entry"


def test_pcscd_carries_an_unfamiliar_atr_and_the_kiosk_signs_in_all_the_same(
        kiosk: Kiosk) -> None:
    """The next-generation card's ATR is in no list (OpenSC's issue 3021): pcscd hands it on,
    and the kiosk, which never looks at it, signs in."""
    from smartcard import scard

    new_atr = bytes.fromhex("3B8C8131FE45804A504B492D4E455854000035")
    card = kiosk.card_for("r001")
    card.atr = new_atr
    to_card_prompt(kiosk)
    place(kiosk, card)
    assert kiosk.slot is not None
    _, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    try:  # what pcscd says lies on the reader (the kiosk holds the card: no connecting)
        _, states = scard.SCardGetStatusChange(
            context, 0, [(kiosk.slot.reader_name, scard.SCARD_STATE_UNAWARE)])
    finally:
        scard.SCardReleaseContext(context)
    assert [bytes(atr) for _, _, atr in states] == [new_atr]
    assert kiosk.session.state == "pin_entry"
    act(kiosk, ev.EnterPin(bytearray(b"1234")))
    assert kiosk.session.state == "remove_card"
    lift(kiosk)
    assert kiosk.session.state == "choose_municipality"
