"""Strict conversion between plain data (TOML, JSON) and dataclasses.

Every field is checked against its type hint; an unknown key, a missing key or a wrong type is a
``SchemaError`` naming the dotted path of the field. Used for the configuration, the center
protocol and the world file.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import math
import re
import tomllib
import types
import typing
from typing import TYPE_CHECKING, Any, TypeVar, Union, overload

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T")
D = TypeVar("D", bound="DataclassInstance")


class SchemaError(ValueError):
    """Malformed data; ``path`` names the field (``municipality[2].fee``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path or '(top)'}: {message}")
        self.path = path
        self.message = message


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _hints(cls: type) -> dict[str, Any]:
    cache = _HINTS.get(cls)
    if cache is None:
        cache = typing.get_type_hints(cls)
        _HINTS[cls] = cache
    return cache


_HINTS: dict[type, dict[str, Any]] = {}


@overload
def load(tp: type[T], data: Any, path: str = "") -> T: ...


@overload
def load(tp: Any, data: Any, path: str = "") -> Any: ...


def load(tp: Any, data: Any, path: str = "") -> Any:
    """Build a value of type ``tp`` from plain ``data``, or raise SchemaError."""
    return _loader(tp)(data, path)


Loader = typing.Callable[[Any, str], Any]
_LOADERS: dict[Any, Loader] = {}  # each type's loader, worked out from its hint once


def _loader(tp: Any) -> Loader:
    try:
        return _LOADERS[tp]
    except KeyError:
        fn = _LOADERS[tp] = _compile(tp)
        return fn
    except TypeError:  # a type that cannot be a key (never in this project's hints)
        return _compile(tp)


def _compile(tp: Any) -> Loader:
    """The loader for ``tp``: what ``load`` does for it, decided once."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return lambda data, path: data
    if origin in (Union, types.UnionType):
        return _union(typing.get_args(tp))
    if origin is typing.Literal:
        return _literal(typing.get_args(tp))
    if origin in (list, tuple):
        (item,) = typing.get_args(tp)[:1] or (Any,)
        return _sequence(item, origin is list)
    if origin is dict:
        _, value_tp = typing.get_args(tp) or (str, Any)
        return _table(value_tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp)
    return _SCALARS.get(tp) or _unknown(tp)


def _union(args: tuple[Any, ...]) -> Loader:
    nullable = type(None) in args
    options = [a for a in args if a is not type(None)]
    if len(options) == 1:  # an optional field: its own error, with its own path
        only = options[0]

        def optional(data: Any, path: str) -> Any:
            if data is None and nullable:
                return None
            return _loader(only)(data, path)
        return optional

    def union(data: Any, path: str) -> Any:
        if data is None and nullable:
            return None
        errors = []
        for arg in options:
            try:
                return _loader(arg)(data, path)
            except SchemaError as exc:
                errors.append(exc.message)
        raise SchemaError(path, " or ".join(errors))
    return union


def _literal(allowed: tuple[Any, ...]) -> Loader:
    def literal(data: Any, path: str) -> Any:
        if data not in allowed:
            raise SchemaError(path, f"must be one of {', '.join(map(repr, allowed))}, not {data!r}")
        return data
    return literal


def _sequence(item: Any, as_list: bool) -> Loader:
    def sequence(data: Any, path: str) -> Any:
        if not isinstance(data, list | tuple):
            raise SchemaError(path, f"must be a list, not {type(data).__name__}")
        fn = _loader(item)
        items = [fn(x, f"{path}[{i}]") for i, x in enumerate(data)]
        return items if as_list else tuple(items)
    return sequence


def _table(value_tp: Any) -> Loader:
    def table(data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            raise SchemaError(path, f"must be a table, not {type(data).__name__}")
        fn = _loader(value_tp)
        return {str(k): fn(v, _join(path, str(k))) for k, v in data.items()}
    return table


def _dataclass(cls: type[D]) -> Loader:
    # (name, hint, required) of each init field, worked out at the first value (a dataclass
    # may name itself, or one not yet defined, in its hints)
    specs: list[tuple[str, Any, bool]] = []
    names: set[str] = set()

    def dataclass(data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            raise SchemaError(path, f"must be a table, not {type(data).__name__}")
        if not names:
            hints = _hints(cls)
            specs[:] = [(f.name, hints[f.name], f.default is dataclasses.MISSING
                         and f.default_factory is dataclasses.MISSING)
                        for f in dataclasses.fields(cls) if f.init]
            names.update(name for name, _, _ in specs)
        for key in data:
            if key not in names:
                raise SchemaError(_join(path, key), "is not a known key")
        kwargs: dict[str, Any] = {}
        for name, hint, required in specs:
            if name in data:
                kwargs[name] = _loader(hint)(data[name], f"{path}.{name}" if path else name)
            elif required:
                raise SchemaError(_join(path, name), "is required")
        obj = cls(**kwargs)
        check = getattr(obj, "check", None)
        if callable(check):
            try:
                check()
            except ValueError as exc:
                if isinstance(exc, SchemaError):
                    where = _join(path, exc.path) if exc.path else path
                    raise SchemaError(where, exc.message) from None
                raise SchemaError(path, str(exc)) from None
        return obj
    return dataclass


def _bool(data: Any, path: str) -> bool:
    if not isinstance(data, bool):
        raise SchemaError(path, f"must be true or false, not {data!r}")
    return data


def _int(data: Any, path: str) -> int:
    if isinstance(data, bool) or not isinstance(data, int):
        raise SchemaError(path, f"must be a whole number, not {data!r}")
    return data


def _float(data: Any, path: str) -> float:
    if isinstance(data, bool) or not isinstance(data, int | float):
        raise SchemaError(path, f"must be a number, not {data!r}")
    try:
        number = float(data)
    except OverflowError:  # an int too large for a float
        raise SchemaError(path, "is out of range") from None
    if not math.isfinite(number):
        raise SchemaError(path, f"must be a finite number, not {data!r}")
    return number


def _str(data: Any, path: str) -> str:
    if not isinstance(data, str):
        raise SchemaError(path, f"must be a string, not {data!r}")
    return data


def _bytes(data: Any, path: str) -> bytes:
    if not isinstance(data, str):
        raise SchemaError(path, "must be base64 text")
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise SchemaError(path, "is not valid base64") from None


_SCALARS: dict[Any, Loader] = {bool: _bool, int: _int, float: _float, str: _str, bytes: _bytes}


def _unknown(tp: Any) -> Loader:
    def unknown(data: Any, path: str) -> Any:
        raise SchemaError(path, f"has a type this loader does not know: {_type_name(tp)}")
    return unknown


_DUMPED: dict[type, tuple[str, ...] | None] = {}  # a class's field names; None: not a dataclass
_PLAIN = frozenset({str, int, float, bool, type(None)})


def dump(value: Any) -> Any:
    """The plain-data form of a dataclass value (bytes as base64), ready for JSON."""
    cls = type(value)
    if cls in _PLAIN:
        return value
    try:
        names = _DUMPED[cls]
    except KeyError:
        names = _DUMPED[cls] = (tuple(f.name for f in dataclasses.fields(value))
                                if dataclasses.is_dataclass(value)
                                and not isinstance(value, type) else None)
    if names is not None:
        return {name: dump(getattr(value, name)) for name in names}
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {str(k): dump(v) for k, v in value.items()}
    return value


class TomlError(ValueError):
    """A TOML text that cannot be read; str() is the one line to show, with ``line`` if known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def load_toml(text: str) -> dict[str, Any]:
    """TOML text as tables; TomlError for anything tomllib refuses or cannot survive (nesting
    thousands deep, an integer of thousands of digits)."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise TomlError(f"not valid TOML: {exc}", int(found[1]) if found else None) from None
    except RecursionError:
        raise TomlError("not valid TOML here: nested too deeply") from None
    except ValueError as exc:  # an integer too long to convert
        raise TomlError(f"not valid TOML here: {exc}") from None
