"""A counter kiosk (らくらく窓口) on the counter world, and a resident who takes a ticket there:
what the counter's tests share."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from conftest import ROOT, make_kiosk

from kiosk.app import Kiosk
from kiosk.clock import JST
from kiosk.counter.console import Console
from kiosk.vocabulary import events as ev

WORLD = ROOT / "tests" / "worlds" / "counter.toml"
PINS = {"r001": "1234", "r002": "4321"}
TOWNS = {"r001": "131130", "r002": "141305"}
NAMES = {"r001": "山田 太郎", "r002": "佐藤 花子"}  # the world's: shown on the console only


def counter_kiosk(tmp_path: Path, start: datetime | None = None) -> Kiosk:
    return make_kiosk(tmp_path, start or datetime(2026, 11, 20, 10, 0, tzinfo=JST),
                      kiosk={"id": "counter-0001", "mode": "counter"},
                      center={"uri": "local:", "world": str(WORLD)},
                      journal={"path": str(tmp_path / "journal.sqlite"), "durability": "normal"})


def take_ticket(k: Kiosk, resident: str, copies: int = 1) -> str:
    """The resident signs in, chooses the residence record and takes the ticket; its number."""
    assert k.slot is not None
    for event in (ev.Start("certificates"), ev.Agree(True)):
        k.post(event)
        k.pump()
    k.slot.place(k.card_for(resident))
    k.pump()
    k.post(ev.EnterPin(bytearray(PINS[resident].encode())))
    k.pump()
    k.slot.remove()
    k.pump()
    for event in (ev.ChooseMunicipality(TOWNS[resident]), ev.ChooseCertificate("juminhyo"),
                  ev.SetOptions({}), ev.SetCopies(copies), ev.Confirm(True)):
        k.post(event)
        k.pump()
    assert k.session.state == "ticket", k.session.state
    number = k.session.view().ticket
    assert number is not None
    k.take("paper")
    k.pump()
    assert k.session.state == "thanks"
    k.advance_to(k.clock.now() + timedelta(seconds=30))  # the thanks screen gives way
    assert k.session.state == "idle"
    return number


def console_of(k: Kiosk) -> Console:
    """The console core over the kiosk's own journal, center and printer."""
    return Console(k.journal, k.client, k.printer, k.clock)
