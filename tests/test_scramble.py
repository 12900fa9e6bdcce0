"""The scrambled image's payload, grid and finder, and the center's scramble key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.lab.center.scramble import (
    DEMO_SCRAMBLE_KEY,
    HEADER_SIZE,
    ScrambleError,
    ScrambleKeyError,
    from_grid,
    grid_side,
    load_scramble_key,
    new_scramble_key,
    seal,
    symbol_rows,
    to_grid,
    unseal,
    with_finder,
    without_finder,
)

FRONT = "住民票の写し\n氏名\t山田 太郎\n住所\t東京都渋谷区宇田川町1番1号\n令和8年11月21日"
DOC = "D0123456789AB"
OTHER_KEY = bytes(range(32))


def sealed_payload(body: bytes) -> bytes:
    """A payload with a well-formed header around ``body``."""
    return bytes([1]) + len(body).to_bytes(2, "big") + body


# --- the payload ---------------------------------------------------------------------------------
def test_seal_and_unseal_round_trip() -> None:
    payload = seal(FRONT, DOC, DEMO_SCRAMBLE_KEY)
    assert payload[0] == 1
    assert int.from_bytes(payload[1:3], "big") == len(payload) - HEADER_SIZE
    assert unseal(payload, DOC, DEMO_SCRAMBLE_KEY) == FRONT
    assert "山田".encode() not in payload


def test_seal_is_deterministic_per_document() -> None:
    assert seal(FRONT, DOC, DEMO_SCRAMBLE_KEY) == seal(FRONT, DOC, DEMO_SCRAMBLE_KEY)
    assert seal(FRONT, DOC, DEMO_SCRAMBLE_KEY) != seal(FRONT, DOC + "X", DEMO_SCRAMBLE_KEY)
    assert seal(FRONT, DOC, DEMO_SCRAMBLE_KEY) != seal(FRONT, DOC, OTHER_KEY)


def test_a_wrong_key_or_document_number_is_refused() -> None:
    payload = seal(FRONT, DOC, DEMO_SCRAMBLE_KEY)
    with pytest.raises(ScrambleError, match="does not decrypt with this key"):
        unseal(payload, DOC, OTHER_KEY)
    with pytest.raises(ScrambleError, match="does not decrypt with this key"):
        unseal(payload, "D000000000000", DEMO_SCRAMBLE_KEY)


@pytest.mark.parametrize("index", [HEADER_SIZE, HEADER_SIZE + 5, -1])
def test_a_tampered_payload_is_refused(index: int) -> None:
    payload = bytearray(seal(FRONT, DOC, DEMO_SCRAMBLE_KEY))
    payload[index] ^= 0x01
    with pytest.raises(ScrambleError, match="does not decrypt"):
        unseal(bytes(payload), DOC, DEMO_SCRAMBLE_KEY)


def test_a_malformed_payload_is_refused() -> None:
    payload = seal(FRONT, DOC, DEMO_SCRAMBLE_KEY)
    with pytest.raises(ScrambleError, match="version 2"):
        unseal(b"\x02" + payload[1:], DOC, DEMO_SCRAMBLE_KEY)
    with pytest.raises(ScrambleError, match="truncated"):
        unseal(payload[:-1], DOC, DEMO_SCRAMBLE_KEY)
    with pytest.raises(ScrambleError, match="truncated"):
        unseal(payload[:2], DOC, DEMO_SCRAMBLE_KEY)
    with pytest.raises(ScrambleError, match="truncated"):
        unseal(sealed_payload(b"short"), DOC, DEMO_SCRAMBLE_KEY)


# --- the grid ------------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=16, max_size=700))
def test_the_grid_round_trips(body: bytes) -> None:
    payload = sealed_payload(body)
    grid = to_grid(payload)
    n = len(grid)
    assert n == grid_side(len(payload)) and n % 2 == 0
    assert all(len(row) == n for row in grid)
    assert n * n >= 8 * (len(payload) + 4) > (n - 2) ** 2
    assert from_grid(grid) == payload
    symbol = with_finder(grid)
    assert without_finder(symbol) == grid
    assert symbol_rows(payload) == ["".join("1" if cell else "0" for cell in row)
                                    for row in symbol]


def test_the_grid_is_row_major_msb_first() -> None:
    payload = sealed_payload(b"\xff" * 16)
    cells = [cell for row in to_grid(payload) for cell in row]
    assert cells[:8] == [False] * 7 + [True]  # the version byte, 1
    assert cells[24:24 + 128] == [True] * 128


def test_a_damaged_grid_is_refused() -> None:
    grid = to_grid(seal(FRONT, DOC, DEMO_SCRAMBLE_KEY))
    grid[len(grid) // 2][3] = not grid[len(grid) // 2][3]
    with pytest.raises(ScrambleError, match="damaged"):
        from_grid(grid)


def test_a_cut_or_misshapen_grid_is_refused() -> None:
    grid = to_grid(seal(FRONT, DOC, DEMO_SCRAMBLE_KEY))
    with pytest.raises(ScrambleError, match="square"):
        from_grid(grid[:-1])
    with pytest.raises(ScrambleError, match="room for"):
        from_grid([row[:len(grid) // 2] for row in grid[:len(grid) // 2]])
    with pytest.raises(ValueError, match="not a sealed payload"):
        to_grid(b"\x01\x00\x10abc")


def test_the_finder_pattern() -> None:
    symbol = with_finder([[False] * 4 for _ in range(4)])
    drawn = ["".join("#" if cell else "." for cell in row) for row in symbol]
    assert drawn == ["#.#.#.",
                     "#....#",
                     "#.....",
                     "#....#",
                     "#.....",
                     "######"]
    broken = [row[:] for row in symbol]
    broken[2][-1] = True
    with pytest.raises(ScrambleError, match="border"):
        without_finder(broken)
    with pytest.raises(ScrambleError, match="even square"):
        without_finder([row[:5] for row in symbol[:5]])


# --- the key -------------------------------------------------------------------------------------
def test_the_demo_key_without_a_data_directory() -> None:
    assert load_scramble_key(None) == DEMO_SCRAMBLE_KEY
    assert len(DEMO_SCRAMBLE_KEY) == 32


def test_a_new_key_is_private_and_loads(tmp_path: Path) -> None:
    key = new_scramble_key(tmp_path / "center")
    path = tmp_path / "center" / "scramble.key"
    assert len(key) == 32 and key != DEMO_SCRAMBLE_KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_scramble_key(tmp_path / "center") == key
    assert new_scramble_key(tmp_path / "center") != key  # replaced
    assert [p.name for p in (tmp_path / "center").iterdir()] == ["scramble.key"]


def test_a_missing_or_malformed_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ScrambleKeyError, match="no scramble key at"):
        load_scramble_key(tmp_path)
    (tmp_path / "scramble.key").write_bytes(b"short")
    with pytest.raises(ScrambleKeyError, match="has 5 bytes, not 32"):
        load_scramble_key(tmp_path)
    with pytest.raises(ValueError, match="32 bytes"):
        seal(FRONT, DOC, b"short")
