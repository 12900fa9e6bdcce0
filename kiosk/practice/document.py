"""The practice visit's printout: a sample certificate with 見本 across the page."""

from __future__ import annotations

import io
from datetime import datetime

from kiosk.practice.sample import RESIDENT, TITLES, TOWN_NAMES

MARK = "見本"
NOTE = "練習用の見本です。証明書ではありません。 / PRACTICE SAMPLE: NOT A CERTIFICATE"


def sample_pdf(visit_id: str, certificate: str, copy: int, when: datetime) -> bytes:
    """One A4 page, bound to the practice visit by its id and time (no real person's data)."""
    from reportlab.lib.colors import Color, black
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from kiosk.pdffont import register_font

    font = register_font()
    width, height = A4
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=A4, invariant=True)
    page.setTitle(f"{MARK} {TITLES.get(certificate, certificate)}")
    page.setFont(font, 22)
    page.drawCentredString(width / 2, height - 90, f"{TITLES.get(certificate, certificate)}"
                                                   f"（{MARK}）")
    page.setFont(font, 12)
    r = RESIDENT
    lines = (f"氏名　{r.name}（{r.kana}）", f"生年月日　{r.born}", f"住所　{r.address}",
             f"本籍　{r.honseki}", f"発行　{TOWN_NAMES['ja']}長（見本）", "",
             NOTE, f"{visit_id}  copy {copy}  {when:%Y-%m-%d %H:%M}")
    for i, line in enumerate(lines):
        page.drawString(72, height - 150 - i * 24, line)
    page.saveState()  # 見本 diagonally across the whole page, over everything
    page.setFillColor(Color(0.85, 0.1, 0.1, alpha=0.35))
    page.translate(width / 2, height / 2)
    page.rotate(45)
    page.setFont(font, 220)
    page.drawCentredString(0, -70, MARK)
    page.restoreState()
    page.setFillColor(black)
    page.setFont(font, 10)
    page.drawCentredString(width / 2, 40, NOTE)
    page.showPage()
    page.save()
    return buf.getvalue()
