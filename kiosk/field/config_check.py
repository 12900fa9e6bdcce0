"""``kiosk config check FILE``: every wrong or unknown key of a kiosk.toml, each with its line.

``load_config`` stops at the first error; this check goes on. Each section is loaded on its own
with ``kiosk.schema`` and each key of a section on its own, so one bad key hides no other; then
the section's own cross-key checks run, and the few rules the composition root adds (a remote
center's transport settings and document key). Paths name lines by finding the table header and
the ``key =`` line in the TOML text (inline tables and arrays: the line of their key).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import sys
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk import schema
from kiosk.config import Config, resolve_paths


@dataclass(frozen=True)
class Problem:
    path: str  # dotted, as kiosk.schema names it ("payment.change.10", "kiosk.screen[1]")
    message: str
    line: int | None = None

    def format(self, origin: str) -> str:
        where = f"{origin}:{self.line}" if self.line else origin
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


# --- where a dotted path is written ---------------------------------------------------------
_KEY = r'(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = rf"{_KEY}(?:\s*\.\s*{_KEY})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED})\s*\]\]?")
_ASSIGN = re.compile(rf"^\s*({_DOTTED})\s*=")
_PART = re.compile(_KEY)


def _parts(dotted: str) -> tuple[str, ...]:
    out = []
    for m in _PART.finditer(dotted):
        token = m.group(0)
        if token[:1] in "\"'":
            token = token[1:-1]
        out.append(token)
    return tuple(out)


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Where each table and key is first written: (table…, key…) -> 1-based line number."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    in_string = False
    for number, line in enumerate(text.splitlines(), start=1):
        if in_string:  # inside a multi-line string: no keys here
            in_string = line.count('"""') % 2 == 0 and line.count("'''") % 2 == 0
            continue
        header = _HEADER.match(line)
        if header:
            table = _parts(header.group(1))
            lines.setdefault(table, number)
            continue
        assign = _ASSIGN.match(line)
        if assign:
            lines.setdefault(table + _parts(assign.group(1)), number)
            rest = line[assign.end():]
            in_string = rest.count('"""') % 2 == 1 or rest.count("'''") % 2 == 1
    return lines


def path_parts(path: str) -> tuple[str, ...]:
    """``payment.change.10`` -> (payment, change, 10); list indexes dropped."""
    return tuple(p for p in re.sub(r"\[\d+\]", "", path).split(".") if p)


def line_of(path: str, lines: dict[tuple[str, ...], int]) -> int | None:
    """The line of the longest written prefix of ``path`` (an inline table's key, a header)."""
    parts = path_parts(path)
    for end in range(len(parts), 0, -1):
        if parts[:end] in lines:
            return lines[parts[:end]]
    return None


# --- the checks -------------------------------------------------------------------------------
def _section_problems(name: str, cls: type, data: Any) -> list[schema.SchemaError]:
    """Every bad key of one section: each key loaded alone (its type, then the section's own
    checks with that key set), then the section with every well-typed key (cross-key rules)."""
    if not isinstance(data, dict):
        return [schema.SchemaError(name, f"must be a table, not {type(data).__name__}")]
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    required = {n for n, f in fields.items() if f.default is dataclasses.MISSING
                and f.default_factory is dataclasses.MISSING}
    errors = [schema.SchemaError(f"{name}.{key}", "is not a known key")
              for key in data if key not in fields]
    errors += [schema.SchemaError(f"{name}.{key}", "is required")
               for key in sorted(required - data.keys())]
    good: dict[str, Any] = {}
    for key in [k for k in fields if k in data]:
        try:
            schema.load(hints[key], data[key], f"{name}.{key}")
            good[key] = data[key]
        except schema.SchemaError as exc:
            errors.append(exc)
    if required - good.keys():
        return errors
    base = {k: good[k] for k in required}
    attempts = [{**base, key: value} for key, value in good.items()] + [good]
    seen = {(e.path, e.message) for e in errors}
    for attempt in attempts:
        try:
            schema.load(cls, attempt, name)
        except schema.SchemaError as exc:
            if (exc.path, exc.message) not in seen:
                seen.add((exc.path, exc.message))
                errors.append(exc)
    return errors


def _center_problems(center: dict[str, Any]) -> list[schema.SchemaError]:
    """What the composition root would refuse of a remote center."""
    uri = center.get("uri", "local:")
    if not isinstance(uri, str) or uri == "local:" or ":" not in uri:
        return []
    errors = []
    if not center.get("document_key"):
        errors.append(schema.SchemaError("center.document_key", "a remote center needs its "
                                         "document-signing public key (PEM)"))
    elif not Path(center["document_key"]).is_file():
        errors.append(schema.SchemaError("center.document_key",
                                         f"no such file: {center['document_key']}"))
    scheme = uri.partition(":")[0].lower()
    transport = center.get("transport", {})
    if scheme == "https" and isinstance(transport, dict):
        from kiosk.center.https import HttpsSettings

        errors += _section_problems("center.transport", HttpsSettings, transport)
    elif scheme != "https":
        from importlib.metadata import entry_points

        if scheme not in {ep.name for ep in entry_points(group="kiosk.transports")}:
            errors.append(schema.SchemaError("center.uri", f"no transport for {scheme}:"))
    return errors


def check_data(data: dict[str, Any]) -> list[schema.SchemaError]:
    """Every problem of parsed configuration data (relative paths already resolved)."""
    sections = {f.name: f for f in dataclasses.fields(Config)}
    hints = typing.get_type_hints(Config)
    errors: list[schema.SchemaError] = []
    for name, value in data.items():
        if name not in sections:
            errors.append(schema.SchemaError(name, "is not a known section"))
            continue
        errors += _section_problems(name, hints[name], value)
    center = data.get("center")
    if isinstance(center, dict) and not any(e.path.startswith("center.") for e in errors):
        errors += _center_problems(center)
    return errors


def check_text(text: str, base: Path | None = None) -> list[Problem]:
    """Every problem of a kiosk.toml's text, each with its line where it can be found."""
    try:
        data = schema.load_toml(text)
    except schema.TomlError as exc:
        return [Problem("", str(exc), exc.line)]
    if base is not None:
        data = resolve_paths(data, base)
    lines = key_lines(text)
    problems = [Problem(e.path, e.message, line_of(e.path, lines)) for e in check_data(data)]
    return sorted(problems, key=lambda p: p.line or 0)  # in the file's order


def check_file(path: Path) -> list[Problem]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return [Problem("", "no such file")]
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem("", f"cannot read: {exc}")]
    return check_text(text, path.resolve().parent)


# --- the command ------------------------------------------------------------------------------
def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help="configuration tools").add_subparsers(
        dest="config_command", required=True)
    check = config.add_parser("check", help="every wrong or unknown key of a kiosk.toml, "
                                            "with its line")
    check.add_argument("file", type=Path)


def run(args: argparse.Namespace) -> int:
    problems = check_file(args.file)
    for problem in problems:
        print(problem.format(str(args.file)))
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) > 1 else ''}", file=sys.stderr)
        return 1
    print("config OK")
    return 0
