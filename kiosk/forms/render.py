"""A pre-filled form as a PDF (A4, Mincho): its title, its boxes with their headings, and what
the card gave in the boxes that take it. Made in memory: nothing is written anywhere."""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from kiosk.forms.templates import SEX_NAMES, Box, FormTemplate
from kiosk.pdffont import register_font
from kiosk.vocabulary.ports import CardFace

_LOCK = threading.Lock()  # reportlab's font registry is not thread-safe
_ERAS = ((date(2019, 5, 1), "令和"), (date(1989, 1, 8), "平成"), (date(1926, 12, 25), "昭和"),
         (date(1912, 7, 30), "大正"))


@dataclass(frozen=True, repr=False)
class FilledForm:
    """One form for one visit: what to print, and the visit-bound id it carries."""

    form: FormTemplate
    visit_id: str  # printed on the form, checked against the visit before printing
    pdf: bytes

    def __repr__(self) -> str:
        return f"FilledForm({self.form.id}, {self.visit_id})"


def wareki(day: date) -> str:
    """A date as the Japanese era writes it: 令和8年11月21日 (Western before 大正)."""
    for start, era in _ERAS:
        if day >= start:
            year = day.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def _values(face: CardFace, today: date) -> dict[str, str]:
    birth = face.birth
    born = date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    values = {"name": face.name, "address": face.address, "birth": wareki(born),
              "sex": SEX_NAMES.get(face.sex, ""), "date": wareki(today)}
    if face.number is not None:
        values["number"] = face.number
    return values


def render_form(form: FormTemplate, face: CardFace, today: date, visit_id: str) -> FilledForm:
    """The form filled from ``face`` (its number only where the form takes one and ``face``
    holds it), bound to the visit by ``visit_id``."""
    values = _values(face, today)
    if not form.takes_number:
        values.pop("number", None)
    out = io.BytesIO()
    with _LOCK:
        font = register_font()
        c = Canvas(out, pagesize=A4, invariant=True, pageCompression=1)
        c.setTitle(form.title)
        c.setCreator("kiosk pre-filled form")
        width, height = A4
        c.setFont(font, 20)
        c.drawCentredString(width / 2, height - 25 * mm, form.title)
        c.setFont(font, 9)
        c.drawRightString(width - 15 * mm, height - 15 * mm, f"受付番号 {visit_id}")
        for box in form.boxes:
            _box(c, font, box, values.get(box.fill, ""), height)
        c.setFont(font, 10)
        bottom = max(b.y + b.h for b in form.boxes) + 10
        for i, note in enumerate(("※ 内容を確認し、署名のうえ窓口へお持ちください。",
                                  *form.notes)):
            c.drawString(15 * mm, height - (bottom + 6 * i) * mm, note)
        c.showPage()
        c.save()
    return FilledForm(form, visit_id, out.getvalue())


def _box(c: Canvas, font: str, box: Box, value: str, height: float) -> None:
    """The box's frame, its heading at the top left, and its value (in cells for digits)."""
    x, top, w, h = box.x * mm, height - box.y * mm, box.w * mm, box.h * mm
    c.setLineWidth(0.8)
    c.rect(x, top - h, w, h)
    c.setFont(font, 8)
    c.drawString(x + 1.5 * mm, top - 3.5 * mm, box.label)
    label_w = 28 * mm
    if box.digits:
        cell = (w - label_w) / box.digits
        for i in range(box.digits):
            cx = x + label_w + i * cell
            c.rect(cx, top - h, cell, h)
            if i < len(value):
                c.setFont(font, 14)
                c.drawCentredString(cx + cell / 2, top - h / 2 - 2 * mm, value[i])
        return
    if value:
        c.setFont(font, 14 if len(value) < 30 else 11)
        c.drawString(x + label_w, top - h / 2 - 2 * mm, value)
