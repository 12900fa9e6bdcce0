"""Session files (replay-format.md): parsed and checked line by line into plain dataclasses.

A file that breaks the format raises one ``FormatError`` naming the file, the line and the field.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.record.lines import RECORDED
from kiosk.vocabulary.keyboard import NotOnKeyboard, keystrokes
from kiosk.vocabulary.keypad import KEYPAD_KEYS
from kiosk.vocabulary.view import LANGUAGES

FORMAT_VERSION = 1

RESIDENT_ACTIONS = ("language", "start", "agree", "card", "pin", "municipality", "certificate",
                    "options", "copies", "text", "confirm", "insert", "tap", "cancel", "back",
                    "take", "idle", "phone", "form", "help")
WORLD_ACTIONS = ("printer", "center", "power", "clock", "reader", "emoney", "disk")
STAFF_ACTIONS = ("key", "staff")  # {"key": "down"}: the keypad; "operator": the service keyboard's
CHECKS = ("expect", "wait")
ACTIONS = RESIDENT_ACTIONS + WORLD_ACTIONS + STAFF_ACTIONS + CHECKS
CENTER_FAULT = r"ok|down|5xx|malformed-json|wrong-document|truncated-pdf|slow:\d+(\.\d+)?"
CENTER_CONTROLS = ("approve-registrations",)  # the lab's hand in the world: the 本籍地 answers
TEXT_LIMIT = 200  # characters a text line may type into one field
MAX_SECONDS = 7 * 24 * 3600  # the longest a session may run, idle or wait: a week
MIN_YEAR, MAX_YEAR = 2000, 2100  # a session's clock stays in these years
MAX_FILE_BYTES = 16 * 2**20
EXPECT_KEYS = ("screen", "tries_left", "alarm", "message", "fee", "focus", "said", "refund",
               "taken", "ticket", "help")
TAKEN = ("paper", "change", "card")  # what the collect screen marks as taken
END_KEYS = ("printed_documents", "printed_pages", "paid", "change", "refunded",
            "orders_completed", "orders_voided", "registrations", "screen", "tickets",
            "printed_forms", "help_calls")
ALARMS = ("forgotten-card", "forgotten-paper", "forgotten-change", "none")
PRINTER_STATES = ("ok", "jam", "media-empty", "offline")
EMONEY_OUTCOMES = ("approve", "decline", "timeout")
STAFF_LINES = ("serve-next", "void-next", "close-day")  # the counter's clerk (らくらく窓口)


class FormatError(ValueError):
    """A session file that breaks the format; str() is the one line to show."""

    def __init__(self, file: str, line: int, key: str, message: str) -> None:
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {key}: {message}" if key else f"{where}: {message}")


@dataclass
class Header:
    name: str
    world: str  # "sample" or a path (already resolved against the session file)
    kiosk: str
    start: datetime
    config: dict[str, Any]


@dataclass
class Step:
    """One event line: when (seconds since start, None: right after the previous), what."""

    line: int
    at: float | None
    action: str
    value: Any
    within: float | None = None


@dataclass
class SessionFile:
    path: Path
    header: Header
    steps: list[Step] = field(default_factory=list)
    expect_end: dict[str, Any] | None = None
    expect_end_line: int = 0


def parse_session(path: str | Path) -> SessionFile:
    """Read and check a whole session file."""
    path = Path(path)
    name = str(path)
    if not path.is_file():  # a directory, a device, a pipe: nothing to read, or never an end
        raise FormatError(name, 0, "", "no such file" if not path.exists()
                          else "not a regular file")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise FormatError(name, 0, "", f"larger than {MAX_FILE_BYTES // 2**20} MiB")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FormatError(name, 0, "", "not UTF-8 text") from None
    except OSError as exc:
        raise FormatError(name, 0, "", f"cannot be read: {exc.strerror}") from None
    rows: list[tuple[int, dict[str, Any]]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        obj = _json_line(name, number, raw)
        if not isinstance(obj, dict):
            raise FormatError(name, number, "", "each line must be a JSON object")
        rows.append((number, obj))
    if not rows:
        raise FormatError(name, 0, "", "empty file: the first line must be the header")
    header = _header(name, path, *rows[0])
    session = SessionFile(path, header)
    last_at = 0.0
    for i, (number, obj) in enumerate(rows[1:], start=1):
        if "expect_end" in obj:
            if i != len(rows) - 1:
                raise FormatError(name, number, "expect_end", "must be the last line")
            session.expect_end = _expect_end(name, number, obj)
            session.expect_end_line = number
            continue
        step = _step(name, number, obj)
        if step.at is not None:
            if step.at < last_at:
                raise FormatError(name, number, "at", f"goes back in time ({step.at} < {last_at})")
            last_at = step.at
        session.steps.append(step)
    return session


def _json_line(name: str, number: int, raw: str) -> Any:
    """One line as JSON: no NaN or Infinity, no number too long or deep nesting, no lone
    surrogate (a report could not be written with it)."""
    try:
        obj = json.loads(raw, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FormatError(name, number, "", f"not JSON ({exc.msg})") from None
    except ValueError as exc:  # NaN/Infinity, or an int of thousands of digits
        raise FormatError(name, number, "", f"not JSON a session can hold ({exc})") from None
    except RecursionError:
        raise FormatError(name, number, "", "nested too deeply") from None
    try:
        json.dumps(obj, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise FormatError(name, number, "", "has a lone surrogate (\\ud800…): not text") from None
    return obj


def _no_constant(word: str) -> None:
    raise ValueError(f"{word} is not a number here")


def _seconds(value: Any) -> bool:
    """A number of seconds a session may name: finite, 0 to MAX_SECONDS."""
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value) and 0 <= value <= MAX_SECONDS)


def _header(name: str, path: Path, number: int, obj: dict[str, Any]) -> Header:
    def err(key: str, message: str) -> FormatError:
        return FormatError(name, number, key, message)

    if "kiosk_session" not in obj:
        raise err("kiosk_session", "the first line must be the header with kiosk_session")
    if obj["kiosk_session"] != FORMAT_VERSION:
        raise err("kiosk_session", f"format version {obj['kiosk_session']!r} is not supported "
                                   f"(this harness reads {FORMAT_VERSION})")
    unknown = set(obj) - {"kiosk_session", "name", "world", "kiosk", "start", "config"}
    if unknown:
        raise err(sorted(unknown)[0], "is not a header key")
    title = obj.get("name", path.stem)
    if not isinstance(title, str):
        raise err("name", "must be a string")
    world = obj.get("world", "sample")
    if not isinstance(world, str) or not world:
        raise err("world", "must be \"sample\" or a path to a world file")
    if world != "sample":
        try:
            resolved = (path.parent / world).resolve()
            usable, exists = resolved.is_file(), resolved.exists()
        except (OSError, RuntimeError, ValueError) as exc:  # a name too long, a loop
            raise err("world", f"cannot be used: {type(exc).__name__}: "
                      f"{getattr(exc, 'strerror', None) or exc}") from None
        if not usable:
            raise err("world", f"{world!r} is not a world file"
                      + (" (no such file)" if not exists else ""))
        world = str(resolved)
    kiosk = obj.get("kiosk", "store-0001")
    if not isinstance(kiosk, str) or not kiosk:
        raise err("kiosk", "must be a kiosk id of the world")
    start = _time(obj.get("start"), lambda m: err("start", m))
    config = obj.get("config", {})
    if not isinstance(config, dict):
        raise err("config", "must be an object of configuration overrides")
    return Header(title, world, kiosk, start, config)


def _time(value: Any, err: Any) -> datetime:
    if not isinstance(value, str):
        raise err("must be a local time with offset, like 2026-11-21T10:00:00+09:00")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise err(f"{value!r} is not a time like 2026-11-21T10:00:00+09:00") from None
    if when.tzinfo is None:
        raise err("needs an offset (+09:00)")
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise err(f"must be between the years {MIN_YEAR} and {MAX_YEAR}")
    return when


def _step(name: str, number: int, obj: dict[str, Any]) -> Step:
    def err(key: str, message: str) -> FormatError:
        return FormatError(name, number, key, message)

    at = obj.get("at")
    if "at" in obj and not _seconds(at):
        raise err("at", f"must be seconds since start (a number, 0 to {MAX_SECONDS:g})")
    keys = [k for k in obj if k not in ("at", "within", "resident")]
    unknown = [k for k in keys if k not in ACTIONS]
    if unknown:
        raise err(unknown[0], "is not an action of the session format")
    if len(keys) != 1:
        raise err("", f"a line needs exactly one action, found {len(keys)}"
                  + (f" ({', '.join(keys)})" if keys else ""))
    action = keys[0]
    value = obj[action]
    if "within" in obj and action != "wait":
        raise err("within", "goes only with wait")
    if "resident" in obj and action != "card":
        raise err("resident", "goes only with card")
    check = _CHECKS[action]
    problem = check(value, obj)
    if problem:
        raise err(action, problem)
    within = None
    if action == "wait":
        within = obj.get("within")
        if not _seconds(within) or not within:
            raise err("within", f"wait needs within: the most seconds to wait, more than 0 and "
                      f"at most {MAX_SECONDS:g}")
    if action == "clock":
        value = _time(value, lambda m: err("clock", m))
    if action == "card":
        value = {"card": value, "resident": obj.get("resident")}
    return Step(number, float(at) if at is not None else None, action, value, within)


def _expect_end(name: str, number: int, obj: dict[str, Any]) -> dict[str, Any]:
    extra = set(obj) - {"expect_end"}
    if extra:
        raise FormatError(name, number, sorted(extra)[0], "does not go with expect_end")
    value = obj["expect_end"]
    if not isinstance(value, dict) or not value:
        raise FormatError(name, number, "expect_end", "must be an object of totals")
    for key, want in value.items():
        if key not in END_KEYS:
            raise FormatError(name, number, f"expect_end.{key}",
                              f"is not a total (known: {', '.join(END_KEYS)})")
        if key == "screen":
            if not isinstance(want, str):
                raise FormatError(name, number, "expect_end.screen", "must be a screen name")
        elif isinstance(want, bool) or not isinstance(want, int) or want < 0:
            raise FormatError(name, number, f"expect_end.{key}", "must be a count, 0 or more")
    return value


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _text(value: Any, _: dict[str, Any]) -> str | None:
    """Fields and what to type into them, each character a key of the on-screen keyboard."""
    if not isinstance(value, dict) or not value:
        return "must be an object of field names and the text to type"
    for key, text in value.items():
        if not isinstance(text, str) or not 0 < len(text) <= TEXT_LIMIT:
            return f"{key}: must be text of 1 to {TEXT_LIMIT} characters"
        if text in RECORDED:  # a recording's: the resident's own text, or not
            continue
        try:
            keystrokes(text)
        except NotOnKeyboard as exc:
            return f"{key}: {exc}"
    return None


def _conditions(value: Any, _: dict[str, Any]) -> str | None:
    if not isinstance(value, dict) or not value:
        return "must be an object of what must hold"
    for key, want in value.items():
        if key not in EXPECT_KEYS:
            return f"{key!r} cannot be checked (known: {', '.join(EXPECT_KEYS)})"
        if key in ("tries_left", "fee", "refund") and not _is_int(want):
            return f"{key} must be a whole number"
        if key == "taken" and not (isinstance(want, list) and all(w in TAKEN for w in want)):
            return f"taken must be a list of {', '.join(TAKEN)}"
        if key in ("screen", "message") and not isinstance(want, str):
            return f"{key} must be a string"
        if key in ("focus", "said") and not (isinstance(want, str) and 0 < len(want) <= 500):
            return f"{key} must be text of 1 to 500 characters"
        if key == "alarm" and want not in ALARMS:
            return f"alarm must be one of {', '.join(ALARMS)}"
        if key == "help" and want not in ("", "coming", "phone"):
            return "help must be \"coming\", \"phone\" or \"\" (no call)"
    return None


_CHECKS: dict[str, Callable[[Any, dict[str, Any]], str | None]] = {
    "language": lambda v, o: None if v in LANGUAGES else
    f"{v!r} is not a kiosk language ({', '.join(LANGUAGES)})",
    "start": lambda v, o: None if isinstance(v, str) and v else "must name a service",
    "agree": lambda v, o: None if isinstance(v, bool) else "must be true or false",
    "card": lambda v, o: (None if v == "remove" and "resident" not in o else
                          None if v == "place" and isinstance(o.get("resident"), str) else
                          "must be \"place\" with a resident id, or \"remove\""),
    "pin": lambda v, o: None if isinstance(v, str) and (v.isdigit() and v.isascii()
                                                        or v in RECORDED) else
    "must be a string of digits, or \"right\" or \"wrong\" (a recording's)",
    "municipality": lambda v, o: None if isinstance(v, str) and v.isdigit() and len(v) == 6 else
    "must be a 6-digit municipality code",
    "certificate": lambda v, o: None if isinstance(v, str) and v else "must name a certificate",
    "form": lambda v, o: None if isinstance(v, str) and v else "must name a form",
    "options": lambda v, o: None if isinstance(v, dict) else "must be an object of options",
    "copies": lambda v, o: None if _is_int(v) and v >= 1 else "must be a whole number, 1 or more",
    "confirm": lambda v, o: None if isinstance(v, bool) else "must be true or false",
    "insert": lambda v, o: None if _is_int(v) and v > 0 else "must be yen, more than 0",
    "tap": lambda v, o: None if isinstance(v, str) and v else "must be a widget id",
    "cancel": lambda v, o: None if v is True else "must be true",
    "back": lambda v, o: None if v is True else "must be true",
    "take": lambda v, o: None if v in ("paper", "change") else "must be \"paper\" or \"change\"",
    "idle": lambda v, o: None if _seconds(v) else f"must be seconds, 0 to {MAX_SECONDS:g}",
    "phone": lambda v, o: None if v in ("confirm", "decline") else
    "must be \"confirm\" or \"decline\" (the iPhone's owner, on the phone)",
    "help": lambda v, o: None if v == "call" else "must be \"call\" (the \"call staff\" button)",
    "clock": lambda v, o: None,
    "power": lambda v, o: None if v == "cut" else "must be \"cut\"",
    "staff": lambda v, o: None if v in STAFF_LINES else
    f"must be one of {', '.join(STAFF_LINES)} (the counter clerk)",
    "key": lambda v, o: None if v == "operator" or v in KEYPAD_KEYS else
    f"must be \"operator\" or a keypad key ({', '.join(KEYPAD_KEYS)})",
    "printer": lambda v, o: None if v in PRINTER_STATES else
    f"must be one of {', '.join(PRINTER_STATES)}",
    "reader": lambda v, o: None if v in ("gone", "back") else "must be \"gone\" or \"back\"",
    "emoney": lambda v, o: None if v in EMONEY_OUTCOMES else
    f"must be one of {', '.join(EMONEY_OUTCOMES)}",
    "disk": lambda v, o: None if v in ("full", "ok") else "must be \"full\" or \"ok\"",
    "center": lambda v, o: None if isinstance(v, str) and (
        re.fullmatch(CENTER_FAULT, v) or v in CENTER_CONTROLS) else
    "must be ok, down, slow:N, wrong-document, 5xx, malformed-json, truncated-pdf "
    "or approve-registrations",
    "text": _text,
    "expect": _conditions,
    "wait": _conditions,
}
