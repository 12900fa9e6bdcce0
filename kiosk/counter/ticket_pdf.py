"""The receipt ticket (受付票) the counter terminal prints: number, time, certificate and copies,
fee. Never a name: the ticket says nothing about whose it is."""

from __future__ import annotations

import io
from datetime import datetime

from kiosk.vocabulary.certificate_names import certificate_ja

TICKET_W, TICKET_H = 226.8, 340.2  # 80 x 120 mm, in points


def render_ticket(number: str, when: datetime, certificate: str, copies: int, fee: int,
                  kiosk_id: str) -> bytes:
    """A one-page PDF of the ticket."""
    from reportlab.pdfgen import canvas

    from kiosk.pdffont import register_font

    font = register_font()
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=(TICKET_W, TICKET_H))
    page.setTitle(f"受付票 {number}")
    page.setFont(font, 16)
    page.drawCentredString(TICKET_W / 2, TICKET_H - 40, "受付票")
    page.setFont(font, 48)
    page.drawCentredString(TICKET_W / 2, TICKET_H - 110, number)
    page.setFont(font, 11)
    lines = (f"受付 {when:%Y-%m-%d %H:%M}", f"{certificate_ja(certificate)} {copies}通",
             f"手数料 {fee:,}円（窓口でお支払いください）", "この票を窓口にお出しください。",
             f"端末 {kiosk_id}")
    for i, text in enumerate(lines):
        page.drawString(18, TICKET_H - 160 - i * 22, text)
    page.showPage()
    page.save()
    return buf.getvalue()
