"""The checks the world file's fields share: ids as ids, codes as codes, dates as dates, money
and counts within bounds. Each raises ``schema.SchemaError`` naming the field."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from kiosk import schema

# An id names a directory and a certificate's common name: never a path, never a surprise.
ID = re.compile(r"[a-z0-9][a-z0-9-]{0,31}")
MAX_FEE = 100_000  # yen: a certificate's fee, the store's commission per certificate
YEARS = (1900, 2100)  # tax years


def check_id(path: str, value: str) -> None:
    if not ID.fullmatch(value):
        raise schema.SchemaError(path, f"must be an id: 1 to 32 of a-z, 0-9 and '-', starting "
                                       f"with a letter or digit, not {value[:40]!r}")


def check_range(path: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise schema.SchemaError(path, f"must be {low} to {high}")


def check_fee(path: str, value: int) -> None:
    check_range(path, value, 0, MAX_FEE)


def check_years(path: str, years: Sequence[int]) -> None:
    for i, year in enumerate(years):
        check_range(f"{path}[{i}]", year, *YEARS)


def iso_date(path: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise schema.SchemaError(path, f"must be a date YYYY-MM-DD, not {value[:20]!r}") from None


def require_ja(path: str, names: dict[str, str]) -> None:
    if "ja" not in names:
        raise schema.SchemaError(path, "needs a Japanese name (key 'ja')")


def unique(items: Sequence[object], key: str, section: str) -> None:
    seen: set[str] = set()
    for i, item in enumerate(items):
        value = getattr(item, key)
        if value in seen:
            raise schema.SchemaError(f"{section}[{i}].{key}", f"{value!r} is used twice")
        seen.add(value)
