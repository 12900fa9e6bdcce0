"""What a person sees: a front rendered to pixels and compared with the genuine front.

Both pages are rendered with pdfium (pypdfium2) in grey at ``SUPERSAMPLE`` × ``RESOLUTION`` dpi
and averaged down to ``RESOLUTION``, as a scanner's sensor averages; each is stretched so that
its paper is white and its darkest ink black. If the two are then identical (the certificate as
the center made it, or rewritten by a PDF tool) that is the end of it. Otherwise the printed
page is moved (whole pixels, up to ``SHIFT_MM``) to lie best over the genuine one, both are
smoothed a little (``SMOOTH``), and a pixel counts as different only where its grey lies more
than ``INK_STEP`` outside the range of the other page's pixels around it (``BAND`` pixels each
way) — in either direction, so that ink added and ink taken away both count. That allows what
printing and re-rendering do (sub-pixel shifts, antialiasing, toner spread, blur, mild noise)
and no more: a cell of ``CELL_MM`` square with ``CELL_LIMIT`` such pixels has something on it
that the genuine front does not show there, and neighbouring cells are reported as one region.

The numbers were set on the reference center's fronts (tests/test_verify_visual.py): a front
scanned at 400 dpi into a JPEG, blurred (σ up to 0.11 mm), toned (paper 240, toner 25), noised
(σ up to 16 grey levels) and moved (up to 1.9 mm) leaves at most 4 such pixels in a cell; one
kanji changed in a name leaves 70 to 100 in its cell, a box or another name over a name
hundreds. Blur beyond about 0.13 mm starts to show as differences. pdfium is never asked to
render more than ``MAX_RENDER_SIDE`` pixels a side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pypdfium2 as pdfium  # type: ignore[import-untyped]
from PIL import Image, ImageChops, ImageFilter

from kiosk.lab.center.drawing import SHIFT_MM

RESOLUTION = 200  # dpi: a 10.5 pt kanji is 29 pixels high
SUPERSAMPLE = 2
MAX_RENDER_SIDE = 2 * 2400  # pixels: an A4 page at 400 dpi is 3308 × 4678
SMOOTH = 0.7  # pixels: the Gaussian blur applied to both pages before they are compared
BAND = 1  # pixels: how far ink may move (sub-pixel shifts, antialiasing, toner spread)
INK_STEP = 96  # grey levels (of 255) outside the band for a pixel to differ
CELL_MM = 4.0
CELL_LIMIT = 12  # differing pixels in one cell that make it a difference
MAX_REGIONS = 8
MAX_TEXT_CHARS = 5_000  # characters of the genuine front read to name what a region covers
MM = 25.4 / 72

_PDFIUM = threading.Lock()  # pdfium is not thread-safe


class RenderError(Exception):
    """pdfium could not render the page."""


@dataclass(frozen=True)
class Region:
    """Neighbouring cells that differ: a box in page points (y up) and its differing pixels."""

    x0: float
    y0: float
    x1: float
    y1: float
    pixels: int


def render_page(pdf: bytes, index: int = 0) -> Image.Image:
    """Page ``index`` of ``pdf`` in grey at ``RESOLUTION`` dpi; RenderError if pdfium cannot."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as e:
            raise RenderError(f"pdfium cannot open it ({e})") from None
        try:
            page = document[index]
            width, height = page.get_size()
            scale = min(RESOLUTION * SUPERSAMPLE / 72,
                        MAX_RENDER_SIDE / max(width, height, 1.0))
            bitmap = page.render(scale=scale, grayscale=True, may_draw_forms=False)
            shared: Image.Image = bitmap.to_pil()  # the bitmap's own memory, while it lives
            return (shared if shared.mode == "L" else shared.convert("L")).reduce(SUPERSAMPLE)
        except (pdfium.PdfiumError, ValueError) as e:
            raise RenderError(f"pdfium cannot render it ({e})") from None
        finally:
            document.close()


def texts_in(pdf: bytes, regions: list[Region], index: int = 0) -> list[str]:
    """For each region, the runs of text on page ``index`` of ``pdf`` that it touches.

    A run is the text drawn in one go on one line (a label, a value, a sentence), so that a
    region over part of a name names the whole name. Runs are joined with " / ".
    """
    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            text_page = document[index].get_textpage()
            chars = [(str(text_page.get_text_range(i, 1)), text_page.get_charbox(i))
                     for i in range(min(text_page.count_chars(), MAX_TEXT_CHARS))]
        finally:
            document.close()
    runs: list[list[tuple[str, tuple[float, float, float, float]]]] = [[]]
    for char, box in chars:
        inked = [c for c in runs[-1] if not c[0].isspace()]
        if char in "\r\n" or (inked and not char.isspace() and box[0] - inked[-1][1][2]
                                > max(box[3] - box[1], 1.0)):
            runs.append([])
        if char not in "\r\n":
            runs[-1].append((char, box))
    found = []
    for r in regions:
        touched = [run for run in runs if any(
            not c.isspace() and b[0] < r.x1 and b[2] > r.x0 and b[1] < r.y1 and b[3] > r.y0
            for c, b in run)]
        found.append(" / ".join(" ".join("".join(c for c, _ in run).split())
                                for run in touched))
    return found


def differences(expected: Image.Image, actual: Image.Image) -> list[Region]:
    """Where ``actual`` shows something ``expected`` does not (or lacks what it shows)."""
    if actual.size != expected.size:
        actual = actual.resize(expected.size, Image.Resampling.BILINEAR)
    expected, actual = _levelled(expected), _levelled(actual)
    if ImageChops.difference(expected, actual).getbbox() is None:
        return []
    actual = _aligned(expected, actual)
    smooth = ImageFilter.GaussianBlur(SMOOTH)
    expected, actual = expected.filter(smooth), actual.filter(smooth)
    differing = _outside_band(expected, actual)
    return _regions(differing, expected.size)


def _levelled(image: Image.Image) -> Image.Image:
    """``image`` stretched so that its paper (the median grey) is white and its ink black."""
    histogram = image.histogram()
    total = sum(histogram)

    def grey_at(share: float) -> int:
        seen = 0
        for grey, count in enumerate(histogram):
            seen += count
            if seen >= share * total:
                return grey
        return 255

    paper, ink = grey_at(0.5), grey_at(0.002)
    if paper - ink < 64 or (paper, ink) == (255, 0):
        return image
    return image.point([max(0, min(255, round((g - ink) * 255 / (paper - ink))))
                        for g in range(256)])


def _sad(a: Image.Image, b: Image.Image) -> int:
    return sum(grey * count for grey, count in enumerate(ImageChops.difference(a, b).histogram()))


def _moved(image: Image.Image, dx: int, dy: int) -> Image.Image:
    """``image`` moved right by ``dx`` and down by ``dy`` pixels, the uncovered edge white."""
    return image.transform(image.size, Image.Transform.AFFINE, (1, 0, -dx, 0, 1, -dy),
                           resample=Image.Resampling.NEAREST, fillcolor=255)


def _aligned(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """``actual`` moved to lie best over ``expected``: a coarse search, then finer ones."""
    reach = round(SHIFT_MM / 25.4 * RESOLUTION)
    dx = dy = 0
    for factor in (8, 4, 2, 1):
        small_e = expected.reduce(factor) if factor > 1 else expected
        small_a = actual.reduce(factor) if factor > 1 else actual
        span = range(-(reach // factor) - 1, reach // factor + 2) if factor == 8 else range(-1, 2)
        centre_x, centre_y = (dx, dy) if factor == 8 else (2 * dx, 2 * dy)
        best = min((_sad(small_e, _moved(small_a, centre_x + i, centre_y + j)), i, j)
                   for j in span for i in span)
        dx, dy = centre_x + best[1], centre_y + best[2]
    if abs(dx) > reach + 1 or abs(dy) > reach + 1:
        return actual
    return _moved(actual, dx, dy) if (dx, dy) != (0, 0) else actual


def _outside_band(expected: Image.Image, actual: Image.Image) -> Image.Image:
    """255 where one page's grey lies more than ``INK_STEP`` outside the other's near range."""
    size = 2 * BAND + 1
    low_e, high_e = expected.filter(ImageFilter.MinFilter(size)), expected.filter(
        ImageFilter.MaxFilter(size))
    low_a, high_a = actual.filter(ImageFilter.MinFilter(size)), actual.filter(
        ImageFilter.MaxFilter(size))
    outside = ImageChops.lighter(
        ImageChops.lighter(ImageChops.subtract(low_e, actual), ImageChops.subtract(actual, high_e)),
        ImageChops.lighter(ImageChops.subtract(low_a, expected),
                           ImageChops.subtract(expected, high_a)))
    return outside.point([255 if grey > INK_STEP else 0 for grey in range(256)])


def _regions(differing: Image.Image, size: tuple[int, int]) -> list[Region]:
    """The cells with ``CELL_LIMIT`` differing pixels, neighbours joined, largest first."""
    cell = max(1, round(CELL_MM / 25.4 * RESOLUTION))
    counts = differing.reduce(cell)
    columns, rows = counts.size
    values = counts.tobytes()
    limit = CELL_LIMIT * 255 / (cell * cell)
    hot = {(i % columns, i // columns): round(v * cell * cell / 255)
           for i, v in enumerate(values) if v >= limit}
    regions = []
    for group in _groups(hot):
        cols = [c for c, _ in group]
        rws = [r for _, r in group]
        to_points = 72 / RESOLUTION
        height = size[1] * to_points
        regions.append(Region(min(cols) * cell * to_points,
                              height - min(height, (max(rws) + 1) * cell * to_points),
                              min(size[0], (max(cols) + 1) * cell) * to_points,
                              height - min(rws) * cell * to_points,
                              sum(hot[c] for c in group)))
    regions.sort(key=lambda r: -r.pixels)
    return regions


def _groups(cells: dict[tuple[int, int], int]) -> Iterator[list[tuple[int, int]]]:
    """The cells joined by their 8 neighbours, one group at a time."""
    left = set(cells)
    while left:
        stack = [left.pop()]
        group = []
        while stack:
            c, r = stack.pop()
            group.append((c, r))
            for dc in (-1, 0, 1):
                for dr in (-1, 0, 1):
                    if (c + dc, r + dr) in left:
                        left.remove((c + dc, r + dr))
                        stack.append((c + dc, r + dr))
        yield group


def describe(region: Region, shown: str, page_height: float) -> str:
    """One problem line for a region; ``shown`` is what the genuine front shows there."""
    left, right = (max(0.0, x * MM) for x in (region.x0, region.x1))
    top, bottom = (max(0.0, (page_height - y) * MM) for y in (region.y1, region.y0))
    where = f"{left:.0f}–{right:.0f} mm from the left, {top:.0f}–{bottom:.0f} mm from the top"
    if len(shown) > 60:
        shown = shown[:59] + "…"
    what = f"where the genuine front shows '{shown}'" if shown else "where it is blank"
    return (f"the front as printed differs from the front the back certifies at {where}, "
            f"{what}: something is drawn over it or in its place")
