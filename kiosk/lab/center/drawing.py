"""The front's drawing read as operators, against the front the genuine renderer draws.

The reference center draws a front with text in one embedded TrueType font, thin lines, a red
ring and square, and light grey label cells: no image, no form, no shading, no transparency, no
clipping, no hidden text, no filled shape other than those cells. A printed front that uses any
other operator, paints a fill the genuine front does not paint (a white box over a name, a patch
of colour), strokes more paths or shows more strings than it, selects another font, carries
annotations or is not an A4 page was not drawn by the genuine renderer, whatever its pixels
show. Each finding says whether the page is still safe to render for the pixel check
(visual.py): an image, a shading or an operator outside the plain ones is not rendered at all,
so a hostile file costs no decoding.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject

MAX_FRONT_BYTES = 256 * 1024  # a genuine front's content stream: under 8 KiB, even when full
MAX_FRONT_OPERATORS = 20_000  # and a few hundred operators (a full page, under two thousand)
MAX_LISTED = 6  # fills or operators named before "and N more"
BOX_SLACK = 1.5  # points: how far a page box or a fill may lie from the genuine one
SHIFT_MM = 3.0  # how far the whole drawing may lie from where the genuine one does
MAX_FILLS = 2_000  # fills matched against the genuine ones, at most (a genuine front: dozens)
MM = 25.4 / 72
# Operators pdfium draws without decoding anything: text, paths, colours, the graphics state.
PLAIN = frozenset(op.encode() for op in (
    "BT ET Tm Td TD T* Tf TL Tc Tw Tz Ts Tj TJ ' \" Tr q Q cm w J j M i m l c v y h re S s "
    "f F f* B B* b b* n W W* g G rg RG k K cs CS sc SC scn SCN").split())
FILLS = frozenset({b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"})
STROKES = frozenset({b"S", b"s", b"B", b"B*", b"b", b"b*"})
SHOWS = frozenset({b"Tj", b"TJ", b"'", b'"'})
_ENDS = FILLS | {b"S", b"s", b"n"}
_NAMED = {
    b"Do": "draws an image or a form (an XObject)",
    b"INLINE IMAGE": "draws an inline image",
    b"sh": "paints a shading",
    b"gs": "sets transparency or other graphics state from its resources",
    b"d": "sets a dash pattern",
    b"W": "clips the drawing to a path",
    b"W*": "clips the drawing to a path",
    b"BDC": "marks optional content (a layer that may print otherwise than it shows)",
    b"BMC": "marks content",
}
_TEXT_MODES = {1: "outlined", 2: "outlined", 3: "invisible", 4: "clipping", 5: "clipping",
               6: "clipping", 7: "clipping"}
Colour = tuple[object, ...]


@dataclass(frozen=True)
class Finding:
    """One way the printed front's drawing is not the genuine renderer's."""

    text: str
    renderable: bool = True  # the page may still be rendered for the pixel check


@dataclass(frozen=True)
class Fill:
    """A painted fill: its colour and the bounding box of its path in page space (points)."""

    colour: Colour
    box: tuple[float, float, float, float]


@dataclass
class Drawing:
    """What a page's content stream does, as far as the checks below need."""

    operators: dict[bytes, int]
    fills: list[Fill]
    text_modes: set[int]
    fonts: set[str]


def read_drawing(operations: list[tuple[list[Any], bytes]]) -> Drawing:
    """Follow ``q``/``Q``/``cm`` and the fill colour; record every fill and font selected."""
    ctm: tuple[float, ...] = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    colour: Colour = ("g", 0.0)
    stack: list[tuple[tuple[float, ...], Colour]] = []
    points: list[tuple[float, float]] = []
    drawing = Drawing({}, [], set(), set())
    for operands, op in operations:
        drawing.operators[op] = drawing.operators.get(op, 0) + 1
        if op in (b"m", b"l", b"c", b"v", b"y"):
            values = _numbers(operands)
            points += [_apply(ctm, x, y) for x, y in zip(values[::2], values[1::2],
                                                           strict=False)]
        elif op == b"re":
            x, y, w, h = (_numbers(operands) + [0.0] * 4)[:4]
            points += [_apply(ctm, px, py) for px in (x, x + w) for py in (y, y + h)]
        elif op in _ENDS:
            if op in FILLS and points:
                xs, ys = [p[0] for p in points], [p[1] for p in points]
                drawing.fills.append(Fill(colour, (min(xs), min(ys), max(xs), max(ys))))
            points = []
        elif op == b"cm":
            matrix = (_numbers(operands) + [0.0] * 6)[:6]
            ctm = _multiply(tuple(matrix), ctm)
        elif op == b"q":
            stack.append((ctm, colour))
        elif op == b"Q" and stack:
            ctm, colour = stack.pop()
        elif op in (b"g", b"rg", b"k", b"sc", b"scn", b"cs"):
            colour = (op.decode(), *(round(v, 3) if isinstance(v, float) else str(v)
                                     for v in _values(operands)))
        elif op == b"Tr":
            drawing.text_modes.add(int((_numbers(operands) or [0.0])[0]))
        elif op == b"Tf" and operands:
            drawing.fonts.add(str(operands[0]))
    return drawing


def findings(printed: PageObject, genuine: PageObject) -> list[Finding]:
    """How ``printed``'s drawing departs from ``genuine``'s (the front rebuilt from the back)."""
    page = _page_findings(printed, genuine)
    contents = printed.get_contents()
    operations = contents.operations if contents is not None else []
    if len(operations) > MAX_FRONT_OPERATORS:
        return [*page, Finding(f"the front's drawing has {len(operations)} operators, more "
                               f"than a certificate's front ever has ({MAX_FRONT_OPERATORS})",
                               renderable=False)]
    genuine_contents = genuine.get_contents()
    expected = read_drawing(genuine_contents.operations if genuine_contents is not None else [])
    drawing = read_drawing(operations)
    found = page + _operator_findings(drawing, expected)
    found += _font_findings(printed, drawing, expected)
    if len(drawing.fills) > MAX_FILLS:
        return [*found, Finding(f"the front paints {len(drawing.fills)} fills; the genuine "
                                f"front paints {len(expected.fills)}", renderable=False)]
    dx, dy = _offset(drawing.fills, expected.fills)
    moved = [Fill(g.colour, (g.box[0] + dx, g.box[1] + dy, g.box[2] + dx, g.box[3] + dy))
             for g in expected.fills]
    extra = [f for f in drawing.fills if not any(_same_fill(f, g) for g in moved)]
    for fill in extra[:MAX_LISTED]:
        found.append(Finding(f"the front paints a {_colour_name(fill.colour)} fill "
                             f"{_where(fill.box)} that the genuine front does not: a shape "
                             f"drawn over the certified content"))
    if len(extra) > MAX_LISTED:
        found.append(Finding(f"and {len(extra) - MAX_LISTED} more fills the genuine front "
                             f"does not paint"))
    return found


def _page_findings(printed: PageObject, genuine: PageObject) -> list[Finding]:
    found = []
    boxes = [("media box", printed.mediabox, genuine.mediabox),
             ("crop box", printed.cropbox, genuine.cropbox)]
    for name, box, wanted in boxes:
        if any(abs(float(a) - float(b)) > BOX_SLACK for a, b in zip(box, wanted, strict=True)):
            found.append(Finding(
                f"the front's {name} is {float(box.width) * MM:.0f} × "
                f"{float(box.height) * MM:.0f} mm; a certificate is an A4 page "
                f"({float(wanted.width) * MM:.0f} × {float(wanted.height) * MM:.0f} mm)",
                renderable=False))
    if printed.get("/Rotate", 0) != genuine.get("/Rotate", 0):
        found.append(Finding("the front is turned (/Rotate), which a genuine front is not"))
    if printed.get("/UserUnit", 1) != 1:
        found.append(Finding("the front rescales its page (/UserUnit)", renderable=False))
    if printed.get("/Annots"):
        found.append(Finding("the front carries annotations, drawn over the page when it is "
                             "shown or printed; a genuine front has none", renderable=False))
    return found


def _operator_findings(drawing: Drawing, expected: Drawing) -> list[Finding]:
    found = []
    unknown = [op for op in drawing.operators if op not in expected.operators and op != b"Tr"]
    for op in unknown[:MAX_LISTED]:
        what = _NAMED.get(op, f"uses the operator '{op.decode(errors='replace')}'")
        found.append(Finding(f"the front {what} ({drawing.operators[op]}×), which the genuine "
                             f"front never does", renderable=op in PLAIN))
    if len(unknown) > MAX_LISTED:
        found.append(Finding(f"and {len(unknown) - MAX_LISTED} more operators the genuine "
                             f"front never uses", renderable=set(unknown) <= PLAIN))
    for ops, verb, noun in ((STROKES, "strokes", "paths"), (SHOWS, "shows", "strings of text")):
        count = sum(drawing.operators.get(op, 0) for op in ops)
        wanted = sum(expected.operators.get(op, 0) for op in ops)
        if count > wanted:
            found.append(Finding(f"the front {verb} {count} {noun}; the genuine front {verb} "
                                 f"{wanted}: {count - wanted} more drawn over it"))
    for mode in sorted(drawing.text_modes - expected.text_modes - {0}):
        found.append(Finding(f"the front draws text in render mode {mode} "
                             f"({_TEXT_MODES.get(mode, 'unknown')}); the genuine front's text "
                             f"is all plainly filled"))
    return found


def _font_findings(printed: PageObject, drawing: Drawing, expected: Drawing) -> list[Finding]:
    found = []
    fonts = _dictionary(_dictionary(printed).get("/Resources")).get("/Font")
    for name in sorted(drawing.fonts):
        font = _dictionary(_dictionary(fonts).get(name))
        if font.get("/Subtype") == "/Type3":
            found.append(Finding(f"the front draws text in a Type 3 font ({name}), whose "
                                 f"glyphs are arbitrary drawings", renderable=False))
    if len(drawing.fonts) > len(expected.fonts):
        found.append(Finding(f"the front selects {len(drawing.fonts)} fonts; the genuine front "
                             f"uses {len(expected.fonts)}"))
    return found


# --- helpers -------------------------------------------------------------------------------------
def _dictionary(value: Any) -> dict[Any, Any]:
    """``value`` resolved if it is a reference, as a dictionary ({} if it is none)."""
    value = value.get_object() if hasattr(value, "get_object") else value
    return value if isinstance(value, dict) else {}


def _values(operands: list[Any]) -> list[float | str]:
    return [float(v) if isinstance(v, (int, float)) else str(v) for v in operands]


def _numbers(operands: list[Any]) -> list[float]:
    """The finite numbers among ``operands``; anything else (a name, a string) is left out."""
    numbers = []
    for v in operands:
        try:
            number = float(v)
        except (TypeError, ValueError):
            continue
        if math.isfinite(number):
            numbers.append(number)
    return numbers


def _multiply(m: tuple[float, ...], n: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix ``m`` then ``n`` (PDF's row-vector order: ``m × n``)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + b * c2, a * b2 + b * d2, c * a2 + d * c2, c * b2 + d * d2,
            e * a2 + f * c2 + e2, e * b2 + f * d2 + f2)


def _apply(ctm: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = ctm
    return a * x + c * y + e, b * x + d * y + f


def _offset(fills: list[Fill], genuine: list[Fill]) -> tuple[float, float]:
    """The move (within ``SHIFT_MM``) that lays the most fills on genuine ones of their size."""
    reach = SHIFT_MM / MM
    votes: dict[tuple[float, float], int] = {(0.0, 0.0): 0}
    for f in fills:
        for g in genuine:
            dx, dy = round(f.box[0] - g.box[0], 1), round(f.box[1] - g.box[1], 1)
            if (f.colour == g.colour and abs(dx) <= reach and abs(dy) <= reach
                    and abs(f.box[2] - g.box[2] - dx) <= BOX_SLACK
                    and abs(f.box[3] - g.box[3] - dy) <= BOX_SLACK):
                votes[dx, dy] = votes.get((dx, dy), 0) + 1
    return max(votes, key=lambda move: (votes[move], -abs(move[0]) - abs(move[1])))


def _same_fill(fill: Fill, genuine: Fill) -> bool:
    return fill.colour == genuine.colour and all(
        abs(p - q) <= BOX_SLACK for p, q in zip(fill.box, genuine.box, strict=True))


def _colour_name(colour: Colour) -> str:
    values = [v for v in colour[1:] if isinstance(v, float)]
    if colour[0] == "k" and len(values) == 4:
        values = [(1 - c) * (1 - values[3]) for c in values[:3]]
    if values and all(v >= 0.999 for v in values):
        return "white"
    if values and all(v <= 0.001 for v in values):
        return "black"
    return "grey" if len(set(values)) == 1 else "coloured"


def _where(box: tuple[float, float, float, float], page_height: float = 841.8898) -> str:
    """A box in page points as a person measures it on paper: mm from the top left corner."""
    x0, y0, x1, y1 = (v if math.isfinite(v) else 0.0 for v in box)
    return (f"of {(x1 - x0) * MM:.0f} × {(y1 - y0) * MM:.0f} mm, {x0 * MM:.0f} mm from the "
            f"left and {(page_height - y1) * MM:.0f} mm from the top")
