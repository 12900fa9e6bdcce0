"""The certificate PDF: the front a municipality issues and the anti-forgery back the center adds.

Two A4 pages drawn with reportlab in IPAex Mincho (embedded). The caller (the center's rules)
builds the rows from the resident and the chosen options; this module only lays them out. What
every certificate shares is made once per process: the font subsets of its fixed text
(``COMMON_TEXT``) and the back's fixed drawing (back_page.py); only a document's own content is
drawn, and its own characters cut from the font, per copy. The back's scrambled image holds
the front text sealed with the center's scramble key (scramble.py); verify.py reads it back from
the drawn cells and checks the front. This module logs nothing: a certificate is personal data
from end to end.
"""

from __future__ import annotations

import io
import math
import re
import threading
from dataclasses import dataclass, field
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from kiosk.lab.center.back_page import (
    BACK_TEXT,
    MARGIN,
    PAGE_H,
    PAGE_W,
    draw_back,
    lay_furniture,
)
from kiosk.lab.center.scramble import DEMO_SCRAMBLE_KEY, seal
from kiosk.pdffont import shared_font
from kiosk.vocabulary.certificate_names import CERTIFICATES_JA

TITLES = CERTIFICATES_JA  # the certificates' titles, as the ticket and the console name them
CERTIFYING_SENTENCES = {
    "juminhyo": "この写しは、住民票の原本と相違ないことを証明する。",
    "kisai-jiko": "上記のとおり住民票に記載されていることを証明する。",
    "inkan": "この写しは、登録されている印影と相違ないことを証明する。",
    "tax-income": "上記のとおり所得の額を証明する。",
    "tax-assessment": "上記のとおり課税されていることを証明する。",
    "tax-payment": "上記のとおり納付済みであることを証明する。",
    "koseki-zenbu": "これは、戸籍に記録されている事項の全部を証明した書面である。",
    "koseki-kojin":
        "これは、戸籍中の一部の者について記録されている事項の全部を証明した書面である。",
    "koseki-fuhyo": "この写しは、戸籍の附票の原本と相違ないことを証明する。",
}

# Eras in force since Japan took up the Gregorian calendar: (first day, name, year 1 of the era).
_ERAS = (
    (date(2019, 5, 1), "令和", 2019),
    (date(1989, 1, 8), "平成", 1989),
    (date(1926, 12, 25), "昭和", 1926),
    (date(1912, 7, 30), "大正", 1912),
    (date(1873, 1, 1), "明治", 1868),
)

BODY_SIZE = 10.5
LEADING = 15.0
PAD = 5.0
LABEL_W = 110.0
CERTIFY_Y = 210.0  # the certifying sentence; the data must end above it
END_MARK = "以下余白"
RED = (0.78, 0.1, 0.1)

# The labels content.py writes, the signs of numbers and dates, and the capitals and digits of
# the order and document ids: with the titles, sentences, eras and the back's text, what every
# certificate may print whoever it is for. Their font subsets are made once and shared by every
# document (pdffont.shared_font); any other character goes into a subset of the document's own.
LABELS = ("住所氏名生年月日性別続柄世帯員記載事項国籍・地域在留資格カード等の番号本籍筆頭者個人"
          "住民票コード度総所得金額課税納付済未円戸に記録されている者男女印影"
          "通のうち目長之文書注以下余白元年令和平成昭和大正明治〇一二三四五六七八九十")
COMMON_TEXT = "".join(dict.fromkeys(
    LABELS + "".join(TITLES.values()) + "".join(CERTIFYING_SENTENCES.values()) + BACK_TEXT
    + "0123456789ABCDEFO ,-./:()" + "\u3000"))

_RENDER_LOCK = threading.Lock()


@dataclass
class Table:
    """A table on the front, such as the household members."""

    header: list[str]
    rows: list[list[str]]
    title: str = ""

    def __post_init__(self) -> None:
        if not self.header:
            raise ValueError("a table needs at least one column")
        for i, row in enumerate(self.rows):
            if len(row) != len(self.header):
                raise ValueError(f"table row {i} has {len(row)} cells, the header "
                                 f"{len(self.header)}")


@dataclass
class CertificateContent:
    """What one printed certificate says; ``mayor`` is the name only (the title is added)."""

    type: str
    municipality_name: str
    mayor: str
    issued: date
    order_id: str
    document_id: str
    copy_no: int = 1
    copies: int = 1
    rows: list[tuple[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    seal_impression: str | None = None  # 印鑑登録証明書: the registered seal's text

    def __post_init__(self) -> None:
        if self.type not in TITLES:
            raise ValueError(f"unknown certificate type {self.type!r}")
        if not 1 <= self.copy_no <= self.copies:
            raise ValueError(f"copy {self.copy_no} of {self.copies} does not exist")

    @property
    def title(self) -> str:
        return TITLES[self.type]

    @property
    def certifying_sentence(self) -> str:
        return CERTIFYING_SENTENCES[self.type]

    @property
    def mayor_line(self) -> str:
        return f"{self.municipality_name}長　{self.mayor}"


def wareki(d: date) -> str:
    """A date in the Japanese era: 令和8年11月21日 (year 1 is 元年)."""
    for first_day, era, first_year in _ERAS:
        if d >= first_day:
            year = d.year - first_year + 1
            return f"{era}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    raise ValueError(f"{d.isoformat()} is before 1873, when the Gregorian calendar began here")


def front_text(content: CertificateContent) -> str:
    """The front's text, one item per line: what the back's scrambled image encodes."""
    lines = [content.title]
    lines += [f"{label}\t{value}" for label, value in content.rows]
    for table in content.tables:
        lines += [table.title, "\t".join(table.header)]
        lines += ["\t".join(row) for row in table.rows]
    if content.seal_impression is not None:
        lines.append(f"印影\t{content.seal_impression}")
    lines += [content.certifying_sentence, wareki(content.issued), content.mayor_line,
              content.document_id, content.order_id, f"{content.copy_no}/{content.copies}"]
    return "\n".join(lines)


def copy_label(copy_no: int, copies: int) -> str:
    """The front's top line: 2通のうち1通目."""
    return f"{copies}通のうち{copy_no}通目"


def official_seal_text(municipality_name: str) -> str:
    return f"{municipality_name}長之印"


def printed_items(front: str) -> list[str]:
    """The strings page 1 draws, in drawing order, from the lines of ``front_text``.

    The verifier compares these with the text it extracts from a printed front. Stays in step
    with ``_Front``: a test renders every type and compares.
    """
    lines = front.split("\n")
    if len(lines) < 7 or not re.fullmatch(r"\d+/\d+", lines[-1]):
        raise ValueError("not a certificate's front text")
    title, body = lines[0], lines[1:-6]
    sentence, issued, mayor_line, document_id, order_id, copy = lines[-6:]
    copy_no, copies = (int(n) for n in copy.split("/"))
    municipality = mayor_line.rpartition("長\u3000")[0]
    items = [copy_label(copy_no, copies), title]
    for line in body:
        items += line.split("\t")
    items += [END_MARK, sentence, issued, mayor_line, official_seal_text(municipality),
              "文書番号", document_id, "注文番号", order_id]
    return [item for item in items if item]


# --- rendering -----------------------------------------------------------------------------------
def render_certificate(content: CertificateContent,
                       scramble_key: bytes = DEMO_SCRAMBLE_KEY) -> bytes:
    """The certificate as a 2-page A4 PDF: the front, then the anti-forgery back.

    The back's scrambled image holds the front text sealed with ``scramble_key``. The same
    content and key give the same bytes. One document at a time per process: reportlab keeps
    per-font state, and two residents' documents must never meet.
    """
    payload = seal(front_text(content), content.document_id, scramble_key)
    out = io.BytesIO()
    with _RENDER_LOCK:
        font = shared_font(COMMON_TEXT)
        c = Canvas(out, pagesize=A4, invariant=True, pageCompression=1,
                   initialFontName=font)  # type: ignore[arg-type]  # the stub says float
        c.setTitle(content.title)
        c.setCreator("kiosk reference center (simulated)")
        _Front(c, font, content).draw()
        c.showPage()
        draw_back(c, font, content, payload)
        c.showPage()
        lay_furniture(c, font)
        c.save()
    return out.getvalue()


def warm_up() -> None:
    """Load the font and make what every document shares (its common subsets, the back's
    drawing) now, so that the first document rendered costs no more than the next."""
    render_certificate(CertificateContent("juminhyo", "架空市", "架空 一郎", date(2000, 1, 1),
                                          "O0", "D0"))


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """Lines no wider than ``width``; Japanese breaks between any two characters."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if pdfmetrics.stringWidth(paragraph, font, size) <= width:
            lines.append(paragraph)
            continue
        line, used = "", 0.0
        for ch in paragraph:
            w = pdfmetrics.stringWidth(ch, font, size)
            if line and used + w > width:
                lines.append(line)
                line, used = "", 0.0
            line += ch
            used += w
        lines.append(line)
    return lines


class _Front:
    """Lays out page 1 from the top down; ``y`` is the top of the next block."""

    def __init__(self, c: Canvas, font: str, content: CertificateContent) -> None:
        self.c = c
        self.font = font
        self.content = content
        self.y = PAGE_H - MARGIN
        self.x0 = MARGIN
        self.x1 = PAGE_W - MARGIN

    def draw(self) -> None:
        c, font, content = self.c, self.font, self.content
        c.setFont(font, 8)
        c.drawRightString(self.x1, self.y, copy_label(content.copy_no, content.copies))
        c.setFont(font, 20)
        c.drawCentredString(PAGE_W / 2, self.y - 34, content.title)
        self.y -= 64
        c.setLineWidth(0.6)
        if content.rows:
            self._grid([LABEL_W, self.x1 - self.x0 - LABEL_W],
                       [[label, value] for label, value in content.rows], shade_col=0)
        for table in content.tables:
            self._table(table)
        if content.seal_impression is not None:
            self._seal_impression(content.seal_impression)
        c.setFont(font, 9)
        c.drawRightString(self.x1, self.y - 14, END_MARK)
        if self.y - 20 < CERTIFY_Y + 20:
            raise ValueError("the certificate's data does not fit on the front page")
        self._certification()

    def _grid(self, widths: list[float], rows: list[list[str]], shade_col: int | None = None,
              shade_row: int | None = None) -> None:
        """Rows of framed cells; one column or one row shaded as labels."""
        c, font = self.c, self.font
        c.setFont(font, BODY_SIZE)
        lefts = [self.x0 + sum(widths[:i]) for i in range(len(widths))]
        top = self.y
        for r, row in enumerate(rows):
            cells = [_wrap(text, w - 2 * PAD, font, BODY_SIZE) for text, w in zip(row, widths,
                                                                                strict=True)]
            height = max(len(lines) for lines in cells) * LEADING + 6
            c.setFillGray(0.92)
            if shade_row == r:
                c.rect(self.x0, self.y - height, sum(widths), height, stroke=0, fill=1)
            elif shade_col is not None:
                c.rect(lefts[shade_col], self.y - height, widths[shade_col], height,
                       stroke=0, fill=1)
            c.setFillGray(0)
            for left, lines in zip(lefts, cells, strict=True):
                for i, line in enumerate(lines):
                    c.drawString(left + PAD, self.y - 14 - i * LEADING, line)
            self.y -= height
            c.line(self.x0, self.y, self.x1, self.y)
        c.rect(self.x0, self.y, self.x1 - self.x0, top - self.y)
        for left in lefts[1:]:
            c.line(left, self.y, left, top)

    def _table(self, table: Table) -> None:
        self.y -= 10
        if table.title:
            self.c.setFont(self.font, BODY_SIZE)
            self.c.drawString(self.x0, self.y - 12, table.title)
            self.y -= 18
        columns = list(zip(table.header, *table.rows, strict=True))
        natural = [max(pdfmetrics.stringWidth(t, self.font, BODY_SIZE) for t in col) + 2 * PAD
                   for col in columns]
        scale = (self.x1 - self.x0) / sum(natural)
        self._grid([w * scale for w in natural], [table.header, *table.rows], shade_row=0)

    def _seal_impression(self, text: str) -> None:
        """The registered seal: a red ring with its characters top to bottom."""
        c, height = self.c, 96.0
        self.y -= 10
        c.rect(self.x0, self.y - height, LABEL_W, height)
        c.rect(self.x0 + LABEL_W, self.y - height, height, height)
        c.setFont(self.font, BODY_SIZE)
        c.drawString(self.x0 + PAD, self.y - 14, "印影")
        cx, cy, radius = self.x0 + LABEL_W + height / 2, self.y - height / 2, 34.0
        c.setStrokeColorRGB(*RED)
        c.setFillColorRGB(*RED)
        c.setLineWidth(2)
        c.circle(cx, cy, radius)
        size = min(22.0, 2 * radius * 0.8 / max(1, len(text)))
        c.setFont(self.font, size)
        for i, ch in enumerate(text):
            c.drawCentredString(cx, cy + (len(text) / 2 - i - 0.85) * size, ch)
        c.setStrokeGray(0)
        c.setFillGray(0)
        c.setLineWidth(0.6)
        self.y -= height

    def _certification(self) -> None:
        c, content = self.c, self.content
        c.setFont(self.font, BODY_SIZE)
        c.drawString(self.x0 + BODY_SIZE, CERTIFY_Y, content.certifying_sentence)
        c.drawString(self.x0 + BODY_SIZE, CERTIFY_Y - 30, wareki(content.issued))
        c.setFont(self.font, 14)
        name_right = self.x1 - 62
        c.drawRightString(name_right, CERTIFY_Y - 80, content.mayor_line)
        _official_seal(c, self.font, official_seal_text(content.municipality_name),
                       name_right + 4, CERTIFY_Y - 100, 52)
        c.setFont(self.font, 7)
        c.drawString(self.x0, MARGIN - 20,
                     f"文書番号 {content.document_id}　注文番号 {content.order_id}")


def _official_seal(c: Canvas, font: str, text: str, x: float, y: float, side: float) -> None:
    """The mayor's square seal in red, its characters in columns from the right."""
    rows = max(2, math.ceil(math.sqrt(len(text))))
    cols = math.ceil(len(text) / rows)
    cell = side / max(cols, rows)
    size = cell * 0.86
    c.saveState()
    c.setStrokeColorRGB(*RED)
    c.setFillColorRGB(*RED)
    c.setLineWidth(2)
    c.rect(x, y, side, side)
    c.setFont(font, size)
    inner_top = y + side - (side - rows * cell) / 2
    for i, ch in enumerate(text):
        col, row = divmod(i, rows)
        cx = x + side - (side - cols * cell) / 2 - (col + 0.5) * cell
        c.drawCentredString(cx, inner_top - (row + 1) * cell + cell * 0.16, ch)
    c.restoreState()
