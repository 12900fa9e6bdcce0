"""The operator PIN hash names its own scrypt cost: `hash-pin` writes the default, a config may
carry a cheaper one down to the documented floor (test and sample data only), and anything out
of range or malformed is refused when the config is loaded, never silently accepted."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from kiosk.config import ConfigError, from_data
from kiosk.field.operator_pin import (
    COST_CEILING,
    COST_FLOOR,
    DEFAULT_COST,
    Cost,
    check_pin,
    hash_pin,
    parse_hash,
)

SESSIONS = Path(__file__).parent / "sessions"


def _hash_at(pin: str, ln: int, r: int = 8, p: int = 1) -> str:
    """A hash made by hand at any cost, as a careless tool might write it."""
    salt = b"\x01" * 16
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=2**ln, r=r, p=p, dklen=32)
    return f"scrypt$ln={ln},r={r},p={p}${salt.hex()}${digest.hex()}"


def test_hash_pin_writes_the_default_cost_and_the_default_is_unchanged() -> None:
    assert DEFAULT_COST == Cost(14, 8, 1)  # N = 2**14, r = 8: the production cost
    stored = hash_pin("2468")
    assert stored.startswith("scrypt$ln=14,r=8,p=1$") and parse_hash(stored).cost == DEFAULT_COST
    assert check_pin(bytearray(b"2468"), stored)


def test_a_hash_in_the_older_form_is_checked_at_the_default_cost() -> None:
    salt = b"\x02" * 16
    digest = hashlib.scrypt(b"2468", salt=salt, n=2**14, r=8, p=1, dklen=32)
    legacy = f"scrypt${salt.hex()}${digest.hex()}"
    assert parse_hash(legacy).cost == DEFAULT_COST
    assert check_pin(bytearray(b"2468"), legacy) and not check_pin(bytearray(b"1357"), legacy)


def test_a_cheaper_hash_down_to_the_floor_is_accepted_and_checked() -> None:
    assert COST_FLOOR == Cost(10, 8, 1)  # the lowest accepted cost, as documented
    stored = hash_pin("2468", COST_FLOOR)
    pin = bytearray(b"2468")
    assert check_pin(pin, stored) and pin == bytearray(4)  # wiped
    assert not check_pin(bytearray(b"1357"), stored)
    assert from_data({"operator": {"pin_hash": stored}}).operator.pin_hash == stored


@pytest.mark.parametrize("ln, r, p", [(9, 8, 1), (4, 8, 1), (10, 1, 1), (17, 8, 1),
                                      (10, 8, 5), (10, 32, 1)])
def test_a_cost_outside_the_range_is_refused_by_config_and_by_the_check(ln: int, r: int,
                                                                        p: int) -> None:
    stored = _hash_at("2468", ln, r, p) if 2**ln * r <= 2**13 else (
        f"scrypt$ln={ln},r={r},p={p}${'01' * 16}${'00' * 32}")
    with pytest.raises(ValueError, match="outside"):
        parse_hash(stored)
    with pytest.raises(ConfigError, match="pin_hash"):
        from_data({"operator": {"pin_hash": stored}})
    assert not check_pin(bytearray(b"2468"), stored)  # even where the digest itself matches
    with pytest.raises(ValueError):
        hash_pin("2468", Cost(ln, r, p))


@pytest.mark.parametrize("stored", [
    "scrypt$", "scrypt$zz$00", "bcrypt$" + "01" * 16 + "$" + "00" * 32,
    "scrypt$ln=10,r=8$" + "01" * 16 + "$" + "00" * 32,
    "scrypt$ln=10,r=8,p=1,x=2$" + "01" * 16 + "$" + "00" * 32,
    "scrypt$ln=ten,r=8,p=1$" + "01" * 16 + "$" + "00" * 32,
    "scrypt$ln=10,r=8,p=1$" + "01" * 4 + "$" + "00" * 32,  # a salt too short
    "scrypt$ln=10,r=8,p=1$" + "01" * 16 + "$" + "00" * 16,  # a hash too short
    "scrypt$a$b$c$d",
])
def test_a_malformed_hash_is_refused_with_the_key_named(stored: str) -> None:
    with pytest.raises(ConfigError, match="pin_hash"):
        from_data({"operator": {"pin_hash": stored}})
    assert not check_pin(bytearray(b"2468"), stored)


def test_the_ceiling_is_within_what_the_check_can_compute() -> None:
    ceiling = parse_hash(f"scrypt${COST_CEILING}${'01' * 16}${'00' * 32}").cost
    assert ceiling == COST_CEILING


def test_the_operator_sample_session_uses_an_accepted_cost_and_holds_no_pin() -> None:
    header = json.loads((SESSIONS / "operator-mode.jsonl").read_text().splitlines()[0])
    stored = header["config"]["operator"]["pin_hash"]
    assert parse_hash(stored).cost == COST_FLOOR and "9999" not in stored
