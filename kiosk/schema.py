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
    origin = typing.get_origin(tp)
    if tp is Any:
        return data
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        if len(options) == 1:  # an optional field: its own error, with its own path
            return load(options[0], data, path)
        errors = []
        for arg in options:
            try:
                return load(arg, data, path)
            except SchemaError as exc:
                errors.append(exc.message)
        raise SchemaError(path, " or ".join(errors))
    if origin is typing.Literal:
        allowed = typing.get_args(tp)
        if data not in allowed:
            raise SchemaError(path, f"must be one of {', '.join(map(repr, allowed))}, not {data!r}")
        return data
    if origin in (list, tuple):
        if not isinstance(data, list | tuple):
            raise SchemaError(path, f"must be a list, not {type(data).__name__}")
        (item,) = typing.get_args(tp)[:1] or (Any,)
        items = [load(item, x, _join(path, i)) for i, x in enumerate(data)]
        return items if origin is list else tuple(items)
    if origin is dict:
        if not isinstance(data, dict):
            raise SchemaError(path, f"must be a table, not {type(data).__name__}")
        _, value_tp = typing.get_args(tp) or (str, Any)
        return {str(k): load(value_tp, v, _join(path, str(k))) for k, v in data.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _load_dataclass(tp, data, path)
    if tp is bool:
        if not isinstance(data, bool):
            raise SchemaError(path, f"must be true or false, not {data!r}")
        return data
    if tp is int:
        if isinstance(data, bool) or not isinstance(data, int):
            raise SchemaError(path, f"must be a whole number, not {data!r}")
        return data
    if tp is float:
        if isinstance(data, bool) or not isinstance(data, int | float):
            raise SchemaError(path, f"must be a number, not {data!r}")
        try:
            number = float(data)
        except OverflowError:  # an int too large for a float
            raise SchemaError(path, "is out of range") from None
        if not math.isfinite(number):
            raise SchemaError(path, f"must be a finite number, not {data!r}")
        return number
    if tp is str:
        if not isinstance(data, str):
            raise SchemaError(path, f"must be a string, not {data!r}")
        return data
    if tp is bytes:
        if not isinstance(data, str):
            raise SchemaError(path, "must be base64 text")
        try:
            return base64.b64decode(data, validate=True)
        except (binascii.Error, ValueError):
            raise SchemaError(path, "is not valid base64") from None
    raise SchemaError(path, f"has a type this loader does not know: {_type_name(tp)}")


def _load_dataclass(cls: type[D], data: Any, path: str) -> D:
    if not isinstance(data, dict):
        raise SchemaError(path, f"must be a table, not {type(data).__name__}")
    hints = _hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = [k for k in data if k not in fields]
    if unknown:
        raise SchemaError(_join(path, unknown[0]), "is not a known key")
    kwargs: dict[str, Any] = {}
    for name, f in fields.items():
        if name in data:
            kwargs[name] = load(hints[name], data[name], _join(path, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
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


def dump(value: Any) -> Any:
    """The plain-data form of a dataclass value (bytes as base64), ready for JSON."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: dump(getattr(value, f.name)) for f in dataclasses.fields(value)}
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
