"""The certificate PDF: two A4 pages, the font embedded, every type renders, nothing is logged.

And its back: the scrambled image decodes to the front, and the verifier catches fronts that were
altered, backs from another key, and files that are not certificates.
"""

from __future__ import annotations

import io
import logging
import random
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from kiosk import pdffont
from kiosk.lab.center.documents import (
    CERTIFYING_SENTENCES,
    TITLES,
    CertificateContent,
    Table,
    front_text,
    render_certificate,
    wareki,
)
from kiosk.lab.center.scramble import DEMO_SCRAMBLE_KEY, seal, symbol_rows
from kiosk.lab.center.verify import Verification, filled_rects, read_symbol, verify_pdf
from kiosk.lab.center.world import CERTIFICATE_TYPES
from kiosk.pdfinfo import page_count

NAME = "山田 太郎"
ADDRESS = "東京都渋谷区宇田川町1番1号"
OTHER_KEY = bytes(range(32))


def content(type_: str = "juminhyo", name: str = NAME, **changes: object) -> CertificateContent:
    """A fictional resident's certificate of ``type_`` (``name`` on its first row)."""
    fields: dict[str, object] = dict(
        type=type_, municipality_name="渋谷区", mayor="架空 一郎", issued=date(2026, 11, 21),
        order_id="ord-0001", document_id="doc-0001-1", copy_no=1, copies=2,
        rows=[("氏名", name), ("生年月日", wareki(date(1980, 4, 1))), ("住所", ADDRESS)],
        tables=[Table(["氏名", "続柄", "生年月日"],
                      [[NAME, "世帯主", "昭和55年4月1日"], ["山田 良子", "妻", "昭和57年6月15日"]],
                      title="世帯員")],
    )
    fields.update(changes)
    return CertificateContent(**fields)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pdf() -> bytes:
    return render_certificate(content())


def test_a_two_page_pdf(pdf: bytes) -> None:
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    assert page_count(pdf) == 2
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf  # A4


def test_the_mincho_font_is_embedded(pdf: bytes) -> None:
    assert b"/FontFile2" in pdf
    assert b"IPAexMincho" in pdf
    assert b"/Helvetica" not in pdf  # no font left unembedded


def test_the_same_content_renders_the_same_bytes(pdf: bytes) -> None:
    assert render_certificate(content()) == pdf
    assert render_certificate(content(copy_no=2)) != pdf


@pytest.mark.parametrize("type_", sorted(TITLES))
def test_every_certificate_type_renders_and_verifies(type_: str) -> None:
    c = content(type_, seal_impression="山田" if type_ == "inkan" else None)
    pdf = render_certificate(c)
    assert page_count(pdf) == 2
    assert verify_pdf(pdf, DEMO_SCRAMBLE_KEY) == Verification(True, "doc-0001-1", [],
                                                              front_text(c).split("\n"))
    text = front_text(c)
    assert text.startswith(TITLES[type_] + "\n")
    assert CERTIFYING_SENTENCES[type_] in text
    assert "令和8年11月21日" in text
    assert "渋谷区長　架空 一郎" in text


def test_the_types_are_the_world_file_types() -> None:
    assert set(TITLES) == set(CERTIFYING_SENTENCES) == set(CERTIFICATE_TYPES)


# --- the back and its verifier --------------------------------------------------------------------
def pages(*sources: tuple[bytes, int]) -> bytes:
    """A PDF made of page ``n`` of each PDF given."""
    writer = PdfWriter()
    for pdf, n in sources:
        writer.add_page(PdfReader(io.BytesIO(pdf)).pages[n])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def forged_front(pdf: bytes, **changes: object) -> bytes:
    """``pdf``'s back behind the front of a certificate with ``changes``."""
    return pages((render_certificate(content(**changes)), 0), (pdf, 1))


def test_the_back_decodes_to_the_front(pdf: bytes) -> None:
    result = verify_pdf(pdf, DEMO_SCRAMBLE_KEY)
    assert result.ok, result.problems
    assert result.document_id == "doc-0001-1"
    assert result.lines == front_text(content()).split("\n")
    assert verify_pdf(pages((pdf, 0), (pdf, 1)), DEMO_SCRAMBLE_KEY).ok  # rewritten by pypdf


def test_the_back_needs_the_key_it_was_made_with(pdf: bytes) -> None:
    other = render_certificate(content(), scramble_key=OTHER_KEY)
    assert other != pdf
    assert verify_pdf(other, OTHER_KEY).ok
    result = verify_pdf(other, DEMO_SCRAMBLE_KEY)
    assert not result.ok and result.lines == []
    assert result.document_id == "doc-0001-1"
    assert result.problems == ["the back does not decrypt with this key and document number "
                               "(another center's key, or the image or the number was altered)"]


def test_an_altered_value_on_the_front_is_caught(pdf: bytes) -> None:
    rows = [("氏名", "山田 次郎"), ("生年月日", wareki(date(1980, 4, 1))), ("住所", ADDRESS)]
    result = verify_pdf(forged_front(pdf, rows=rows), DEMO_SCRAMBLE_KEY)
    assert not result.ok
    assert result.problems == ["the front says '山田次郎' where the back says '山田 太郎'"]
    assert result.lines == front_text(content()).split("\n")


def test_a_row_added_to_or_left_off_the_front_is_caught(pdf: bytes) -> None:
    added = content().rows + [("備考", "転入")]
    result = verify_pdf(forged_front(pdf, rows=added), DEMO_SCRAMBLE_KEY)
    assert result.problems == ["the front has '備考転入', which the back does not"]
    result = verify_pdf(forged_front(pdf, rows=content().rows[:2]), DEMO_SCRAMBLE_KEY)
    assert result.problems == [f"the front is missing '住所 / {ADDRESS}'"]


def test_the_front_of_another_document_is_caught(pdf: bytes) -> None:
    result = verify_pdf(forged_front(pdf, document_id="doc-0002-1", copy_no=2),
                        DEMO_SCRAMBLE_KEY)
    assert not result.ok and result.document_id == "doc-0001-1"
    assert result.problems == [
        "the front says '2通のうち2通目' where the back says '2通のうち1通目'",
        "the front says 'doc-0002-1' where the back says 'doc-0001-1'"]


@pytest.mark.parametrize("keep", [0.5, 0.98, 0.0005])
def test_a_truncated_pdf_is_refused_without_an_exception(pdf: bytes, keep: float) -> None:
    result = verify_pdf(pdf[:int(len(pdf) * keep)], DEMO_SCRAMBLE_KEY)
    assert not result.ok and result.problems and result.lines == []


def test_a_damaged_pdf_never_raises(pdf: bytes) -> None:
    rng = random.Random(7)
    expected = front_text(content()).split("\n")
    for _ in range(12):
        damaged = bytearray(pdf)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        result = verify_pdf(bytes(damaged), DEMO_SCRAMBLE_KEY)
        assert result.problems if not result.ok else result.lines == expected


def test_what_is_not_a_certificate_is_refused(pdf: bytes) -> None:
    assert verify_pdf(b"not a pdf", DEMO_SCRAMBLE_KEY).problems == ["this is not a PDF"]
    assert verify_pdf(pages((pdf, 0)), DEMO_SCRAMBLE_KEY).problems == [
        "the PDF has 1 page; a certificate has 2, the front and the back"]
    assert verify_pdf(pages((pdf, 0), (pdf, 0)), DEMO_SCRAMBLE_KEY).problems == [
        "the back has no scrambled image"]
    assert verify_pdf(pages((pdf, 1), (pdf, 0)), DEMO_SCRAMBLE_KEY).problems == [
        "the back has no scrambled image"]


def test_the_decoder_reads_cells_however_they_are_drawn() -> None:
    """Cell by cell, y up, scaled and moved: the last fill over a cell's centre decides it."""
    symbol = symbol_rows(seal("住民票の写し\n1/1", "doc-x", DEMO_SCRAMBLE_KEY))
    side = len(symbol)
    row, col = 1, symbol[1].index("1", 1)  # a black data cell, painted white again below
    ops: list[tuple[list[object], bytes]] = [
        ([], b"q"), ([2.5, 0, 0, 2.5, 100, 300], b"cm"), ([1], b"g"), ([0, 0, side, side], b"re"),
        ([], b"f"), ([0, 0, 0], b"rg")]
    ops += [([c, side - 1 - r, 1, 1], b"re") for r, cells in enumerate(symbol)
            for c, cell in enumerate(cells) if cell == "1"]
    ops += [([], b"f"), ([1], b"g"), ([col, side - 1 - row, 1, 1], b"re"), ([], b"f"),
            ([], b"Q"), ([0.8, 0.6, -0.6, 0.8, 0, 0], b"cm"), ([0, 0, 5, 5], b"re"), ([], b"f")]
    expected = [[cell == "1" for cell in cells] for cells in symbol]
    expected[row][col] = False
    assert read_symbol(filled_rects(ops)) == expected


def test_verifying_logs_nothing_personal(pdf: bytes, caplog: pytest.LogCaptureFixture) -> None:
    rows = [("氏名", "山田 次郎"), ("生年月日", wareki(date(1980, 4, 1))), ("住所", ADDRESS)]
    with caplog.at_level(logging.DEBUG):
        verify_pdf(forged_front(pdf, rows=rows), DEMO_SCRAMBLE_KEY)
        verify_pdf(pdf[:len(pdf) // 2], DEMO_SCRAMBLE_KEY)
    for record in caplog.records:
        assert "山田" not in record.getMessage() and ADDRESS not in record.getMessage()


@pytest.mark.parametrize(("day", "text"), [
    (date(2026, 11, 21), "令和8年11月21日"),
    (date(2019, 5, 1), "令和元年5月1日"),
    (date(2019, 4, 30), "平成31年4月30日"),
    (date(1989, 1, 8), "平成元年1月8日"),
    (date(1989, 1, 7), "昭和64年1月7日"),
    (date(1980, 4, 1), "昭和55年4月1日"),
    (date(1926, 12, 25), "昭和元年12月25日"),
    (date(1926, 12, 24), "大正15年12月24日"),
    (date(1912, 7, 30), "大正元年7月30日"),
    (date(1900, 1, 1), "明治33年1月1日"),
])
def test_wareki(day: date, text: str) -> None:
    assert wareki(day) == text


def test_wareki_before_the_gregorian_calendar() -> None:
    with pytest.raises(ValueError):
        wareki(date(1872, 12, 31))


def test_bad_content_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown certificate type"):
        content("passport")
    with pytest.raises(ValueError, match="copy 3 of 2"):
        content(copy_no=3)
    with pytest.raises(ValueError, match="cells"):
        Table(["氏名", "続柄"], [["山田 太郎"]])
    too_long = [("備考", f"行{i}") for i in range(40)]
    with pytest.raises(ValueError, match="does not fit"):
        render_certificate(content(rows=too_long))


def test_long_values_wrap_and_still_fit() -> None:
    long_address = ADDRESS + "　" + "長い建物の名前" * 12
    assert page_count(render_certificate(content(rows=[("住所", long_address)]))) == 2
    assert page_count(render_certificate(content(rows=[], tables=[]))) == 2


def test_rendering_logs_nothing_personal(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        render_certificate(content(seal_impression="山田"))
    for record in caplog.records:
        message = record.getMessage()
        assert NAME not in message and ADDRESS not in message and "山田" not in message


def test_a_missing_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    monkeypatch.setenv(pdffont.FONT_ENV, str(tmp_path / "absent.ttf"))
    with pytest.raises(pdffont.FontMissing, match="fonts-ipaexfont-mincho"):
        pdffont._font_path()


def test_page_count_of_other_pdfs() -> None:
    assert page_count(b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 1 >>\n"
                          b"2 0 obj << /Type/Page /Parent 1 0 R >>\n%%EOF") == 1
    with pytest.raises(ValueError):
        page_count(b"not a pdf")


def test_concurrent_renders_do_not_mix() -> None:
    from concurrent.futures import ThreadPoolExecutor

    contents = [content(document_id=f"doc-{n}", rows=[("氏名", f"架空 {n}")]) for n in range(6)]
    alone = [render_certificate(c) for c in contents]
    with ThreadPoolExecutor(max_workers=3) as pool:
        together = list(pool.map(render_certificate, contents))
    assert together == alone
