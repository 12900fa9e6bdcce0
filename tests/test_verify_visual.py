"""`kiosk center verify` checks what a person sees, not only the text layer (issue 12, finding 2).

Real certificates, forged as a forger would: a reportlab overlay stamped on with pypdf, or the
front's content stream edited with pypdf. Scans (print-like degradation) are tested against the
pixel comparison itself: `verify` takes the PDF the center issued, not a scan.
"""

from __future__ import annotations

import io
import logging
import random
import re
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont
from pypdf import PdfReader, PdfWriter, generic
from pypdf.generic import FloatObject, NameObject, NumberObject
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from test_documents import ADDRESS, content

from kiosk import pdffont
from kiosk.lab.center import visual
from kiosk.lab.center.back_page import MARGIN, PAGE_H
from kiosk.lab.center.documents import (
    LABEL_W,
    PAD,
    TITLES,
    Table,
    front_text,
    render_certificate,
    wareki,
)
from kiosk.lab.center.drawing import MAX_FRONT_OPERATORS
from kiosk.lab.center.rebuild import contents_from_front, from_wareki
from kiosk.lab.center.scramble import DEMO_SCRAMBLE_KEY
from kiosk.lab.center.verify import verify_pdf

NAME_X = MARGIN + LABEL_W + PAD  # where _Front draws the first row's value
NAME_BASELINE = PAGE_H - MARGIN - 64 - 14
NAME_BOX = (NAME_X - 2, NAME_BASELINE - 4, 60, 16)  # x, y, width, height over "山田 太郎"
PIXEL_LINE = "the front as printed differs from the front the back certifies"
Ops = list[tuple[list[Any], bytes]]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_certificate(content())


def verify(pdf: bytes) -> list[str]:
    result = verify_pdf(pdf, DEMO_SCRAMBLE_KEY)
    assert result.ok == (not result.problems)
    return result.problems


# --- forging as a forger does ---------------------------------------------------------------------
def overlaid(pdf: bytes, draw: Callable[[Canvas], None]) -> bytes:
    """``pdf`` with an A4 overlay, drawn by ``draw``, stamped on its front with pypdf."""
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4)
    draw(c)
    c.showPage()
    c.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[0].merge_page(PdfReader(io.BytesIO(out.getvalue())).pages[0])
    return written(writer)


def edited(pdf: bytes, edit: Callable[[Ops], Ops]) -> bytes:
    """``pdf`` with its front's content stream rewritten by ``edit`` (pypdf's operations)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    contents = page.get_contents()
    assert contents is not None
    contents.operations = edit(list(contents.operations))
    page.replace_contents(contents)
    return written(writer)


def front_and_back(front: bytes, back: bytes) -> bytes:
    writer = PdfWriter()
    writer.add_page(PdfReader(io.BytesIO(front)).pages[0])
    writer.add_page(PdfReader(io.BytesIO(back)).pages[1])
    return written(writer)


def written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_image(text: str, width: float, height: float, scale: int = 8) -> Image.Image:
    """``text`` in IPAex Mincho at 10.5 pt, as pixels at ``scale`` per point."""
    image = Image.new("L", (int(width * scale), int(height * scale)), 255)
    font = ImageFont.truetype(str(pdffont._font_path()), int(10.5 * scale))
    ImageDraw.Draw(image).text((2 * scale, 1 * scale), text, font=font, fill=0)
    return image


def strokes(text: str, x: float, y: float, width: float = 60, height: float = 16) -> Ops:
    """``text`` as thin black horizontal strokes (``m l S``): no fill, no text, no image."""
    scale = 8
    image = text_image(text, width, height, scale)
    ops: Ops = [([], b"q"), ([FloatObject(1 / scale)], b"w")]
    for row in range(image.height):
        dark = "".join("1" if image.getpixel((col, row)) < 128 else "0"  # type: ignore[operator]
                       for col in range(image.width))
        line_y = FloatObject(y + height - (row + 0.5) / scale)
        for run in re.finditer("1+", dark):
            ops += [([FloatObject(x + run.start() / scale), line_y], b"m"),
                    ([FloatObject(x + run.end() / scale), line_y], b"l"), ([], b"S")]
    return [*ops, ([], b"Q")]


def name_op(ops: Ops) -> int:
    """The index of the ``Tj`` that draws the first row's value (the name)."""
    for i, (operands, op) in enumerate(ops):
        if op == b"Tm" and [float(v) for v in operands[4:6]] == pytest.approx(
                [NAME_X, NAME_BASELINE]):
            return next(j for j in range(i, len(ops)) if ops[j][1] == b"Tj")
    raise AssertionError("the name is not drawn where the layout puts it")


# --- what verify takes: the PDF as issued, and as PDF tools rewrite it ---------------------------
@pytest.mark.parametrize("type_", ["juminhyo", "inkan", "koseki-zenbu"])
def test_a_genuine_certificate_passes(type_: str) -> None:
    c = content(type_, seal_impression="山田" if type_ == "inkan" else None)
    assert verify(render_certificate(c)) == []


def moved(dx: float, dy: float) -> Callable[[Ops], Ops]:
    def edit(ops: Ops) -> Ops:
        matrix = [FloatObject(v) for v in (1, 0, 0, 1, dx, dy)]
        return [(matrix, b"cm"), *ops]
    return edit


def rounded(ops: Ops) -> Ops:
    """Every coordinate to 0.1 pt, as a tool that writes fewer decimals does."""
    return [([FloatObject(round(float(v), 1)) if op in (b"Tm", b"re", b"m", b"l", b"c")
              else v for v in operands], op) for operands, op in ops]


@pytest.mark.parametrize("edit", [moved(0.7, -0.4), moved(5.6, 4.0), rounded],
                         ids=["moved-0.25mm", "moved-2mm", "rounded-to-0.1pt"])
def test_a_front_moved_or_rewritten_by_a_pdf_tool_still_verifies(edit: Callable[[Ops], Ops]
                                                                  ) -> None:
    genuine = render_certificate(content("inkan", seal_impression="山田"))
    assert verify(edited(genuine, edit)) == []


def scanned(pdf: bytes, blur: float, noise: float, shift: tuple[int, int], seed: int) -> bytes:
    """The front printed and scanned at 400 dpi: blurred, toned, noised, moved, one JPEG."""
    document = pdfium.PdfDocument(pdf)
    image = document[0].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
    document.close()
    image = ImageChops.offset(image.filter(ImageFilter.GaussianBlur(blur)), *shift)
    image = image.point([25 + g * 215 // 255 for g in range(256)])  # paper 240, toner 25
    image = ImageChops.add(image, grain(image.size, noise, seed), scale=1, offset=-128)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=SCAN_DPI)  # an image page, JPEG-compressed (DCTDecode)
    return out.getvalue()


def grain(size: tuple[int, int], sigma: float, seed: int) -> Image.Image:
    """Uniform noise of standard deviation ``sigma`` around grey 128, the same for a seed."""
    reach = sigma * 3 ** 0.5
    noise = Image.frombytes("L", size, random.Random(seed).randbytes(size[0] * size[1]))
    return noise.point([128 + round((g - 127.5) * 2 * reach / 255) for g in range(256)])


SCAN_DPI = 400
# blur σ (pixels at 400 dpi), noise σ (grey levels), shift (pixels): up to 0.1 mm, 16, 1.9 mm
SCANS = [(1.0, 8, (8, 3), 1), (1.7, 12, (-20, -15), 2), (0.7, 16, (3, 30), 3)]


@pytest.mark.parametrize("scan", SCANS, ids=["blur1-noise8", "blur1.7-noise12", "moved-1.9mm"])
def test_a_printed_and_scanned_front_is_within_the_tolerance(pdf: bytes, scan: tuple[Any, ...]
                                                             ) -> None:
    expected = visual.render_page(pdf)
    assert visual.differences(expected, visual.render_page(scanned(pdf, *scan))) == []
    other = render_certificate(content(name="山田 次郎"))  # one kanji of the name changed
    regions = visual.differences(expected, visual.render_page(scanned(other, *scan)))
    assert len(regions) == 1
    assert visual.texts_in(pdf, regions) == ["山田 太郎"]


def test_verify_takes_the_issued_pdf_not_a_scan(pdf: bytes) -> None:
    """A scanned front has no text layer to read: refused, as the README says."""
    problems = verify(front_and_back(scanned(pdf, *SCANS[0]), pdf))
    assert problems and problems[0].startswith("the front is missing")


def test_one_kanji_changed_is_seen_in_the_pixels(pdf: bytes) -> None:
    other = render_certificate(content(name="山田 次郎"))
    regions = visual.differences(visual.render_page(pdf), visual.render_page(other))
    assert len(regions) == 1 and regions[0].pixels > 3 * visual.CELL_LIMIT
    region = regions[0]
    x, y, width, height = NAME_BOX
    assert region.x0 < x + width and region.x1 > x and region.y0 < y + height and region.y1 > y
    assert visual.texts_in(pdf, regions) == ["山田 太郎"]


# --- what is drawn over the certified content is refused -----------------------------------------
def test_a_white_box_over_the_name_is_refused(pdf: bytes) -> None:
    def white_box(c: Canvas) -> None:
        c.setFillGray(1)
        c.rect(*NAME_BOX, stroke=0, fill=1)

    problems = verify(overlaid(pdf, white_box))
    assert any(p.startswith("the front paints a white fill of 21 × 6 mm") for p in problems)
    assert any(p.startswith(PIXEL_LINE) and "'山田 太郎'" in p for p in problems), problems


def test_an_image_over_the_name_is_refused_without_being_decoded(pdf: bytes) -> None:
    def image(c: Canvas) -> None:
        c.drawImage(ImageReader(text_image("佐藤 花子", 60, 16)), *NAME_BOX)

    problems = verify(overlaid(pdf, image))
    assert "the front draws an image or a form (an XObject) (1×), which the genuine front " \
           "never does" in problems
    assert not any(p.startswith(PIXEL_LINE) for p in problems)  # an image is never rendered


def test_a_name_drawn_on_top_with_the_genuine_operators_is_refused(pdf: bytes) -> None:
    """Only ``w m l S``, which the genuine front uses too, and the text layer of a genuine
    front: the extra strokes and the pixels give it away."""
    forged = edited(pdf, lambda ops: ops + strokes("佐藤 花子", *NAME_BOX[:2]))
    problems = verify(forged)
    assert len(problems) == 2, problems
    assert problems[0].startswith(PIXEL_LINE)
    assert "where the genuine front shows '山田 太郎'" in problems[0]
    assert problems[1].startswith("the front strokes ") and "the genuine front strokes 12: " \
        in problems[1]
    assert verify_pdf(forged, DEMO_SCRAMBLE_KEY).lines == front_text(content()).split("\n")


def test_a_different_name_over_an_invisible_original_is_refused(pdf: bytes) -> None:
    """The original name kept in the text layer but made invisible, another drawn in place."""
    def edit(ops: Ops) -> Ops:
        i = name_op(ops)
        hidden = [*ops[:i], ([NumberObject(3)], b"Tr"), ops[i], ([NumberObject(0)], b"Tr"),
                  *ops[i + 1:]]
        return hidden + strokes("山田 次郎", *NAME_BOX[:2])

    problems = verify(edited(pdf, edit))
    assert ("the front draws text in render mode 3 (invisible); the genuine front's text is "
            "all plainly filled") in problems
    assert any(p.startswith(PIXEL_LINE) and "'山田 太郎'" in p for p in problems)


def test_a_genuine_fill_painted_over_its_label_is_refused(pdf: bytes) -> None:
    """The first label cell's grey fill moved after the label's text: every fill is one the
    genuine front paints, but the label 氏名 is painted over."""
    def edit(ops: Ops) -> Ops:
        fill = next(i for i, (_, op) in enumerate(ops) if op == b"f*")
        cell = ops[fill - 3:fill + 1]  # .92 g, n, re, f*
        rest = ops[:fill - 3] + ops[fill + 1:]
        after = next(i for i in range(fill - 3, len(rest)) if rest[i][1] == b"ET") + 1
        return [*rest[:after], *cell, ([FloatObject(0)], b"g"), *rest[after:]]

    problems = verify(edited(pdf, edit))
    assert len(problems) == 1 and problems[0].startswith(PIXEL_LINE), problems
    assert "'氏名" in problems[0]


def test_the_text_checks_still_come_first(pdf: bytes) -> None:
    """A front of another document is refused on its text, with the same lines as before."""
    other = render_certificate(content(name="山田 次郎"))
    assert verify(front_and_back(other, pdf)) == [
        "the front says '山田次郎' where the back says '山田 太郎'"]


# --- a hostile file stays bounded ----------------------------------------------------------------
def timed(pdf: bytes) -> tuple[list[str], float]:
    start = time.perf_counter()
    problems = verify(pdf)
    return problems, time.perf_counter() - start


def test_a_huge_page_is_refused_and_never_rendered(pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.pages[0].mediabox = generic.RectangleObject([0, 0, 14400, 14400])  # 80 000 px a side
    problems, seconds = timed(written(writer))
    assert problems[0] == ("the front's media box is 5080 × 5080 mm; a certificate is an A4 "
                           "page (210 × 297 mm)")
    assert not any(p.startswith(PIXEL_LINE) for p in problems)
    assert seconds < 2


def test_the_renderer_is_capped_whatever_the_page_size() -> None:
    out = io.BytesIO()
    c = Canvas(out, pagesize=(14400, 9000))  # 5 × 3 m
    c.showPage()
    c.save()
    image = visual.render_page(out.getvalue())
    assert max(image.size) <= visual.MAX_RENDER_SIDE // visual.SUPERSAMPLE


def test_thousands_of_operators_stay_bounded(pdf: bytes) -> None:
    lines = [([FloatObject(300), FloatObject(300)], b"m"),
             ([FloatObject(301), FloatObject(301)], b"l"), ([], b"S")]
    problems, seconds = timed(edited(pdf, lambda ops: ops + lines * 4000))  # 12 000 more
    assert problems == ["the front strokes 4012 paths; the genuine front strokes 12: 4000 more "
                        "drawn over it"]  # rendered, too small to see, caught all the same
    assert seconds < 5
    problems, seconds = timed(edited(pdf, lambda ops: ops + lines * 10_000))  # 30 000 more
    contents = PdfReader(io.BytesIO(pdf)).pages[0].get_contents()
    genuine = len(contents.operations) if contents is not None else 0  # a few hundred
    assert problems == [f"the front's drawing has {len(lines) * 10_000 + genuine} operators, more "
                        f"than a certificate's front ever has ({MAX_FRONT_OPERATORS})"]
    assert seconds < 5


def test_an_oversized_content_stream_is_refused_before_it_is_parsed(pdf: bytes) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    page = writer.pages[0]
    stream = generic.DecodedStreamObject()
    stream.set_data(b"0 0 m 1 1 l S\n" * 100_000)  # 1.4 MB: 300 000 operators
    both = [page["/Contents"], writer._add_object(stream)]
    page[NameObject("/Contents")] = generic.ArrayObject(both)
    problems, seconds = timed(written(writer))
    assert problems == ["the front's drawing is 1370 KiB, more than a certificate's front ever "
                        "has (256 KiB)"]
    assert seconds < 2


def test_a_huge_declared_image_is_never_decoded(pdf: bytes) -> None:
    """An image that says it is 100 000 × 100 000 pixels: refused on its operator alone."""
    def image(c: Canvas) -> None:
        c.drawImage(ImageReader(Image.new("L", (2, 2))), *NAME_BOX)

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(overlaid(pdf, image))))
    for xobject in writer.pages[0]["/Resources"]["/XObject"].values():
        xobject.get_object().update({NameObject("/Width"): NumberObject(100_000),
                                     NameObject("/Height"): NumberObject(100_000)})
    problems, seconds = timed(written(writer))
    assert "the front draws an image or a form (an XObject) (1×), which the genuine front " \
           "never does" in problems
    assert not any(p.startswith(PIXEL_LINE) for p in problems)
    assert seconds < 2


# --- the front rebuilt from the back -------------------------------------------------------------
@pytest.mark.parametrize("type_", sorted(TITLES))
def test_the_back_s_text_rebuilds_the_content(type_: str) -> None:
    c = content(type_, seal_impression="山田" if type_ == "inkan" else None)
    assert contents_from_front(front_text(c)) == [c]


def test_an_ambiguous_text_offers_every_reading_and_dates_read_back() -> None:
    one_column = content(rows=[], tables=[Table(["氏名"], [["甲"], ["乙"]], "世帯員")])
    readings = contents_from_front(front_text(one_column))
    assert readings[0] == one_column and len(readings) == 2
    assert contents_from_front("not\na\ncertificate") == []
    for day in (date(2026, 11, 21), date(2019, 5, 1), date(1989, 1, 7), date(1912, 7, 30)):
        assert from_wareki(wareki(day)) == day
    assert from_wareki("令和0年1月1日") is None and from_wareki("平成32年1月1日") is None


# --- the lab keeps its renderer ------------------------------------------------------------------
def test_only_the_verifier_loads_pdfium() -> None:
    script = ("import kiosk.lab.center.local, kiosk.lab.center.center, kiosk.field.live, sys\n"
              "print('pypdfium2' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, cwd=Path(__file__).parents[1]).stdout
    assert out.strip() == "False"


def test_checking_the_drawing_logs_nothing_personal(pdf: bytes,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        verify(edited(pdf, lambda ops: ops + strokes("佐藤 花子", *NAME_BOX[:2])))
    for record in caplog.records:
        assert "山田" not in record.getMessage() and ADDRESS not in record.getMessage()
