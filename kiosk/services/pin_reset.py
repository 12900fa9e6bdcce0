"""The PIN reset (暗証番号の再設定) at the kiosk, free of charge.

The resident reserved it in the phone app (card read, face matched) and finishes here within 24
hours. No sign-in: once the card is read (a locked PIN too: that is what the service is for),
the kiosk reads its user-authentication certificate and asks the center whether a reset is
reserved for it; the resident types the new 4-digit PIN twice (and the new signing password
twice, 6 to 16 capital letters and digits, when the reservation includes it); the card gives a
nonce per PIN, the center one authorisation over each, and the kiosk sends the authorisation
with the new PIN to the card only. The PINs are bytearrays, wiped once sent or dropped; they are
never logged, journaled, kept, or shown but as dots. The center never sees them.
"""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from kiosk.i18n import N_
from kiosk.services.api import Core, Handler, Port, Service, Transition
from kiosk.session.signin import pin_acceptable, wipe
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.events import JobResult, WorkFailed
from kiosk.vocabulary.ports import CardPort, CenterPort
from kiosk.vocabulary.reasons import CenterError, Reason
from kiosk.vocabulary.states import StateInfo
from kiosk.vocabulary.view import TextField, View

log = logging.getLogger(__name__)

ID = "pin-reset"
PASSWORD_FIELD = "signing_password"
PASSWORD_MAX = 16
STEP = "pin_reset_new_pin"  # the journey step of every screen before the last
_PASSWORD = re.compile(r"[A-Z0-9]{6,16}")  # a signing password: 6 to 16 capitals and digits


@dataclass(frozen=True)
class Reserved(JobResult):
    """The center has a reset reserved for the card: its certificate and the PINs to set."""

    certificate: bytes
    which: tuple[str, ...]


@dataclass(frozen=True)
class PinsReset(JobResult):
    """The card took its new PINs."""

    which: tuple[str, ...]


def password_acceptable(text: str) -> bool:
    return bool(_PASSWORD.fullmatch(text))


def check_reserved(card: CardPort, center: CenterPort) -> Reserved:
    """Worker side: the card's certificate, and the reservation the center has for it."""
    certificate = card.read_auth_certificate()
    which = tuple(center.pin_reset_check(certificate))
    if "user" not in which or not set(which) <= {"user", "signing"}:
        raise CenterError("the reservation names PINs the kiosk cannot set",
                          Reason.CENTER_UNAVAILABLE)
    return Reserved(certificate, which)


def write_pins(card: CardPort, center: CenterPort, certificate: bytes,
               pins: dict[str, bytearray]) -> PinsReset:
    """Worker side: a nonce per PIN from the card, the center's authorisations, then each new
    PIN to the card with its authorisation; every PIN wiped whatever happens."""
    try:
        nonces = {name: card.pin_reset_nonce(name) for name in pins}
        authorisations = center.pin_reset_authorise(certificate, nonces)
        for name, pin in pins.items():
            card.reset_pin(name, authorisations[name], pin)
    finally:
        for pin in pins.values():
            wipe(pin)
    card.close()
    return PinsReset(tuple(pins))


class PinResetFlow:
    """One resident's reset: the reservation's PINs and the new ones until they are sent."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.first: bytearray | None = None  # the first entry, until the second is compared
        self.pins: dict[str, bytearray] = {}
        self.which: tuple[str, ...] = ()
        self.certificate = b""
        self.done: tuple[str, ...] = ()

    def reset(self) -> None:
        self._drop()
        self.which, self.certificate, self.done = (), b"", ()

    def _drop(self) -> None:
        """Wipe every PIN typed and not sent."""
        if self.first is not None:
            wipe(self.first)
        for pin in self.pins.values():
            wipe(pin)
        self.first, self.pins = None, {}

    def handlers(self) -> Mapping[type[ev.Event], Handler]:
        return {ev.EnterPin: self._on_pin, ev.SetText: self._on_text,
                ev.Confirm: self._on_confirm}

    def results(self) -> Mapping[type[JobResult], Handler]:
        return {Reserved: self._reserved, PinsReset: self._written}

    def failures(self) -> Mapping[type[JobResult], Callable[[WorkFailed], None]]:
        return {Reserved: self._refused, PinsReset: self._refused}

    def entered(self, state: str) -> None:
        if state == "pin_reset_checking":
            card, center = self.core.ports.card, self.core.ports.center
            self.core.submit(Reserved, lambda: check_reserved(card, center),
                             Reason.CARD_UNREADABLE)
        elif state in ("pin_reset_new_pin", "pin_reset_signing") and self.first is not None:
            wipe(self.first)  # back to the first entry: the one typed goes
            self.first = None

    # --- the center's and the card's answers ----------------------------------------------------
    def _reserved(self, result: Reserved) -> None:
        self.which, self.certificate = result.which, result.certificate
        if self.core.visit.cancel_requested:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.trigger("reserved")

    def _written(self, result: PinsReset) -> None:
        self.done = result.which
        log.info("pin reset: %s set on the card", ", ".join(result.which))
        self.core.trigger("reset_done")  # (too late to cancel: the card has its new PINs)

    def _refused(self, e: WorkFailed) -> None:
        self._drop()
        try:
            self.core.ports.card.close()
        except Exception as exc:  # the card may be gone already
            log.info("card release: %s", type(exc).__name__)
        if self.core.visit.cancel_requested and e.job is Reserved:
            self.core.cancel(Reason.CANCELLED)
        else:
            self.core.fail(e.reason)

    # --- what the resident types ----------------------------------------------------------------
    def _on_pin(self, e: ev.EnterPin) -> None:
        state = self.core.state
        if state not in ("pin_reset_new_pin", "pin_reset_pin_again") or not pin_acceptable(e.pin):
            wipe(e.pin)
            return
        pin = bytearray(e.pin)
        wipe(e.pin)
        self._entered("user", pin, again=state == "pin_reset_pin_again")

    def _on_text(self, e: ev.SetText) -> None:
        state = self.core.state
        if state not in ("pin_reset_signing", "pin_reset_signing_again"):
            return
        text = e.fields.get(PASSWORD_FIELD, "")
        if set(e.fields) != {PASSWORD_FIELD} or not password_acceptable(text):
            log.info("signing password not acceptable: 6 to 16 capitals and digits")
            return
        self._entered("signing", bytearray(text.encode("ascii")),
                      again=state == "pin_reset_signing_again")

    def _entered(self, name: str, typed: bytearray, again: bool) -> None:
        """A first entry is kept until the second; the two differ: both go, typed again."""
        if not again or self.first is None:
            self.first = typed
            self.core.visit.message = None
            self.core.trigger("typed")
            return
        same = hmac.compare_digest(bytes(self.first), bytes(typed))
        wipe(self.first)
        self.first = None
        if not same:
            wipe(typed)
            self.core.visit.message = Reason.PIN_MISMATCH
            self.core.trigger("mismatch")
            return
        self.pins[name] = typed
        self.core.visit.message = None
        if "signing" in self.which and "signing" not in self.pins:
            self.core.trigger("signing")
        else:
            self._write()

    def _write(self) -> None:
        pins, self.pins = self.pins, {}  # the job has them now, and wipes them
        card, center, certificate = self.core.ports.card, self.core.ports.center, self.certificate
        self.core.trigger("write")
        self.core.submit(PinsReset, lambda: write_pins(card, center, certificate, pins),
                         Reason.CARD_UNREADABLE)

    def _on_confirm(self, e: ev.Confirm) -> None:
        if self.core.state == "pin_reset_done":
            self.core.trigger("ask_card_back")  # read: now the card

    def view(self, view: View, now: datetime) -> View:
        typing = view.screen in ("pin_reset_signing", "pin_reset_signing_again")
        return replace(view, fields=(TextField(PASSWORD_FIELD, "", PASSWORD_MAX),)
                       if typing else (), pins_reset=self.done)


SERVICE = Service(
    id=ID,
    title=N_("Reset your PIN (reserved in the app)"),
    states=(
        StateInfo("pin_reset_checking", prompt="please-wait", step=STEP, busy=True, service=ID),
        StateInfo("pin_reset_new_pin", prompt="enter-pin", timeout="pin_entry", step=STEP,
                  cancellable=True, service=ID),
        StateInfo("pin_reset_pin_again", prompt="enter-pin", timeout="pin_entry", step=STEP,
                  cancellable=True, service=ID),
        StateInfo("pin_reset_signing", prompt="choose", timeout="typing", step=STEP,
                  cancellable=True, service=ID),
        StateInfo("pin_reset_signing_again", prompt="choose", timeout="typing", step=STEP,
                  cancellable=True, service=ID),
        StateInfo("pin_reset_writing", prompt="please-wait", step=STEP, busy=True, service=ID),
        StateInfo("pin_reset_done", prompt="remove-card", timeout="remove_card_giveup",
                  on_timeout="leave", step="pin_reset_done", settled=True, service=ID,
                  alarm="remove_card_alarm"),
    ),
    transitions=(
        Transition("reserved", "pin_reset_checking", "pin_reset_new_pin"),
        Transition("typed", "pin_reset_new_pin", "pin_reset_pin_again"),
        Transition("mismatch", "pin_reset_pin_again", "pin_reset_new_pin"),
        Transition("back", "pin_reset_pin_again", "pin_reset_new_pin"),
        Transition("signing", "pin_reset_pin_again", "pin_reset_signing"),
        Transition("typed", "pin_reset_signing", "pin_reset_signing_again"),
        Transition("mismatch", "pin_reset_signing_again", "pin_reset_signing"),
        Transition("back", "pin_reset_signing_again", "pin_reset_signing"),
        Transition("write", ("pin_reset_pin_again", "pin_reset_signing_again"),
                   "pin_reset_writing"),
        Transition("reset_done", "pin_reset_writing", "pin_reset_done"),
    ),
    journey=("await_card", "pin_reset_new_pin", "pin_reset_done"),
    entry="pin_reset_checking",
    after_card="pin_reset_checking",
    flow=PinResetFlow,
    ports=frozenset({Port.CARD, Port.CENTER}),
    order=30,
)
