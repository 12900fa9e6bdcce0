"""The harness: plays session files on a kiosk with a virtual clock and checks what must hold."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from drivers.card.emulator.vpcd import VpcdSlot, parse_endpoint
from drivers.payment.cash_unit import SimulatedCashUnit
from drivers.printer.spool import SpoolPrinter
from kiosk.app import build_kiosk
from kiosk.center.transport import TransportError
from kiosk.clock import VirtualClock
from kiosk.config import Config, ConfigError, from_data, merge
from kiosk.journal.store import Totals
from kiosk.record.lines import FIELD
from kiosk.replay.checks import CheckLines
from kiosk.replay.format import CENTER_CONTROLS, SessionFile, Step
from kiosk.replay.recorded import NotReplayable, pin_for, text_for
from kiosk.replay.result import Failure, Options, Result
from kiosk.replay.screen_lines import ScreenLines
from kiosk.replay.staff_lines import StaffLines
from kiosk.replay.world_lines import LineError, WorldLines
from kiosk.vocabulary import events as ev
from kiosk.vocabulary.keyboard import keystrokes, type_keys

log = logging.getLogger(__name__)

REAL_WAIT = 10.0  # seconds pcscd may take to notice a card (it polls vpcd every ~0.4 s)


# The steps that are one event made from the step's value alone
SIMPLE: dict[str, Callable[[Any], ev.Event]] = {
    "language": ev.ChooseLanguage,
    "start": ev.Start,
    "agree": ev.Agree,
    "municipality": ev.ChooseMunicipality,
    "certificate": ev.ChooseCertificate,
    "form": ev.ChooseForm,
    "options": lambda v: ev.SetOptions(dict(v)),
    "copies": ev.SetCopies,
    "confirm": ev.Confirm,
    "cancel": lambda v: ev.Cancel(),
    "back": lambda v: ev.Back(),
    "help": lambda v: ev.HelpCall(),  # "call staff" (issue 16)
}


class SetupError(Exception):
    """The session cannot run as written (unknown resident, bad config override...)."""


class Player(ScreenLines, CheckLines, StaffLines):
    """Plays one session file on a fresh kiosk."""

    def __init__(self, session: SessionFile, options: Options, workdir: Path) -> None:
        self.file = session
        self.options = options
        self.result = Result(str(session.path), session.header.name)
        self.workdir = workdir
        self.clock = VirtualClock(session.header.start)
        self.world = WorldLines(options.printer_lab)
        self.kiosk = build_kiosk(self._config(), self.clock, inline=True,
                                 kiosk_id=session.header.kiosk)
        if self.kiosk.readers is not None:
            ready = self.kiosk.wait_for(ev.ReaderChanged, REAL_WAIT)
            if ready is not None:
                self.kiosk.session.handle(ready)
            ready = ready if isinstance(ready, ev.ReaderChanged) else None
            if ready is None or not ready.available:
                self.kiosk.close()
                raise SetupError(f"no vpcd reader {self.options.vpcd} through pcscd: "
                                 f"{ready.detail if ready else 'no answer'} (is pcscd running "
                                 "with vsmartcard-vpcd installed?)")
        self._ui: Any = None
        self._shot = 0
        self._mark: float | None = None
        self._mark_state = ""
        self.on_card: str | None = None  # the resident whose card was placed last
        self.kiosk.session.listeners.append(self._visited)

    def _config(self) -> Config:
        h = self.file.header
        data = merge(self.options.config, h.config)
        printed = self.workdir / "printed"
        if data.get("center", {}).get("uri", "local:") == "local:":
            # The built-in center on the session's world; a --config naming a remote center
            # keeps it (and its world: the one that center serves).
            data = merge(data, {"center": {"uri": "local:",
                                           "world": "" if h.world == "sample" else h.world}})
        else:  # a lab center (served with --lab) answers on the session's virtual time
            data = merge(data, {"center": {"transport": {"lab_clock": True}}})
        data = merge(data, {
            "kiosk": {"id": h.kiosk},
            "printer": {"uri": self._printer_uri(printed)},
            # A power cut here is the process dying (the harness's): WAL's normal sync keeps
            # every commit through that, without waiting for the disk at each one.
            "journal": {"path": str(self.options.journal or self.workdir / "journal.sqlite"),
                        "durability": "normal"},
        })
        if self.options.vpcd:
            host, port = parse_endpoint(self.options.vpcd)
            data = merge(data, {"card": {
                "reader": "pcsc", "vpcd": f"{host}:{port}",
                "reader_pattern": VpcdSlot(host, port).reader_name}})
        try:
            return from_data(data, f"{self.file.path} config")
        except ConfigError as exc:
            raise SetupError(str(exc)) from None

    def _printer_uri(self, printed: Path) -> str:
        if self.options.printer_lab is not None:
            return f"cups:{self.options.printer_lab.queue}"
        return self.options.printer or f"spool:{printed}"

    # ------------------------------------------------------------------ playing
    def play(self) -> Result:
        started = time.perf_counter()
        journal = self.kiosk.journal
        before = Totals() if journal.created else journal.totals()  # a new journal: nothing yet
        totals: Totals | None = None  # the session's, once counted at its end
        self._visited(self.kiosk.session.state)
        try:
            for step in self.file.steps:
                if step.at is not None:
                    when = self.file.header.start + timedelta(seconds=step.at)
                    self._timed(partial(self.kiosk.advance_to, when))
                if step.action != "expect" and self._ui is not None:
                    self._ui.guidance.said.clear()  # "said": the speech since the last action
                self._do(step)
                if step.action != "expect" and self._ui is not None:
                    self._ui.show(self.kiosk.session.view())  # read aloud, if guidance is on
                if self.options.pace:
                    time.sleep(self.options.pace)
            if self.file.expect_end is not None:
                totals = self.kiosk.journal.totals().minus(before)
                self._check_end(self.file.expect_end, totals)
        finally:
            k = self.kiosk
            self.result.totals = (totals if totals is not None
                                  else k.journal.totals().minus(before))
            self.result.apdus = k.card_port.total.apdus
            self.result.seconds = time.perf_counter() - started - self.result.waited
            printer = k.printer
            self.result.documents = sorted(
                str(p) for p in printer.directory.glob("*.pdf")
            ) if self.options.out and isinstance(printer, SpoolPrinter) else []
            k.close()
        return self.result

    def _timed(self, *calls: Callable[[], object]) -> None:
        """Run ``calls`` in turn; their machine time goes to the screen(s) the kiosk was on."""
        self._mark, self._mark_state = time.perf_counter(), self.kiosk.session.state
        for call in calls:
            call()
        self._charge()
        self._mark = None

    def _charge(self) -> None:
        if self._mark is not None:
            now = time.perf_counter()
            self.result.machine_time[self._mark_state] += now - self._mark
            self._mark = now

    def _pump_after(self, event: ev.Event) -> None:
        self._timed(lambda: self.kiosk.post(event), self.kiosk.pump)

    def _do(self, step: Step) -> None:
        k, a, v = self.kiosk, step.action, step.value
        if a == "municipality":
            self._known_municipality(step)
        if a in SIMPLE:
            self._pump_after(SIMPLE[a](v))
        elif a == "pin":
            operator = k.session.state == "maintenance"
            card = k.session.visit.card
            card_ap = card is not None and card.method == "card-ap"
            helper = k.session.state == "forms_pin"  # the text-helper AP's own PIN
            digits = self._recorded(step, lambda: pin_for(k.issuer, self.on_card, v, operator,
                                                          card_ap, helper))
            self._pump_after(ev.EnterPin(bytearray(digits.encode("ascii"))))
        elif a == "card":
            self._card(step)
        elif a == "phone":
            self._phone(step)
        elif a == "insert":
            self._insert(step)
        elif a == "take":
            self._timed(lambda: k.take(v), k.pump)
        elif a == "tap":
            self._tap(step)
        elif a == "key":
            self._key(v)
        elif a == "idle":
            self._timed(lambda: k.advance_to(self.clock.now() + timedelta(seconds=v)))
        elif a == "center":
            self._center(step)
        elif a == "text":
            typed = {key: self._recorded(step, partial(text_for, k.issuer, self.on_card, key,
                                                       text)) for key, text in v.items()}
            self._pump_after(ev.SetText({key: type_keys(keystrokes(text))
                                         for key, text in typed.items()}))
        elif a in ("printer", "reader", "emoney", "disk"):
            try:
                self.world.play(k, a, v, self._timed)
            except LineError as exc:
                raise SetupError(f"{self.file.path}:{step.line}: {a}: {exc}") from None
        elif a == "staff":
            self._staff(step)
        elif a == "power":
            self._timed(self._power_cut)
        elif a == "clock":
            self._timed(lambda: self.clock.set(v), k.tick)
        elif a == "expect":
            self._check(step.line, v)
        elif a == "wait":
            self._wait(step)
        else:  # the parser refuses anything else; reaching here is a harness bug
            raise AssertionError(f"unhandled action {a}")

    def _recorded(self, step: Step, fill: Callable[[], str]) -> str:
        """A recording's right or wrong PIN or text, filled in from the world."""
        try:
            return fill()
        except NotReplayable as exc:
            raise SetupError(f"{self.file.path}:{step.line}: {step.action}: {exc}") from None

    def _center(self, step: Step) -> None:
        """The lab's hand on the center: a fault from now on, or the 本籍地's answer."""
        k = self.kiosk
        try:
            if step.value in CENTER_CONTROLS:
                self._timed(k.approve_registrations)
            else:
                k.set_center_fault(step.value)
        except (ConfigError, TransportError) as exc:
            raise SetupError(f"{self.file.path}:{step.line}: center: {exc}") from None

    def _known_municipality(self, step: Step) -> None:
        """A municipality the world does not have is a mistake in the session, not a choice."""
        issuer = self.kiosk.issuer
        world = issuer[0] if issuer else None
        practice = self.kiosk.session.practising  # the sample town is not the world's
        if world is not None and world.municipality(step.value) is None and not practice:
            raise SetupError(f"{self.file.path}:{step.line}: municipality: no municipality "
                             f"{step.value!r} in the world")

    def _insert(self, step: Step) -> None:
        """A coin or note into the simulated unit, or through the emulated devices' hands."""
        from kiosk.replay.cash_hands_line import CashLineError, is_serial, put_in

        k = self.kiosk
        if not is_serial(k):
            self._timed(lambda: self._cash().insert(step.value), k.pump)
            return
        t0 = time.perf_counter()
        try:
            _, event = put_in(k, step.value)
        except CashLineError as exc:
            self.result.failures.append(Failure(step.line, "the money to go in", str(exc)))
            return
        finally:
            self.result.waited += time.perf_counter() - t0
        self._timed(lambda: k.post(event) if event is not None else None, k.pump)

    def _cash(self) -> SimulatedCashUnit:
        """The simulated cash unit, where the harness's coins go in."""
        cash = self.kiosk.cash
        if not isinstance(cash, SimulatedCashUnit):
            raise SetupError(f"{self.file.path}: insert: this kiosk has no simulated cash unit "
                             "(payment.unit)")
        return cash

    def _card(self, step: Step) -> None:
        k = self.kiosk
        slot = k.slot
        assert slot is not None
        if step.value["card"] == "place":
            resident = step.value["resident"]
            if resident == FIELD:  # a field recording's card: a stand-in of the world
                if self.options.resident is None:
                    raise SetupError(f"{self.file.path}:{step.line}: card: recorded in the "
                                     "field: replay it with --resident ID (a stand-in of the "
                                     "world)")
                resident = self.options.resident
            if slot.card_present:
                raise SetupError(f"{self.file.path}:{step.line}: card: a card is already on "
                                 "the reader; remove it first")
            try:
                card = k.card_for(resident)
            except KeyError:
                raise SetupError(f"{self.file.path}:{step.line}: resident: no resident "
                                 f"{resident!r} in the world") from None
            self.on_card = k.placed = resident
            self._timed(lambda: slot.place(card), k.pump)
            self._seen(step, ev.CardPlaced)
        else:
            if not slot.card_present:
                raise SetupError(f"{self.file.path}:{step.line}: card: there is no card on the "
                                 "reader to remove")
            self._timed(slot.remove, k.pump)
            self._seen(step, ev.CardRemoved)

    def _phone(self, step: Step) -> None:
        """The iPhone's owner confirms or declines on the phone (the kiosk finds out by asking
        it, at its next ask)."""
        try:
            self._timed(partial(self.kiosk.phone_owner, step.value))
        except ConfigError as exc:
            raise SetupError(f"{self.file.path}:{step.line}: {exc}") from None

    def _power_cut(self) -> None:
        """The kiosk process dies here: only what the journal committed survives; a new kiosk
        starts on the same journal (and recovers, as on a real start)."""
        dead = self.kiosk
        dead.journal.close()  # the file as a killed process leaves it: committed rows only
        from kiosk.replay.cash_hands_line import power_cut

        power_cut(dead)  # its cash unit polls the devices no more: the new kiosk's does
        dead.session.close()
        dead.card_port.close()  # a dead process holds no card connection
        if dead.readers is not None:
            dead.readers.stop()
        if dead.slot is not None and dead.slot.card_present:
            dead.slot.remove()  # the resident takes the card off the dark kiosk
        self.kiosk = build_kiosk(self._config(), self.clock, inline=True,
                                 kiosk_id=self.file.header.kiosk)
        self.kiosk.session.listeners.append(self._visited)
        self.world.lay_on(self.kiosk)
        self.kiosk.pump()
        self._visited(self.kiosk.session.state)

    def _seen(self, step: Step, kind: type[ev.Event]) -> None:
        """Over pcscd the reader notices a card by itself: wait (real time) until it has."""
        k = self.kiosk
        if k.readers is None:
            return
        t0 = time.perf_counter()
        seen = k.wait_for(kind, REAL_WAIT)
        self.result.waited += time.perf_counter() - t0
        if seen is not None:
            self._pump_after(seen)
        else:
            self.result.failures.append(Failure(
                step.line, f"the reader to see the card {step.value['card']}d "
                f"within {REAL_WAIT:g} s", "nothing"))

    def _visited(self, state: str) -> None:
        """Called by the session on every screen it enters."""
        self._charge()
        self._mark_state = state
        at = (self.clock.now() - self.file.header.start).total_seconds()
        self.result.screens.append({"screen": state, "at": at})
        if self.options.screenshots and self.options.out is not None:
            self._shot += 1
            path = self.workdir / "screens" / f"{self._shot:02d}-{state}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            ui = self.ui()
            ui.render(self.kiosk.session.view())
            ui.screenshot(path)
            self.result.screenshots.append(str(path))
            if self._mark is not None:  # pictures are not the kiosk's machine time
                self._mark = time.perf_counter()
