"""File fuzzing (issue 12): session files, kiosk configurations, world files and center requests,
made from their grammar and then broken (wrong types, huge, NaN and infinite numbers, deep
nesting, unknown keys, truncation, stray bytes). Each ends in its documented clear error —
FormatError, ConfigError or a list of problems, WorldError, ProtocolError — or is accepted;
never another exception, never a hang."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile
import time
import tomllib
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from kiosk.center import protocol as p
from kiosk.config import Config, ConfigError, load_config
from kiosk.field.config_check import check_file
from kiosk.lab.center.world import SAMPLE_WORLD, WorldError, parse_world
from kiosk.replay.format import FormatError, parse_session
from kiosk.replay.fuzz_gen import CERTIFICATES, FAULTS, MONEY, TEXT_CHARS
from kiosk.replay.harness import load_config_data, replay
from kiosk.replay.result import Options
from kiosk.vocabulary.view import LANGUAGES

WORLD_TEXT = (Path(__file__).resolve().parents[1] / "kiosk" / "lab" / "center" /
              SAMPLE_WORLD).read_text(encoding="utf-8")
EXAMPLES = int(os.environ.get("KIOSK_FUZZ_EXAMPLES", "150"))  # more for a long hunt
FAST = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=max(1, EXAMPLES // 4), deadline=None,
                suppress_health_check=list(HealthCheck))
LIMIT = 10.0  # seconds any one file may take: more is a hang
TMP = Path("/dev/shm") if os.access("/dev/shm", os.W_OK) else None  # journals sync every write

# ---------------------------------------------------------------------- values, broken
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["", "sample", "local:", "0", "1e999", "\u3000", "../../etc/passwd"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=10)


def _timed(call: Callable[[], object]) -> None:
    started = time.monotonic()
    call()
    assert time.monotonic() - started < LIMIT, "took too long: a hang"


@st.composite
def broken_text(draw: st.DrawFn, text: str) -> bytes:
    """``text`` as bytes, perhaps truncated, with bytes put in, or with a line made huge."""
    data = text.encode("utf-8")
    how = draw(st.sampled_from(["as-is", "truncate", "bytes", "nesting", "number", "line"]))
    at = draw(st.integers(0, len(data)))
    if how == "truncate":
        return data[:at]
    if how == "bytes":
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if how == "nesting":
        depth = draw(st.sampled_from([40, 1000, 100_000]))
        return data[:at] + b"[" * depth + b"]" * depth + data[at:]
    if how == "number":
        return data[:at] + draw(st.sampled_from([b"1" + b"0" * 5000, b"1e999", b"NaN",
                                                 b"-Infinity", b"\\ud800"])) + data[at:]
    if how == "line":
        lines = data.splitlines(keepends=True)
        if lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines[i] = draw(st.sampled_from([b"", lines[i] * 2, b"\xef\xbb\xbf" + lines[i]]))
        return b"".join(lines)
    return data


@st.composite
def mutated(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with one place changed: a value of the wrong type, a key taken or added."""
    if isinstance(data, dict) and data and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(data, key=str)))
        out = dict(data)
        how = draw(st.sampled_from(["into", "replace", "drop", "add"]))
        if how == "into":
            out[key] = draw(mutated(data[key]))
        elif how == "replace":
            out[key] = draw(values)
        elif how == "drop":
            del out[key]
        else:
            out[draw(st.text(min_size=1, max_size=8))] = draw(values)
        return out
    if isinstance(data, list) and data and draw(st.booleans()):
        i = draw(st.integers(0, len(data) - 1))
        return [*data[:i], draw(mutated(data[i])), *data[i + 1:]]
    return draw(values) if draw(st.booleans()) else data


# ---------------------------------------------------------------------- session files
def _line_values() -> dict[str, st.SearchStrategy[Any]]:
    kana = st.text(alphabet=TEXT_CHARS, min_size=1, max_size=30)
    times = st.datetimes().map(lambda d: d.isoformat() + "+09:00")
    return {
        "language": st.sampled_from(LANGUAGES), "agree": st.booleans(),
        "start": st.sampled_from(["certificates", "honseki-registration", "forms", "x"]),
        "pin": st.from_regex(r"[0-9]{1,8}", fullmatch=True),
        "municipality": st.sampled_from(["131130", "141305", "012025", "999999"]),
        "certificate": st.sampled_from(CERTIFICATES), "options": st.dictionaries(
            st.sampled_from(["household", "mynumber", "year", "x"]), values, max_size=3),
        "copies": st.integers(1, 10**20), "confirm": st.booleans(),
        "insert": st.one_of(st.sampled_from(MONEY), st.integers(1, 10**30)),
        "tap": st.sampled_from(["pay.cancel", "nothing", "ok"]),
        "cancel": st.just(True), "back": st.just(True),
        "take": st.sampled_from(["paper", "change"]), "idle": st.floats(0, 3600),
        "text": st.fixed_dictionaries({"honseki": kana, "hittousha": kana}),
        "center": st.sampled_from([*FAULTS, "approve-registrations"]),
        "power": st.just("cut"), "clock": times, "key": st.just("operator"),
        "printer": st.sampled_from(["ok", "jam"]),
        "expect": st.fixed_dictionaries({"screen": st.sampled_from(["idle", "terms"])}),
    }


@st.composite
def session_lines(draw: st.DrawFn) -> list[dict[str, Any]]:
    header = {"kiosk_session": 1, "name": "fuzz", "world": "sample", "kiosk": "store-0001",
              "start": "2026-11-21T10:00:00+09:00",
              "config": draw(st.sampled_from([{}, {"payment": {"methods": ["free"]}}]))}
    lines: list[dict[str, Any]] = [header]
    at = 0.0
    for _ in range(draw(st.integers(0, 8))):
        action = draw(st.sampled_from(sorted(_line_values())))
        line: dict[str, Any] = {action: draw(_line_values()[action])}
        if action == "card" or draw(st.integers(0, 9)) == 0:
            line = {"card": "place", "resident": draw(st.sampled_from(["r001", "r002"]))} \
                if draw(st.booleans()) else {"card": "remove"}
        if draw(st.booleans()):
            at += draw(st.floats(0, 30))
            line["at"] = round(at, 2)
        lines.append(line)
    if draw(st.booleans()):
        lines.append({"expect_end": {"screen": "idle", "paid": 0}})
    return lines


@st.composite
def session_files(draw: st.DrawFn) -> bytes:
    lines = draw(session_lines())
    if draw(st.booleans()):
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(mutated(lines[i]))
    text = "".join(json.dumps(line, ensure_ascii=draw(st.booleans())) + "\n" for line in lines)
    return draw(broken_text(text))


def _parse(data: bytes, folder: Path) -> Any:
    path = folder / "s.jsonl"
    path.write_bytes(data)
    try:
        session = parse_session(path)
    except FormatError as exc:
        assert str(exc).startswith(str(path)), exc  # one line naming the file
        assert "\n" not in str(exc)
        event("session: FormatError")
        return None
    event("session: parsed")
    return session


@FAST
@given(session_files())
def test_a_session_file_parses_or_is_one_format_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        _timed(lambda: _parse(data, Path(tmp)))


# ---------------------------------------------------------------------- kiosk configurations
def _key(name: str) -> str:
    bare = name and all(c.isascii() and (c.isalnum() or c in "_-") for c in name)
    return name if bare else json.dumps(name, ensure_ascii=False)


def toml_value(value: Any) -> str:
    """A value in TOML (None, which TOML lacks, as an empty string)."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return {"nan": "nan", "inf": "inf", "-inf": "-inf"}.get(repr(value), repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(str(k))} = {toml_value(v)}" for k, v in value.items()) + "}"


def toml_document(data: dict[str, Any]) -> str:
    """Tables as [headers], lists of tables as [[headers]], the rest as key = value."""
    top = [f"{_key(k)} = {toml_value(v)}" for k, v in data.items()
           if not isinstance(v, dict) and not (isinstance(v, list) and v
                                                and all(isinstance(x, dict) for x in v))]
    out = "\n".join(top) + "\n"
    for k, v in data.items():
        rows = [v] if isinstance(v, dict) else v if isinstance(v, list) and v and all(
            isinstance(x, dict) for x in v) else []
        for row in rows:
            out += f"\n[{'[' if row is not v else ''}{_key(k)}]{']' if row is not v else ''}\n"
            out += "".join(f"{_key(str(a))} = {toml_value(b)}\n" for a, b in row.items())
    return out


def _defaults() -> dict[str, dict[str, Any]]:
    """Every section and key of the configuration, with its default value."""
    sections: dict[str, dict[str, Any]] = {}
    for section in dataclasses.fields(Config):
        cls = typing.get_type_hints(Config)[section.name]
        sections[section.name] = {f.name: dataclasses.asdict(cls())[f.name]
                                  for f in dataclasses.fields(cls)}
    return sections


@st.composite
def config_texts(draw: st.DrawFn) -> bytes:
    defaults = _defaults()
    data: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(sorted(defaults)), max_size=5, unique=True)):
        keys = draw(st.lists(st.sampled_from(sorted(defaults[name])), max_size=4, unique=True))
        data[name] = {k: defaults[name][k] for k in keys}
    if draw(st.booleans()):
        data = draw(mutated(data))
    text = toml_document(data) if isinstance(data, dict) else toml_value(data)
    return draw(broken_text(text))


@FAST
@given(config_texts())
def test_a_configuration_loads_or_is_one_config_error_and_check_names_it(data: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        path = Path(tmp) / "kiosk.toml"
        path.write_bytes(data)
        refused: list[str] = []

        def load() -> None:
            try:
                load_config(path)
            except ConfigError as exc:
                refused.append(str(exc))

        def check() -> None:
            problems.extend(check_file(path))

        def replay_config() -> None:
            try:
                load_config_data(path)  # kiosk replay --config
            except ConfigError:
                pass

        problems: list[Any] = []
        _timed(load)
        _timed(check)
        _timed(replay_config)
        if refused:  # what the kiosk refuses, `kiosk config check` names
            assert problems, refused[0]
        event("config: refused" if refused else "config: loaded")


# ---------------------------------------------------------------------- world files
@st.composite
def world_texts(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(broken_text(WORLD_TEXT))
    data = draw(mutated(tomllib.loads(WORLD_TEXT)))
    return draw(broken_text(toml_document(data) if isinstance(data, dict) else toml_value(data)))


@FAST
@given(world_texts())
def test_a_world_file_parses_or_is_one_world_error(data: bytes) -> None:
    def parse() -> None:
        try:
            parse_world(data.decode("utf-8"), "fuzz.toml")
            event("world: parsed")
        except UnicodeDecodeError:
            event("world: not UTF-8")  # load_world reads files as UTF-8 and names that itself
        except WorldError as exc:
            assert str(exc).startswith("fuzz.toml: "), exc
            event("world: WorldError")

    _timed(parse)


# ---------------------------------------------------------------------- sessions, played
def _with_world(lines: list[dict[str, Any]]) -> bytes:
    lines = [{**lines[0], "world": "w.toml"}, *lines[1:]]
    return "".join(json.dumps(line) + "\n" for line in lines).encode()


@SLOW
@given(st.one_of(session_lines().map(
    lambda ls: "".join(json.dumps(line) + "\n" for line in ls).encode()), session_files(),
    session_lines().map(_with_world)), st.one_of(st.just(WORLD_TEXT.encode()), world_texts()))
def test_a_session_file_that_parses_plays_to_an_exit_code(data: bytes, world: bytes) -> None:
    with tempfile.TemporaryDirectory(dir=TMP) as tmp:
        (Path(tmp) / "w.toml").write_bytes(world)  # the world of a header naming w.toml
        if _parse(data, Path(tmp)) is None:
            return
        out, err = io.StringIO(), io.StringIO()
        options = Options(journal=Path(tmp) / "journal.sqlite", printer=f"spool:{tmp}/printed")
        codes: list[int] = []
        _timed(lambda: codes.append(replay([Path(tmp) / "s.jsonl"], options, out, err)))
        assert codes[0] in (0, 1, 2), out.getvalue() + err.getvalue()
        event(f"replay: exit {codes[0]}")
        if codes[0] == 2:
            assert len(err.getvalue().strip().splitlines()) == 1, err.getvalue()


# ---------------------------------------------------------------------- center requests
BODIES: dict[str, Any] = {
    "catalog": None, "challenge": None,
    "authenticate": p.AuthenticateRequest(b"cert", b"sig", b"nonce"),
    "order": p.OrderRequest("T" * 32, "131130", "juminhyo", {"household": "all"}, 2),
    "complete": p.OrderRef("O0123456789ABCDEF", 1), "cancel": p.OrderRef("O0123456789ABCDEF"),
    "settlement": p.SettlementReport("2026-11-21", [p.SettlementLine("131130", "inkan", 2,
                                                                     400)]),
    "registration_towns": p.TokenRef("T" * 32),
    "register": p.RegistrationRequest("T" * 32, "131130", "うだがわちょう1ばん1ごう", "かとう"),
}


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    call = draw(st.sampled_from(sorted(BODIES)))
    raw = p.encode_request(call, BODIES[call], "k" * draw(st.sampled_from([4, 16, 200])))
    if draw(st.booleans()):
        raw = json.dumps(draw(mutated(json.loads(raw))), ensure_ascii=False).encode()
    return draw(broken_text(raw.decode("utf-8", "replace")))


@FAST
@given(st.one_of(requests(), values.map(lambda v: json.dumps(v).encode()), st.binary()))
def test_a_center_request_decodes_or_is_one_protocol_error(raw: bytes) -> None:
    def decode() -> None:
        try:
            p.decode_request(raw)
            event("request: decoded")
        except p.ProtocolError as exc:
            assert len(str(exc)) <= 160, exc
            event("request: ProtocolError")

    _timed(decode)


FOUND = Path(__file__).resolve().parent / "fuzz-found"


@pytest.mark.parametrize("name", sorted(p.name for p in FOUND.glob("*.toml")))
def test_found_toml_files_end_in_one_clear_error(name: str) -> None:
    path = FOUND / name
    if name.startswith("world-"):
        with pytest.raises(WorldError):
            parse_world(path.read_text(encoding="utf-8"), name)
        return
    with pytest.raises(ConfigError):
        load_config(path)
    assert check_file(path)


def test_the_grammars_make_valid_files_too() -> None:
    """The generators start from what is valid: the sample world and real requests decode."""
    assert parse_world(toml_document(tomllib.loads(WORLD_TEXT)), "w").residents
    for call, body in BODIES.items():
        assert p.decode_request(p.encode_request(call, body, "k" * 16)).call == call
    assert load_config(None) == Config()
