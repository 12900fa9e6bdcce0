"""Check a printed certificate as the verification site does: decode the back, compare the front.

The back's scrambled image is read like a scanner reads a Data Matrix, from the drawn cells
alone: every black-filled axis-aligned rectangle in page 2's content stream is placed in page
space (through ``cm``, ``q`` and ``Q``); their bounding box is the symbol; the black runs along
its top edge (alternating cells, see scramble.py) give the number of cells and so the cell size;
each cell is then black if the last rectangle filled over its centre is black. No metadata is
trusted: a PDF that only looks right carries its data in the drawing. The back has no other
black-filled rectangles; one added there makes the image unreadable, which fails closed.

The cells give the sealed front text, which decrypts with the center's key and the document
number printed on the back (文書番号). The front's text, as pypdf extracts it, must then read
exactly as ``printed_items`` says the front prints that text, whitespace aside: pypdf splits
cells and wrapped lines with spaces and newlines.

The text layer is not what a person reads, so when it agrees the front's drawing is checked
too, against the front rebuilt from the back (rebuild.py) and rendered as the center renders
it: its operators, fills, fonts and page (drawing.py), then its pixels (visual.py). A box, an
image or another name drawn over the certified content is refused there. This takes the PDF
that the center issued (as printed, or rewritten by a PDF tool), not a scan of the paper: the
back's image is read from the PDF's drawing. A hostile file stays bounded: the pages' content
streams are capped before they are parsed (``MAX_FRONT_BYTES``, ``MAX_BACK_BYTES``) and the
front is rendered only when it holds nothing but plain text and path operators, at most
``MAX_FRONT_OPERATORS`` of them, on an A4 page.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import NamedTuple

from pypdf import PageObject, PdfReader

from kiosk.lab.center.documents import printed_items, render_certificate
from kiosk.lab.center.drawing import MAX_FRONT_BYTES, findings
from kiosk.lab.center.rebuild import contents_from_front
from kiosk.lab.center.scramble import (
    HEADER_SIZE,
    ScrambleError,
    from_grid,
    grid_side,
    unseal,
    without_finder,
)
from kiosk.lab.center.visual import (
    MAX_REGIONS,
    RenderError,
    describe,
    render_page,
    texts_in,
)
from kiosk.lab.center.visual import differences as pixel_differences

DOCUMENT_NUMBER = re.compile(r"文書番号\s*(\S+)")
MAX_PROBLEMS = 12  # differences listed before "and N more"
MAX_SIDE = grid_side(HEADER_SIZE + 0xFFFF) + 2  # cells across the largest payload and its finder
MAX_BACK_BYTES = 1024 * 1024  # a genuine back's content stream: about 20 KiB
_FILL_OPS = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_CLEAR_OPS = {b"S", b"s", b"n"}


@dataclass
class Verification:
    """What the check found; ``lines`` are the front's lines as the back holds them."""

    ok: bool
    document_id: str | None
    problems: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


class Rect(NamedTuple):
    """A rectangle in page space (points, y up)."""

    x0: float
    y0: float
    x1: float
    y1: float


class Fill(NamedTuple):
    black: bool
    rects: list[Rect]


class _Unreadable(Exception):
    """The PDF could not be read far enough to check it."""


def verify_pdf(pdf: bytes, key: bytes) -> Verification:
    """Decode the back of ``pdf`` with ``key`` and check the front against it; never raises."""
    try:
        front, front_text, back_text, fills = _read(pdf)
    except _Unreadable as e:
        return Verification(False, None, [str(e)])
    found = DOCUMENT_NUMBER.search(back_text)
    if found is None:
        return Verification(False, None, ["the back shows no document number (文書番号)"])
    document_id = found.group(1)
    try:
        decoded = unseal(from_grid(without_finder(read_symbol(fills))), document_id, key)
    except ScrambleError as e:
        return Verification(False, document_id, [str(e)])
    try:
        items = printed_items(decoded)
    except ValueError:
        return Verification(False, document_id,
                            ["the back decrypts but does not hold a certificate's front"])
    problems = differences(front_text, items) or drawing_problems(pdf, front, decoded, key)
    return Verification(not problems, document_id, problems, decoded.split("\n"))


def _read(pdf: bytes) -> tuple[PageObject, str, str, list[Fill]]:
    """Page 1, its text, page 2's text and page 2's fills; _Unreadable if pypdf cannot tell."""
    if not pdf.startswith(b"%PDF-"):
        raise _Unreadable("this is not a PDF")
    try:
        reader = PdfReader(io.BytesIO(pdf))
        pages = len(reader.pages)
        if pages != 2:
            raise _Unreadable(f"the PDF has {pages} page{'s' if pages != 1 else ''}; a "
                              f"certificate has 2, the front and the back")
        front, back = reader.pages
        for page, name, cap in ((front, "front", MAX_FRONT_BYTES), (back, "back", MAX_BACK_BYTES)):
            contents = page.get_contents()
            size = len(contents.get_data()) if contents is not None else 0
            if size > cap:
                raise _Unreadable(f"the {name}'s drawing is {size // 1024} KiB, more than a "
                                  f"certificate's {name} ever has ({cap // 1024} KiB)")
        contents = back.get_contents()
        fills = filled_rects(contents.operations) if contents is not None else []
        return front, front.extract_text(), back.extract_text(), fills
    except _Unreadable:
        raise
    except Exception as e:  # pypdf raises many kinds on a damaged file; all mean the same here
        raise _Unreadable(f"the PDF cannot be read ({type(e).__name__}): it is damaged or "
                          f"truncated") from None


# --- the drawing ---------------------------------------------------------------------------------
def filled_rects(operations: list[tuple[list[object], bytes]]) -> list[Fill]:
    """The rectangles each fill operator paints, in page space, in painting order.

    Follows ``q``/``Q``/``cm`` and the fill colour (black is gray 0, RGB 0 0 0 or CMYK 0 0 0 1).
    Rectangles turned off the axes and other path segments are left out.
    """
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    black = True
    stack: list[tuple[tuple[float, ...], bool]] = []
    path: list[Rect] = []
    fills: list[Fill] = []
    for operands, op in operations:
        if op == b"re":
            rect = _to_page(ctm, *(float(v) for v in operands[:4]))  # type: ignore[arg-type]
            if rect is not None:
                path.append(rect)
        elif op in _FILL_OPS:
            if path:
                fills.append(Fill(black, path))
            path = []
        elif op in _CLEAR_OPS:
            path = []
        elif op == b"cm":
            ctm = _multiply(tuple(float(v) for v in operands[:6]), ctm)  # type: ignore[arg-type]
        elif op == b"q":
            stack.append((ctm, black))
        elif op == b"Q" and stack:
            ctm, black = stack.pop()
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            black = _is_black(op, operands)
    return fills


def _is_black(op: bytes, operands: list[object]) -> bool:
    try:
        values = [float(v) for v in operands]  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False  # a pattern or a named colour
    if len(values) == 4 or op == b"k":
        return values == [0.0, 0.0, 0.0, 1.0]
    return len(values) in (1, 3) and not any(values)


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix ``m`` then ``n`` (PDF's row-vector order: ``m × n``)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _to_page(ctm: tuple[float, ...], x: float, y: float, w: float, h: float) -> Rect | None:
    a, b, c, d, e, f = ctm
    if abs(b) > 1e-9 or abs(c) > 1e-9:
        if abs(a) > 1e-9 or abs(d) > 1e-9:
            return None  # turned: not a cell of an upright image
    xs = [a * px + c * py + e for px in (x, x + w) for py in (y, y + h)]
    ys = [b * px + d * py + f for px in (x, x + w) for py in (y, y + h)]
    if not all(map(math.isfinite, xs + ys)):
        return None
    return Rect(min(xs), min(ys), max(xs), max(ys))


# --- the lattice ---------------------------------------------------------------------------------
def read_symbol(fills: list[Fill]) -> list[list[bool]]:
    """The cells of the scrambled image, finder included, from the fills of the back."""
    blacks = [r for fill in fills if fill.black for r in fill.rects]
    if not blacks:
        raise ScrambleError("the back has no scrambled image")
    left, bottom = min(r.x0 for r in blacks), min(r.y0 for r in blacks)
    right, top = max(r.x1 for r in blacks), max(r.y1 for r in blacks)
    width, height = right - left, top - bottom
    if not (0 < width < math.inf and 0 < height < math.inf):
        raise ScrambleError("the back has no scrambled image")
    runs = _runs_along(blacks, top - height / 1000, width * 1e-6)
    side = 2 * len(runs)
    cell = width / side if side else 0.0
    if not 4 <= side <= MAX_SIDE or abs(height - width) > cell / 2 or any(
            abs(x0 - (left + 2 * i * cell)) > cell / 4 or abs(x1 - x0 - cell) > cell / 4
            for i, (x0, x1) in enumerate(runs)):
        raise ScrambleError("the scrambled image's top edge is not the alternating border: "
                            "it is damaged, or this is not a certificate's back")
    cells = [[False] * side for _ in range(side)]
    for fill in fills:
        for r in fill.rects:
            cols = _centres_within(r.x0 - left, r.x1 - left, cell, side)
            if cols:
                for row in _centres_within(top - r.y1, top - r.y0, cell, side):
                    cells[row][cols.start:cols.stop] = [fill.black] * len(cols)
    return cells


def _centres_within(lo: float, hi: float, cell: float, side: int) -> range:
    """The cells (of ``side``) whose centres lie between ``lo`` and ``hi``, in page units."""
    first, last = lo / cell - 0.5, hi / cell - 0.5  # infinite when far out: compared, not cast
    start = 0 if first <= 0 else side if first >= side else math.ceil(first)
    stop = 0 if last < 0 else side if last >= side - 1 else math.floor(last) + 1
    return range(start, max(start, stop))


def _runs_along(rects: list[Rect], y: float, slack: float) -> list[tuple[float, float]]:
    """The black stretches of the horizontal line at ``y``, touching rectangles merged."""
    runs: list[tuple[float, float]] = []
    for x0, x1 in sorted((r.x0, r.x1) for r in rects if r.y0 < y < r.y1):
        if runs and x0 <= runs[-1][1] + slack:
            runs[-1] = (runs[-1][0], max(runs[-1][1], x1))
        else:
            runs.append((x0, x1))
    return runs


# --- the comparison ------------------------------------------------------------------------------
def _bare(text: str) -> str:
    return "".join(text.split())


def differences(front_text: str, items: list[str]) -> list[str]:
    """How the front's extracted text differs from the strings the back says it prints."""
    actual = _bare(front_text)
    bounds: list[tuple[int, int]] = []
    expected = ""
    for item in items:
        bounds.append((len(expected), len(expected) + len(_bare(item))))
        expected += _bare(item)
    if actual == expected:
        return []
    groups: list[list[int]] = []  # [front start, front end, back start, back end]
    matcher = SequenceMatcher(None, actual, expected, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        touched = [(s, e) for s, e in bounds if s < j2 and e > j1]  # or j1 inside it
        lo = min([j1, *(s for s, _ in touched)])
        hi = max([j2, *(e for _, e in touched)])
        group = [max(0, i1 - (j1 - lo)), min(len(actual), i2 + (hi - j2)), lo, hi]
        if groups and (group[2] < groups[-1][3] or group[0] < groups[-1][1]):
            last = groups[-1]
            groups[-1] = [min(last[0], group[0]), max(last[1], group[1]),
                          min(last[2], group[2]), max(last[3], group[3])]
        else:
            groups.append(group)
    problems = []
    for a0, a1, e0, e1 in groups:
        said = " / ".join(item for item, (s, e) in zip(items, bounds, strict=True)
                          if s >= e0 and e <= e1 and s < e)
        front = actual[a0:a1]
        if not said:
            problems.append(f"the front has '{front}', which the back does not")
        elif not front:
            problems.append(f"the front is missing '{said}'")
        else:
            problems.append(f"the front says '{front}' where the back says '{said}'")
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = [f"and {len(problems) - MAX_PROBLEMS} more differences"]
    return problems


# --- the drawing of the front --------------------------------------------------------------------
def drawing_problems(pdf: bytes, front: PageObject, decoded: str, key: bytes) -> list[str]:
    """How page 1 of ``pdf`` is drawn otherwise than the front that ``decoded`` describes.

    Each reading of the text (rebuild.py; nearly always one) is rendered by the center's own
    renderer and compared; the first that the front matches clears it, else the first
    reading's problems stand.
    """
    first: list[str] | None = None
    for content in contents_from_front(decoded):
        try:
            genuine = render_certificate(content, key)
        except ValueError:
            continue  # a reading that does not fit on a page is not the one printed
        problems = _drawn_otherwise(pdf, front, genuine)
        if not problems:
            return []
        first = problems if first is None else first
    if first is None:
        return ["the back decrypts, but its text is not a front this center lays out, so the "
                "front's drawing cannot be checked"]
    return first


def _drawn_otherwise(pdf: bytes, front: PageObject, genuine: bytes) -> list[str]:
    """The front's pixels (when it is safe to render) and operators, against ``genuine``."""
    reader = PdfReader(io.BytesIO(genuine))  # kept: its pages resolve objects through it
    genuine_front = reader.pages[0]
    try:
        found = findings(front, genuine_front)
    except Exception as e:  # pypdf on a damaged page raises many kinds; all mean the same here
        return [f"the front's drawing cannot be read ({type(e).__name__}): it is damaged"]
    problems = [finding.text for finding in found]
    if not all(finding.renderable for finding in found):
        return problems
    try:
        regions = pixel_differences(render_page(genuine), render_page(pdf))
    except RenderError as e:
        return [*problems, f"the front cannot be drawn: {e}"]
    shown = texts_in(genuine, regions[:MAX_REGIONS])
    height = float(genuine_front.mediabox.top)
    seen = [describe(region, text, height) for region, text in zip(regions, shown,
                                                                     strict=False)]
    if len(regions) > MAX_REGIONS:
        seen.append(f"and {len(regions) - MAX_REGIONS} more places where the front as printed "
                    f"differs")
    return seen + problems  # what a person sees first, then how the drawing was made
