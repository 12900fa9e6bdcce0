"""``kiosk doctor``'s cash devices (``payment.unit = "serial"``): each device ``[payment.cash]``
names is opened and asked how it is, without taking money (nothing is enabled, reset, stacked
or paid out): the bill validator its ID-003 status, the coin acceptor a simple poll and the last
event in its buffer, a hopper a simple poll, its payout status and its 'test hopper' flags.
Each device's look is bounded in time. The devices answer one host at a time: run the doctor
while the kiosk is stopped (``systemctl stop``), or it talks over the kiosk on the same line.
"""

from __future__ import annotations

import termios
import threading
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from typing import Any

from kiosk.config import Config

OK, WARN, FAIL = "ok", "warn", "fail"
DEVICE_SECONDS = 5.0
RANK = {OK: 0, WARN: 1, FAIL: 2}
Said = tuple[str, str]  # (status, what the device said)


def check_cash(config: Config | None) -> Said:
    """Every cash device of the configuration: the worst status, and what each said."""
    if config is None:
        return WARN, "not checked: the configuration does not load"
    payment = config.payment
    if "cash" not in payment.methods:
        return OK, "no cash taken here (payment.methods)"
    if payment.unit != "serial":
        return OK, f"payment.unit = {payment.unit}: no cash devices to ask"
    targets = cash_targets(payment.cash)
    if not targets:
        return FAIL, "payment.unit = serial names no device in [payment.cash]"
    said = [(key, *bounded(partial(look, target))) for key, target in targets]
    worst = max((status for _key, status, _detail in said), key=RANK.__getitem__)
    return worst, "; ".join(f"{key} {status}: {detail}" for key, status, detail in said)


def cash_targets(section: Any) -> list[tuple[str, str]]:
    """The devices a ``[payment.cash]`` section names: (key, ``id003:…`` or ``cctalk:…``)."""
    found: list[tuple[str, str]] = []
    for f in fields(section):
        value = getattr(section, f.name)
        values = (value.items() if isinstance(value, dict)
                  else enumerate(value) if isinstance(value, list | tuple)
                  else [("", value)])
        for sub, target in values:
            if isinstance(target, str) and target.startswith(("id003:", "cctalk:")):
                found.append((f"{f.name}.{sub}" if sub != "" else f.name, target))
    return found


def bounded(fn: Callable[[], Said], seconds: float = DEVICE_SECONDS) -> Said:
    """``fn`` in a daemon thread: an exception or no answer in time is a failure."""
    box: list[Said] = []

    def run() -> None:
        try:
            box.append(fn())
        except Exception as exc:  # a device that breaks the check reports; the others still run
            box.append((FAIL, f"{type(exc).__name__}: {exc}"))

    thread = threading.Thread(target=run, name="doctor-cash", daemon=True)
    thread.start()
    thread.join(seconds)
    return box[0] if box else (FAIL, f"no answer in {seconds:.0f} s")


def look(target: str) -> Said:
    """One device, by its target."""
    if target.startswith("id003:"):
        return look_validator(target.removeprefix("id003:"))
    return look_cctalk(target)


def look_validator(path: str) -> Said:
    from drivers.payment.id003 import Id003Validator, open_serial
    from drivers.payment.id003_events import Escrow, Fault
    from drivers.payment.id003_frame import Id003Error

    try:
        validator = Id003Validator(open_serial(path, timeout=0.1), retries=2)
    except Id003Error as exc:
        return FAIL, f"{path}: {exc}"
    except termios.error as exc:  # pyserial cannot set the port up (8E1, 9600)
        return FAIL, f"{path}: cannot set the port up: {exc}"
    try:
        event = validator.poll()  # a status request only: the inhibit stays as it is
    except Id003Error as exc:
        return FAIL, f"{path}: not answering ({exc})"
    finally:
        validator.close()
    if isinstance(event, Fault):
        return FAIL, f"{path}: FAULT {event.reason}"
    if isinstance(event, Escrow):
        return WARN, f"{path}: answers; a ¥{event.yen} note is held in escrow"
    return OK, f"{path}: answers, {STATUS_WORDS.get(type(event).__name__, type(event).__name__)}"


STATUS_WORDS = {"Idle": "idle (accepting notes)", "Disabled": "idle (inhibited)",
                "Initializing": "initializing", "PowerUp": "powered up, not started yet",
                "Accepting": "taking a note in", "Stacking": "stacking a note",
                "Returning": "returning a note", "Holding": "holding a note",
                "Rejecting": "rejecting a note"}


def look_cctalk(target: str) -> Said:
    from drivers.payment.cctalk import CctalkBus, open_line, parse_target
    from drivers.payment.cctalk_frame import CctalkError

    path, address = parse_target(target)
    try:
        line = open_line(path)
    except (OSError, ValueError) as exc:  # pyserial's SerialException is an OSError
        return FAIL, f"{target}: cannot open {path}: {exc}"
    try:
        bus = CctalkBus(line)
        category = _ask(bus, address)
        if category is None:
            return FAIL, f"{target}: not answering"
        if "hopper" in category.lower() or "payout" in category.lower():
            return _look_hopper(bus, address, target, category)
        return _look_acceptor(bus, address, target, category)
    except CctalkError as exc:
        return FAIL, f"{target}: {type(exc).__name__}: {exc}"
    finally:
        line.close()


def _ask(bus: Any, address: int) -> str | None:
    """The device's equipment category after a simple poll; None when it does not answer."""
    from drivers.payment.cctalk_frame import CommunicationLost, Header

    try:
        bus.transact(address, Header.SIMPLE_POLL)
    except CommunicationLost:
        return None
    raw = bus.transact(address, Header.REQUEST_EQUIPMENT_CATEGORY)
    return bytes(raw).decode("ascii", "replace") or "unknown category"


def _look_acceptor(bus: Any, address: int, target: str, category: str) -> Said:
    from drivers.payment.cctalk_frame import Header, coin_event_name

    data = bus.transact(address, Header.READ_BUFFERED_CREDIT)  # read only: nothing is cleared
    if len(data) != 11:
        return FAIL, f"{target}: {category}: buffered credit of {len(data)} bytes, not 11"
    counter, result_a, result_b = data[0], data[1], data[2]
    said = f"{target}: answers ({category}), event counter {counter}"
    if counter and result_a == 0 and result_b:  # the latest event is an error, not a credit
        return WARN, f"{said}; last event: {coin_event_name(result_b)}"
    return OK, said


HOPPER_FAULTS = {"MAX_CURRENT_EXCEEDED": "motor current exceeded",
                 "PAYOUT_TIMEOUT": "empty (the last payout timed out)",
                 "MOTOR_REVERSED": "a jam (the motor reversed)",
                 "OPTO_BLOCKED_IDLE": "exit sensor blocked", "OPTO_SHORT_IDLE": "exit sensor short",
                 "OPTO_BLOCKED_PAYOUT": "a coin jammed at the exit"}


def _look_hopper(bus: Any, address: int, target: str, category: str) -> Said:
    from drivers.payment.cctalk import Hopper
    from drivers.payment.cctalk_frame import HopperFlag

    hopper = Hopper(bus, address)
    status, flags = hopper.status(), hopper.test()
    faults = [text for name, text in HOPPER_FAULTS.items() if flags & HopperFlag[name]]
    said = f"{target}: answers ({category})"
    if faults:
        return FAIL, f"{said}; FAULT {', '.join(faults)}"
    if status.remaining:
        return WARN, f"{said}; a payout is running ({status.remaining} coins to go)"
    if status.unpaid:
        return WARN, f"{said}; its last payout left {status.unpaid} coins unpaid: reconcile"
    return OK, said
