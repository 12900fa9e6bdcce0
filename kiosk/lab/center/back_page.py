"""The certificate's back: the scrambled image (the front's text, sealed), the copy-warning
pattern and the anti-forgery latent image.

Everything on the back but the scrambled image and the document number is the same on every
certificate: it is drawn and compressed once per process (``_furniture``), and every back's
contents are that stream, then the page's own. Its text
is in the shared font subsets (``BACK_TEXT`` is part of the renderer's common text), so its
character codes are the same in every document.
"""

from __future__ import annotations

import math
import re
import zlib
from typing import TYPE_CHECKING, Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from kiosk.lab.center.scramble import symbol_rows
from kiosk.pdffont import Formatted, SharedSubsetFont

if TYPE_CHECKING:
    from kiosk.lab.center.documents import CertificateContent

PAGE_W, PAGE_H = A4
MARGIN = 56.0
SCRAMBLE_SIDE = 200.0  # the scrambled image's width and height, whatever its number of cells
SCRAMBLE_X, SCRAMBLE_Y = (PAGE_W - SCRAMBLE_SIDE) / 2, PAGE_H - 300
LATENT = ((PAGE_W - 300) / 2, PAGE_H - 460, 300.0, 100.0)  # x, y, width, height
COPY_WARNING = "複写"
HEADING = "偽造防止措置"
INTRO = "この証明書の裏面には、改ざん・複写を防ぐための措置が施されています。"
NOTES = (
    "・スクランブル画像：表面の記載事項を符号化した画像です。検証サイトで読み取ると照合できます。",
    "・複写けん制模様：複写すると「複写」の文字が浮かび上がります。",
    "・潜像：用紙を傾けると隠された模様が見えます。",
)
SCRAMBLE_CAPTION = "スクランブル画像"
LATENT_CAPTION = "潜像"
NUMBER_LABEL = "文書番号"
FURNITURE_TEXT = (COPY_WARNING + "\u3000", HEADING, INTRO, SCRAMBLE_CAPTION, LATENT_CAPTION,
                  *NOTES)  # every character the back's fixed drawing shows
BACK_TEXT = "".join(FURNITURE_TEXT) + NUMBER_LABEL

_FURNITURE: dict[str, bytes] = {}  # by font name: the back's fixed drawing, a formatted stream


def draw_back(c: Canvas, font: str, content: CertificateContent, payload: bytes) -> None:
    """The back's own drawing: the scrambled image and the document number. Once the page is
    shown, ``lay_furniture`` puts the fixed drawing under it."""
    if font not in _FURNITURE:
        code = _furniture(c, font).encode("ascii")  # operators: character codes are escapes
        stream = pdfdoc.PDFStream(pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFArray(
            [pdfdoc.PDFName("FlateDecode")])}), zlib.compress(code))
        _FURNITURE[font] = stream.format(_document(c))  # no reference in it: the same in every PDF
    _scramble_image(c, font, payload, SCRAMBLE_X, SCRAMBLE_Y, SCRAMBLE_SIDE)
    c.setFont(font, 7)
    c.drawString(MARGIN, MARGIN - 20, f"{NUMBER_LABEL} {content.document_id}")


def lay_furniture(c: Canvas, font: str) -> None:
    """After the back's ``showPage``: its contents become the fixed drawing's stream (made and
    compressed once per process), then the page's own (compressed as reportlab would)."""
    doc = _document(c)
    page = doc.Pages.pages[-1]
    own = pdfdoc.PDFStream(content=page.stream, filters=[pdfdoc.PDFZCompress])
    page.Contents = pdfdoc.PDFArray([doc.Reference(Formatted(_FURNITURE[font])),
                                     doc.Reference(own)])


def _document(c: Canvas) -> Any:
    """The canvas's PDF document (reportlab gives no public way to a page's contents)."""
    return c._doc  # type: ignore[attr-defined]  # the stub leaves out the private attribute


def _furniture(c: Canvas, font: str) -> str:
    """The copy-warning pattern, the headings, the latent image and the notes as operators
    in a ``q``…``Q`` of their own (the canvas's graphics state is as before them).

    Reused in every document, so its characters must have the same codes in every one: they
    must all be in the font's shared subsets (ValueError otherwise)."""
    if not isinstance(shared := pdfmetrics.getFont(font), SharedSubsetFont) or not \
            shared.shares("".join(FURNITURE_TEXT)):
        raise ValueError(f"the back's fixed text is not in the shared subsets of {font}")
    text = c.beginText()
    for size, y, line in ((14, PAGE_H - MARGIN - 10, HEADING), (9, PAGE_H - MARGIN - 28, INTRO),
                          (8, SCRAMBLE_Y - 22, SCRAMBLE_CAPTION)):
        _centred(text, font, size, PAGE_W / 2, y, line)
    x, y, w, h = LATENT
    _centred(text, font, 8, x + w / 2, y - 14, LATENT_CAPTION)
    text.setFont(font, 8.5)
    for i, note in enumerate(NOTES):
        text.setTextOrigin(MARGIN, 300 - i * 16)
        text.textOut(note)
    return "\n".join(["q", _copy_warning(c, font), _latent_image(c, x, y, w, h), text.getCode(),
                      "Q"])


def _centred(text: PDFTextObject, font: str, size: float, x: float, y: float,
             line: str) -> None:
    width = pdfmetrics.stringWidth(line, font, size)
    text.setFont(font, size)
    text.setTextOrigin(x - width / 2, y)
    text.textOut(line)


def _copy_warning(c: Canvas, font: str) -> str:
    """The light 「複写」 pattern over the whole page, in rows turned by 30 degrees."""
    turn = math.radians(30)
    cos, sin = math.cos(turn), math.sin(turn)
    reach = math.hypot(PAGE_W, PAGE_H) / 2
    per_row = math.ceil(2 * reach / 90) + 1
    row_text = (COPY_WARNING + "\u3000\u3000\u3000") * per_row  # 18 pt: a tile every 90 pt
    text = c.beginText()
    text.setFont(font, 18)
    text.setFillGray(0.9)
    for row in range(math.ceil(2 * reach / 64) + 1):
        text.setTextOrigin(-reach - (row % 2) * 45, -reach + row * 64)
        text.textOut(row_text)
    return (f"q 1 0 0 1 {PAGE_W / 2:.4f} {PAGE_H / 2:.4f} cm "
            f"{cos:.6f} {sin:.6f} {-sin:.6f} {cos:.6f} 0 0 cm\n{text.getCode()}\nQ")


def _latent_image(c: Canvas, x: float, y: float, w: float, h: float) -> str:
    """A box of fine horizontal lines hiding a block of vertical ones (seen when tilted)."""
    inner = (x + w * 0.3, y + h * 0.25, x + w * 0.7, y + h * 0.75)
    path = c.beginPath()
    step = 2.4
    for i in range(1, int(h / step)):
        ly = y + i * step
        if inner[1] < ly < inner[3]:
            for x0, x1 in ((x, inner[0]), (inner[2], x + w)):
                path.moveTo(x0, ly)
                path.lineTo(x1, ly)
        else:
            path.moveTo(x, ly)
            path.lineTo(x + w, ly)
    for i in range(1, int((inner[2] - inner[0]) / step)):
        lx = inner[0] + i * step
        path.moveTo(lx, inner[1])
        path.lineTo(lx, inner[3])
    box = f"{x:.4f} {y:.4f} {w:.4f} {h:.4f} re"
    return (f"q 1 g {box} f\n.55 G .3 w\n{path.getCode()} S\n"
            f"0 G 0 g 1 w {box} S\nQ")


def _scramble_image(c: Canvas, font: str, payload: bytes, x: float, y: float,
                    side: float) -> None:
    """The sealed front as a framed square of cells, the finder pattern round its edge.

    The only black-filled rectangles on the back: verify.py finds the lattice from them alone.
    (Its caption is in the furniture.)
    """
    c.saveState()
    c.setFillGray(1)
    c.rect(x - 8, y - 8, side + 16, side + 16, stroke=0, fill=1)
    c.setFillGray(0)
    c.setLineWidth(1.5)
    c.rect(x - 8, y - 8, side + 16, side + 16)
    symbol = symbol_rows(payload)
    cells = len(symbol)
    # In cell units, row 0 at the top. Each run of black cells in a row is one rectangle; the
    # rows are filled one by one, a move of one cell down between them, so that a rectangle's
    # operators depend on its run alone and come from a cache.
    c.translate(x, y + side)
    c.scale(side / cells, -side / cells)
    c.addLiteral("\nf 1 0 0 1 0 1 cm\n".join(
        " ".join([_RUN_RECTS[run.span()] for run in _BLACK_RUN.finditer(row)])
        for row in symbol) + "\nf")
    c.restoreState()


class _RunRects(dict[tuple[int, int], str]):
    """``x 0 width 1 re`` for the span of a run of cells, made on first use."""

    def __missing__(self, span: tuple[int, int]) -> str:
        start, end = span
        ops = self[span] = f"{start} 0 {end - start} 1 re"
        return ops


_RUN_RECTS = _RunRects()
_BLACK_RUN = re.compile("1+")
