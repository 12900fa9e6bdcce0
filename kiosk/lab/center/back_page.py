"""The certificate's back: the scrambled image (the front's text, sealed), the copy-warning
pattern and the anti-forgery latent image."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from kiosk.lab.center.scramble import symbol_rows

if TYPE_CHECKING:
    from kiosk.lab.center.documents import CertificateContent

PAGE_W, PAGE_H = A4
MARGIN = 56.0
SCRAMBLE_SIDE = 200.0  # the scrambled image's width and height, whatever its number of cells

def draw_back(c: Canvas, font: str, content: CertificateContent, payload: bytes) -> None:
    _copy_warning(c, font)
    c.setFont(font, 14)
    c.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 10, "偽造防止措置")
    c.setFont(font, 9)
    c.drawCentredString(PAGE_W / 2, PAGE_H - MARGIN - 28,
                        "この証明書の裏面には、改ざん・複写を防ぐための措置が施されています。")
    side = SCRAMBLE_SIDE
    _scramble_image(c, font, payload, (PAGE_W - side) / 2, PAGE_H - 300, side)
    _latent_image(c, font, (PAGE_W - 300) / 2, PAGE_H - 460, 300, 100)
    c.setFont(font, 8.5)
    notes = (
        "・スクランブル画像：表面の記載事項を符号化した画像です。検証サイトで読み取ると照合できます。",
        "・複写けん制模様：複写すると「複写」の文字が浮かび上がります。",
        "・潜像：用紙を傾けると隠された模様が見えます。",
    )
    for i, note in enumerate(notes):
        c.drawString(MARGIN, 300 - i * 16, note)
    c.setFont(font, 7)
    c.drawString(MARGIN, MARGIN - 20, f"文書番号 {content.document_id}")


def _copy_warning(c: Canvas, font: str) -> None:
    """The light 「複写」 pattern over the whole page, in rows turned by 30 degrees."""
    c.saveState()
    c.translate(PAGE_W / 2, PAGE_H / 2)
    c.rotate(30)
    reach = math.hypot(PAGE_W, PAGE_H) / 2
    per_row = math.ceil(2 * reach / 90) + 1
    row_text = "複写\u3000\u3000\u3000" * per_row  # 18 pt: a tile every 90 pt
    text = c.beginText()
    text.setFont(font, 18)
    text.setFillGray(0.9)
    for row in range(math.ceil(2 * reach / 64) + 1):
        text.setTextOrigin(-reach - (row % 2) * 45, -reach + row * 64)
        text.textOut(row_text)
    c.drawText(text)
    c.restoreState()


def _scramble_image(c: Canvas, font: str, payload: bytes, x: float, y: float,
                    side: float) -> None:
    """The sealed front as a framed square of cells, the finder pattern round its edge.

    The only black-filled rectangles on the back: verify.py finds the lattice from them alone.
    """
    c.saveState()
    c.setFillGray(1)
    c.rect(x - 8, y - 8, side + 16, side + 16, stroke=0, fill=1)
    c.setFillGray(0)
    c.setLineWidth(1.5)
    c.rect(x - 8, y - 8, side + 16, side + 16)
    c.setFont(font, 8)
    c.drawCentredString(x + side / 2, y - 22, "スクランブル画像")
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


def _latent_image(c: Canvas, font: str, x: float, y: float, w: float, h: float) -> None:
    """A box of fine horizontal lines hiding a block of vertical ones (seen when tilted)."""
    c.saveState()
    c.setFillGray(1)
    c.rect(x, y, w, h, stroke=0, fill=1)
    c.setStrokeGray(0.55)
    c.setLineWidth(0.3)
    inner = (x + w * 0.3, y + h * 0.25, x + w * 0.7, y + h * 0.75)
    lines = []
    step = 2.4
    for i in range(1, int(h / step)):
        ly = y + i * step
        if inner[1] < ly < inner[3]:
            lines += [(x, ly, inner[0], ly), (inner[2], ly, x + w, ly)]
        else:
            lines.append((x, ly, x + w, ly))
    for i in range(1, int((inner[2] - inner[0]) / step)):
        lx = inner[0] + i * step
        lines.append((lx, inner[1], lx, inner[3]))
    c.lines(lines)
    c.setStrokeGray(0)
    c.setFillGray(0)
    c.setLineWidth(1)
    c.rect(x, y, w, h)
    c.setFont(font, 8)
    c.drawCentredString(x + w / 2, y - 14, "潜像")
    c.restoreState()


