"""``kiosk doctor``'s card readers: pcscd, the readers it lists, and what a card on one of them
is (its kind and key algorithm, read without a PIN: drivers/card/probe.py)."""

from __future__ import annotations

import fnmatch

from kiosk.config import Config
from kiosk.vocabulary.reasons import CardError

OK, WARN, FAIL = "ok", "warn", "fail"


def check_card_readers(config: Config | None) -> tuple[str, str]:
    from smartcard import scard

    card = config.card if config else None
    pcsc = card is not None and card.reader == "pcsc"
    missing = FAIL if pcsc else WARN
    hresult, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if hresult != scard.SCARD_S_SUCCESS:
        return missing, "pcscd is not running" + ("" if pcsc else " (card.reader = emulated)")
    try:
        hresult, readers = scard.SCardListReaders(context, [])
        if hresult != scard.SCARD_S_SUCCESS or not readers:
            return missing, "pcscd is running but lists no reader"
        if card is not None and card.reader_pattern:
            readers = [r for r in readers if fnmatch.fnmatchcase(r, card.reader_pattern)]
            if not readers:
                return missing, f"no reader matches {card.reader_pattern!r}"
        states = [(r, scard.SCARD_STATE_UNAWARE) for r in readers]
        hresult, states = scard.SCardGetStatusChange(context, 0, states)
        listed = []
        for reader, state, _atr in states:
            present = state & scard.SCARD_STATE_PRESENT
            listed.append(f"{reader} ({card_on(reader) if present else 'empty'})")
        return OK, f"{len(listed)} reader{'s' if len(listed) > 1 else ''}: " + ", ".join(listed)
    finally:
        scard.SCardReleaseContext(context)


def card_on(reader: str) -> str:
    """What the card on ``reader`` is; a card the kiosk holds (or that answers nothing) says
    so instead."""
    from drivers.card.pcsc import PcscConnection
    from drivers.card.probe import describe_card

    try:
        conn = PcscConnection(reader)
    except CardError as exc:
        return f"card: cannot connect ({exc.reason})"
    try:
        return "card: " + describe_card(conn)
    except CardError as exc:
        return f"card: {exc}"
    finally:
        conn.disconnect()
