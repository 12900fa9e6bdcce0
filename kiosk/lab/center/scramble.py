"""The back's scrambled image: the front's text compressed, encrypted and laid out as cells.

``seal`` turns the front text into a payload (AES-256-GCM under the center's scramble key, the
document id as associated data); ``to_grid`` lays the payload out as a square of black and white
cells and ``with_finder`` frames that square the way Data Matrix does, so a reader that sees only
the drawn cells can find the lattice: a solid line of black cells along the left and the bottom
edges, and alternating cells (black first, at the top-left and bottom-right corners) along the
top and the right edges. The inverse steps (``without_finder``, ``from_grid``, ``unseal``)
raise ``ScrambleError`` with a sentence fit to show the person who checks a certificate.

The nonce comes from the document id alone, so the same content and key give the same image;
that is only safe while every document id is used once per key.
"""

from __future__ import annotations

import hashlib
import math
import os
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = 1
KEY_FILE = "scramble.key"
KEY_SIZE = 32
HEADER_SIZE = 3  # the version byte and the big-endian length of ciphertext + tag
TAG_SIZE = 16
CHECK_SIZE = 4  # CRC-32 of the payload after it in the grid: a misread tells itself apart
PAD = b"\xec\x11"  # the cells after the data, repeated (as QR codes pad)

# The embedded demo center's key. It is public on purpose (it is in this source file): PDFs that
# the demo prints can be verified later by anyone, and prove nothing. A real center keeps its own
# key, made by new_scramble_key, in its data directory.
DEMO_SCRAMBLE_KEY: bytes = hashlib.sha256(b"mynumber-kiosk demo scramble key, public").digest()


class ScrambleError(ValueError):
    """A scrambled image, payload or key that cannot be used."""


class ScrambleKeyError(ScrambleError):
    """The center's scramble key file is missing or malformed."""


# --- the key -------------------------------------------------------------------------------------
def load_scramble_key(data_dir: Path | None) -> bytes:
    """The key in ``data_dir/scramble.key`` (32 raw bytes), or the demo key without a directory."""
    if data_dir is None:
        return DEMO_SCRAMBLE_KEY
    path = Path(data_dir) / KEY_FILE
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        raise ScrambleKeyError(f"no scramble key at {path} (a center's data directory gets "
                               f"one when it is made; it verifies every document printed)"
                               ) from None
    if len(key) != KEY_SIZE:
        raise ScrambleKeyError(f"the scramble key at {path} has {len(key)} bytes, not "
                               f"{KEY_SIZE} raw bytes")
    return key


def new_scramble_key(data_dir: Path) -> bytes:
    """Write a new random key to ``data_dir/scramble.key`` (mode 0600) and return it.

    An old key there is replaced: documents printed with it no longer verify.
    """
    path = Path(data_dir) / KEY_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    key = os.urandom(KEY_SIZE)
    partial = path.with_name(f".{KEY_FILE}.{os.getpid()}")
    partial.unlink(missing_ok=True)  # left by a crash: it may have another mode
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return key


# --- the payload ---------------------------------------------------------------------------------
def _nonce(document_id: str) -> bytes:
    return hashlib.sha256(b"scramble-nonce\n" + document_id.encode()).digest()[:12]


def _aead(key: bytes) -> AESGCM:
    if len(key) != KEY_SIZE:
        raise ScrambleKeyError(f"a scramble key has {KEY_SIZE} bytes, not {len(key)}")
    return AESGCM(key)


def seal(front_text: str, document_id: str, key: bytes) -> bytes:
    """The front text compressed and encrypted: version, length, ciphertext and tag."""
    sealed = _aead(key).encrypt(_nonce(document_id), zlib.compress(front_text.encode(), 9),
                                document_id.encode())
    if len(sealed) > 0xFFFF:
        raise ValueError(f"the front text is too long for a scrambled image ({len(sealed)} "
                         f"bytes sealed, at most {0xFFFF})")
    return bytes([VERSION]) + len(sealed).to_bytes(2, "big") + sealed


def unseal(payload: bytes, document_id: str, key: bytes) -> str:
    """The front text that ``seal`` put in ``payload`` for ``document_id``."""
    if len(payload) < HEADER_SIZE:
        raise ScrambleError("the scrambled data is truncated (no header)")
    if payload[0] != VERSION:
        raise ScrambleError(f"the scrambled data is version {payload[0]}; this verifier reads "
                            f"version {VERSION}")
    length = int.from_bytes(payload[1:HEADER_SIZE], "big")
    if length < TAG_SIZE or len(payload) != HEADER_SIZE + length:
        raise ScrambleError(f"the scrambled data is truncated or padded ({len(payload)} bytes, "
                            f"the header says {HEADER_SIZE + length})")
    try:
        packed = _aead(key).decrypt(_nonce(document_id), payload[HEADER_SIZE:],
                                    document_id.encode())
    except InvalidTag:
        raise ScrambleError("the back does not decrypt with this key and document number "
                            "(another center's key, or the image or the number was altered)"
                            ) from None
    try:
        return zlib.decompress(packed).decode()
    except (zlib.error, UnicodeDecodeError):
        raise ScrambleError("the scrambled data decrypts but does not hold a front text"
                            ) from None


# --- the grid ------------------------------------------------------------------------------------
def grid_side(payload_size: int) -> int:
    """The smallest even side whose square holds the payload and its checksum."""
    n = math.isqrt(8 * (payload_size + CHECK_SIZE) - 1) + 1
    return n + n % 2


def _cells(payload: bytes) -> tuple[int, str]:
    """The grid's side and its cells as one string of 0 and 1, row-major."""
    if len(payload) < HEADER_SIZE or len(payload) != HEADER_SIZE + int.from_bytes(
            payload[1:HEADER_SIZE], "big"):
        raise ValueError("not a sealed payload: its length disagrees with its header")
    data = payload + zlib.crc32(payload).to_bytes(CHECK_SIZE, "big")
    n = grid_side(len(payload))
    text = format(int.from_bytes(data, "big"), f"0{8 * len(data)}b")
    pattern = format(int.from_bytes(PAD, "big"), f"0{8 * len(PAD)}b")
    repeats = n * n // len(pattern) + 1
    return n, text + (pattern * repeats)[len(text):n * n]


def to_grid(payload: bytes) -> list[list[bool]]:
    """The payload and its CRC-32 as square rows of cells (True is black), row-major, MSB first.

    Cell ``i`` after the data is bit ``i`` of ``PAD`` repeated. The side is even: with the
    finder around it, the alternating edges end on a white cell beside a black corner.
    """
    n, cells = _cells(payload)
    return [[ch == "1" for ch in cells[r * n:(r + 1) * n]] for r in range(n)]


def from_grid(grid: list[list[bool]]) -> bytes:
    """The payload in ``grid`` (its length from the header), its CRC-32 checked."""
    n = len(grid)
    if n == 0 or any(len(row) != n for row in grid):
        raise ScrambleError("the scrambled image is not a square of cells")
    cells = "".join("1" if cell else "0" for row in grid for cell in row)
    whole = len(cells) // 8
    data = int(cells[:8 * whole], 2).to_bytes(whole, "big") if whole else b""
    if len(data) < HEADER_SIZE:
        raise ScrambleError("the scrambled image is too small to hold a header")
    size = HEADER_SIZE + int.from_bytes(data[1:HEADER_SIZE], "big")
    if size + CHECK_SIZE > len(data):
        raise ScrambleError(f"the scrambled image says it holds {size} bytes but has room for "
                            f"{max(0, len(data) - CHECK_SIZE)}: it is damaged or cut")
    payload, check = data[:size], data[size:size + CHECK_SIZE]
    if zlib.crc32(payload).to_bytes(CHECK_SIZE, "big") != check:
        raise ScrambleError("the scrambled image is damaged (its checksum does not match)")
    return payload


# --- the finder ----------------------------------------------------------------------------------
def with_finder(grid: list[list[bool]]) -> list[list[bool]]:
    """``grid`` inside a one-cell border: solid left and bottom, alternating top and right."""
    side = len(grid) + 2
    rows = [[col % 2 == 0 for col in range(side)]]
    for r, row in enumerate(grid, start=1):
        rows.append([True, *row, (side - 1 - r) % 2 == 0])
    rows.append([True] * side)
    return rows


def symbol_rows(payload: bytes) -> list[str]:
    """``with_finder(to_grid(payload))`` as strings of 0 and 1 (1 is black), quicker to draw."""
    n, cells = _cells(payload)
    side = n + 2
    rows = ["10" * (side // 2)]
    for r in range(1, side - 1):
        rows.append("1" + cells[(r - 1) * n:r * n] + "10"[(side - 1 - r) % 2])
    rows.append("1" * side)
    return rows


def without_finder(symbol: list[list[bool]]) -> list[list[bool]]:
    """The grid inside ``symbol``; ScrambleError if its border is not the finder pattern."""
    side = len(symbol)
    if side < 4 or side % 2 or any(len(row) != side for row in symbol):
        raise ScrambleError("the scrambled image is not an even square of cells")
    expected = with_finder([[False] * (side - 2) for _ in range(side - 2)])
    for r in (0, side - 1):
        if symbol[r] != expected[r]:
            raise ScrambleError("the scrambled image's border pattern is broken")
    for r in range(1, side - 1):
        if symbol[r][0] != expected[r][0] or symbol[r][-1] != expected[r][-1]:
            raise ScrambleError("the scrambled image's border pattern is broken")
    return [row[1:-1] for row in symbol[1:-1]]
