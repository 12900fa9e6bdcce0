"""What a recording writes for each event: an explicit table, and the words shared with replay.

A recording never holds what a resident typed: a PIN is ``"right"`` or ``"wrong"`` (what the
card answered), a text field likewise (what the 本籍地 answered), a field card is resident
``"field"``. Operator mode's PIN is recorded the same way; the header then gives the operator
the replay PIN below, which the harness types for ``"right"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from kiosk.config import Config
from kiosk.vocabulary import events as ev

RECORDED = ("right", "wrong")  # a recording's PIN or text: what the card or the center answered
FIELD = "field"  # a card read in the field: replayed with a stand-in (kiosk replay --resident)
REPLAY_OPERATOR_PIN = "2580"  # the operator PIN a recording's header gives operator mode

Line = dict[str, Any]

# Events whose line is known from the event alone (the rest are built by the recorder: PIN and
# text wait for their answer, cards need the resident, jobs' results are world facts).
ACTIONS: dict[type[ev.Event], Callable[[Any], Line]] = {
    ev.ChooseLanguage: lambda e: {"language": e.code},
    ev.Start: lambda e: {"start": e.service},
    ev.Agree: lambda e: {"agree": e.accepted},
    ev.ChooseMunicipality: lambda e: {"municipality": e.code},
    ev.ChooseCertificate: lambda e: {"certificate": e.type},
    ev.ChooseForm: lambda e: {"form": e.form},
    ev.SetOptions: lambda e: {"options": dict(e.options)},
    ev.SetCopies: lambda e: {"copies": e.copies},
    ev.Confirm: lambda e: {"confirm": e.accepted},
    ev.Cancel: lambda e: {"cancel": True},
    ev.Back: lambda e: {"back": True},
    ev.Take: lambda e: {"take": e.what},
    ev.MoneyInserted: lambda e: {"insert": e.yen},
    ev.MoneyRejected: lambda e: {"insert": e.yen},
    ev.PayEmoney: lambda e: {"tap": "pay.emoney"},
    ev.StopVoice: lambda e: {"tap": "voice.stop"},
    ev.HelpCall: lambda e: {"help": "call"},
    ev.MoreTime: lambda e: {"tap": "frame.more_time"},
    ev.OperatorKey: lambda e: {"key": "operator"},
    ev.OperatorAction: lambda e: {"tap": f"operator.{e.action.value}"},
    ev.CardRemoved: lambda e: {"card": "remove"},
    ev.ReaderChanged: lambda e: {"reader": "back" if e.available else "gone"},
}


def printer_state(problem: str, job_failed: bool) -> str:
    """The printer line that plays a fault the kiosk met: jam, media-empty or offline."""
    if "media-empty" in problem or "media-needed" in problem:
        return "media-empty"
    if "jam" in problem:
        return "jam"
    if "offline" in problem:
        return "offline"
    return "jam" if job_failed else "offline"  # a job that failed / a printer that cannot print


def header_config(config: Config, operator_used: bool) -> dict[str, Any]:
    """The configuration a recording replays with: what decides the kiosk's course (hours,
    timeouts, payment, language), none of its devices, addresses or secrets."""
    payment = config.payment
    data: dict[str, Any] = {
        "kiosk": {"language": config.kiosk.language, "mode": config.kiosk.mode},
        "help": {"phone": config.help.phone, "repeat_seconds": config.help.repeat_seconds},
        "payment": {"methods": list(payment.methods), "accept": list(payment.accept),
                    "change": dict(payment.change)},
        "timeouts": asdict(config.timeouts),
        "hours": asdict(config.hours),
        "printer": {"timeout": config.printer.timeout,
                    "check_seconds": config.printer.check_seconds},
        "journal": {"reserve_kib": config.journal.reserve_kib},
    }
    if operator_used:
        from kiosk.field.operator_pin import COST_FLOOR, hash_pin

        # A known PIN guarding nothing but a replay: the cheapest accepted scrypt cost
        data["operator"] = {"pin_hash": hash_pin(REPLAY_OPERATOR_PIN, COST_FLOOR)}
    return data
