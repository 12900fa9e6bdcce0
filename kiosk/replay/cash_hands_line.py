"""The sessions' ``insert`` lines over emulated cash devices (``[payment] unit = "serial"``).

The money goes in through the devices' hands (``kiosk cash lab`` or ``kiosk cash emulate``):
a note into the ID-003 validator, a coin into the ccTalk acceptor. The unit's poll thread then
posts what it saw; the harness waits (real time, bounded) for that MoneyInserted or
MoneyRejected and hands it to the session. A coin the acceptor refused falls into the return
cup, and money that never reached the unit comes back to the hand: the harness puts its value
in the tray, since the unit cannot know it. Also used by the demo's money keys.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from kiosk.vocabulary import events as ev

if TYPE_CHECKING:
    from kiosk.app import Kiosk
    from kiosk.lab.cash.hands import CashHands

MONEY_WAIT = 10.0  # seconds of real time for the unit's poll thread to post the money


class CashLineError(Exception):
    """The money did not go through the devices as it should (the message says why)."""


def is_serial(kiosk: Kiosk) -> bool:
    """Whether the kiosk's cash is the unit over the serial devices."""
    from drivers.payment.serial_cash import SerialCashUnit

    return isinstance(kiosk.cash, SerialCashUnit)


def hands_of(kiosk: Kiosk) -> CashHands:
    from kiosk.lab.cash.hands import CashHands

    section = kiosk.config.payment.cash
    return CashHands.for_section(section.bills, section.coins)


def to_cup(kiosk: Kiosk, yen: int) -> None:
    """Money back in the return cup: the tray has it (where the tray has hands to take it)."""
    from kiosk.app import TrayWithHands

    if isinstance(kiosk.tray, TrayWithHands):
        kiosk.tray.add_change(yen)


def put_in(kiosk: Kiosk, yen: int, within: float = MONEY_WAIT) -> tuple[str, ev.Event | None]:
    """Insert ``yen`` through the hands; (the device's answer, the unit's money event for the
    session or None). Raises CashLineError when the devices or the unit do not answer."""
    from kiosk.lab.cash.hands import HandsError, outcome

    try:
        hands = hands_of(kiosk)
        said = hands.insert_when_free(yen, within)
    except HandsError as exc:
        raise CashLineError(str(exc)) from None
    what = outcome(hands.device_for(yen), said)
    if what == "back":
        to_cup(kiosk, yen)
        return said, None
    if what != "taken" and what != "refused":
        raise CashLineError(f"insert {yen}: the {hands.device_for(yen)} device said {said!r}")
    if what == "refused":  # the unit cannot tell the coin's value: MoneyRejected(0)
        wanted: set[tuple[type, int]] = {(ev.MoneyRejected, 0), (ev.MoneyRejected, yen)}
    else:  # taken, or a note the unit gives back at once
        wanted = {(ev.MoneyInserted, yen), (ev.MoneyRejected, yen)}
    event = wait_money(kiosk, within, wanted)
    if event is None:
        raise CashLineError(
            f"insert {yen}: the device said {said!r} but the cash unit posted no "
            f"{'MoneyRejected' if what == 'refused' else 'MoneyInserted or MoneyRejected'} "
            f"within {within:g} s")
    if isinstance(event, ev.MoneyRejected) and event.yen == 0:
        to_cup(kiosk, yen)  # the acceptor refused a coin of a value it could not tell
    return said, event


def wait_money(kiosk: Kiosk, within: float,
               wanted: set[tuple[type, int]]) -> ev.Event | None:
    """Handle the kiosk's events as they come until the unit posts one of ``wanted`` (its kind
    and yen; returned unhandled), at most ``within`` seconds of real time."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        event = kiosk.wait_for(ev.Event, left)
        if event is None:
            return None
        if isinstance(event, ev.MoneyInserted | ev.MoneyRejected) and (
                (type(event), event.yen) in wanted):
            return event
        kiosk.handle(event)  # anything else (another device's news) goes on as it came
    return None


def power_cut(kiosk: Kiosk) -> None:
    """A dead kiosk polls its devices no more and lets their ports go (the new one opens the
    same ports); the devices stay as they were, still taking money if they were."""
    if is_serial(kiosk):
        abandon = getattr(kiosk.cash, "abandon", None)
        if callable(abandon):
            abandon()


def demo_insert(kiosk: Kiosk, yen: int) -> str:
    """The demo's money key: in through the hands; the unit's events reach the live kiosk's
    loop by themselves. Money that comes straight back is put in the tray. The answer line."""
    from kiosk.lab.cash.hands import HandsError, outcome

    try:
        hands = hands_of(kiosk)
        said = hands.insert_when_free(yen, 2.0)
    except HandsError as exc:
        return str(exc)
    if outcome(hands.device_for(yen), said) in ("back", "refused"):
        to_cup(kiosk, yen)
    return said
