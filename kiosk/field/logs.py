"""Log lines for journald and people, and the redaction every record passes through.

One line per record, ``LEVEL logger: message key=value …`` (the ``extra=`` fields of the call);
under systemd (``JOURNAL_STREAM`` set) without a timestamp — the journal has its own — and with
a ``<N>`` syslog priority prefix that journald turns into the entry's priority. Elsewhere each
line starts with the local time.

``Redactor`` masks personal data in every message, argument, extra field and traceback before
anything is written: a 4-digit PIN after pin / 暗証 / パスワード, 12-digit individual numbers
(``123456789012``, ``1234 5678 9012``), residence-card numbers (2 letters, 8 digits, 2 letters)
and the literal strings it is given (the world's resident names and addresses).
"""

from __future__ import annotations

import logging
import os
import re
import sys
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from kiosk.lab.center.world import World

MASK = "[redacted]"
_PIN = re.compile(r"(?i)(pin|暗証|パスワード|password|passcode)([^0-9\n]{0,20}?)(?<!\d)\d{4}(?!\d)")
_INDIVIDUAL_NUMBER = re.compile(r"(?<!\d)\d{4}[ \u3000-]?\d{4}[ \u3000-]?\d{4}(?!\d)")
_RESIDENCE_CARD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{8}[A-Za-z]{2}(?![A-Za-z0-9])")
_SPACES = re.compile(r"[\s\u3000]+")
# the attributes every LogRecord has: anything else came in through ``extra=``
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
_SYSLOG_PRIORITY = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
                    logging.CRITICAL: 2}


class Redactor(logging.Filter):
    """A logging filter that masks personal data in place (records are never dropped)."""

    def __init__(self, strings: Iterable[str] = ()) -> None:
        super().__init__()
        self._strings: set[str] = set()
        self._literal: re.Pattern[str] | None = None
        self.add(strings)

    def add(self, strings: Iterable[str]) -> None:
        """Mask these too (names, addresses), however spaced: 山田太郎 is 山田 太郎."""
        self._strings |= {s.strip() for s in strings if len(s.strip()) >= 2}
        if not self._strings:
            self._literal = None
            return
        patterns = []
        for s in sorted(self._strings, key=len, reverse=True):
            chars = [re.escape(c) for c in _SPACES.sub("", s)]
            patterns.append(r"[\s\u3000]*".join(chars))
        self._literal = re.compile("|".join(patterns), re.IGNORECASE)

    def redact(self, text: str) -> str:
        if self._literal is not None:
            text = self._literal.sub(MASK, text)
        text = _PIN.sub(lambda m: f"{m.group(1)}{m.group(2)}****", text)
        text = _INDIVIDUAL_NUMBER.sub(MASK, text)
        return _RESIDENCE_CARD.sub(MASK, text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format: keep its parts, redacted
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = self.redact(message), None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and not key.startswith("_"):
                setattr(record, key, self.redact(str(value)))
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def _value(value: Any) -> str:
    text = str(value)
    if not text or any(c.isspace() or c in "\"=" for c in text):
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return text


def _one_line(text: str) -> str:
    return text.replace("\r", "").replace("\n", "\\n")


class LineFormatter(logging.Formatter):
    """``[time ]LEVEL logger: message key=value …`` on one line (tracebacks with ``\\n``)."""

    def __init__(self, journal: bool) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        extras = " ".join(f"{k}={_value(v)}" for k, v in vars(record).items()
                          if k not in _STANDARD and not k.startswith("_"))
        line = f"{record.levelname} {record.name}: {message}"
        if extras:
            line += " " + extras
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line += " " + record.exc_text
        if record.stack_info:
            line += " " + record.stack_info
        line = _one_line(line)
        if self.journal:
            return f"<{_SYSLOG_PRIORITY.get(record.levelno, 6)}>{line}"
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
        return f"{stamp}.{int(record.msecs):03d} {line}"


def under_journald() -> bool:
    """stderr goes to the journal (systemd sets JOURNAL_STREAM for its services)."""
    return bool(os.environ.get("JOURNAL_STREAM"))


class _KioskHandler(logging.StreamHandler[TextIO]):
    """The handler ``install_logging`` puts on the root logger, and replaces when called again."""


def install_logging(level: int | str = logging.WARNING, redact: Iterable[str] = (),
                    stream: TextIO | None = None) -> Redactor:
    """One stderr handler on the root logger with the line format and the redaction filter
    (on the handler: a logger's own filters do not see its children's records). Returns the
    Redactor, to ``add()`` names to later; calling again replaces what it installed."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _KioskHandler)]:
        root.removeHandler(handler)
    for holder in [root, *root.handlers]:
        for old in [f for f in holder.filters if isinstance(f, Redactor)]:
            holder.removeFilter(old)
    redactor = Redactor(redact)
    handler = _KioskHandler(stream or sys.stderr)
    handler.setFormatter(LineFormatter(journal=under_journald()))
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.addFilter(redactor)  # records logged on the root logger itself, for any handler
    for other in root.handlers:  # handlers someone else installed write nothing unredacted
        if other is not handler:
            other.addFilter(redactor)
    root.setLevel(level)
    return redactor


def world_redactions(world: World) -> list[str]:
    """The strings of a world (``kiosk.lab.center.world.World``) never to be logged:
    every resident's names (kanji, kana), address, household names and residence card."""
    out: list[str] = []
    for r in world.residents:
        out += [r.name.kanji, r.name.kana, r.address]
        out += [m.name for m in r.household]
        if r.residence is not None:
            out.append(r.residence.card_number)
    return out


def add_redactions(strings: Iterable[str]) -> None:
    """More strings never to be logged, for every Redactor installed on the root logger."""
    root = logging.getLogger()
    for holder in [root, *root.handlers]:
        for redactor in [f for f in holder.filters if isinstance(f, Redactor)]:
            redactor.add(strings)
