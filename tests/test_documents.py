"""The certificate PDF: two A4 pages, the font embedded, every type renders, nothing is logged."""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

import pytest

from kiosk.center.simulator import documents
from kiosk.center.simulator.documents import (
    CERTIFYING_SENTENCES,
    TITLES,
    CertificateContent,
    Table,
    front_digest,
    front_text,
    render_certificate,
    wareki,
)
from kiosk.center.simulator.world import CERTIFICATE_TYPES
from kiosk.pdfinfo import page_count

NAME = "山田 太郎"
ADDRESS = "東京都渋谷区宇田川町1番1号"


def content(type_: str = "juminhyo", **changes: object) -> CertificateContent:
    fields: dict[str, object] = dict(
        type=type_, municipality_name="渋谷区", mayor="架空 一郎", issued=date(2026, 11, 21),
        order_id="ord-0001", document_id="doc-0001-1", copy_no=1, copies=2,
        rows=[("氏名", NAME), ("生年月日", wareki(date(1980, 4, 1))), ("住所", ADDRESS)],
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
def test_every_certificate_type_renders(type_: str) -> None:
    c = content(type_, seal_impression="山田" if type_ == "inkan" else None)
    assert page_count(render_certificate(c)) == 2
    text = front_text(c)
    assert text.startswith(TITLES[type_] + "\n")
    assert CERTIFYING_SENTENCES[type_] in text
    assert "令和8年11月21日" in text
    assert "渋谷区長　架空 一郎" in text


def test_the_types_are_the_world_file_types() -> None:
    assert set(TITLES) == set(CERTIFYING_SENTENCES) == set(CERTIFICATE_TYPES)


def test_the_back_encodes_the_front() -> None:
    assert len(front_digest(content())) == 32
    assert front_digest(content()) == front_digest(content())
    assert front_digest(content()) != front_digest(content(rows=[("氏名", "山田 次郎")]))
    assert front_digest(content()) != front_digest(content(document_id="doc-0001-2"))


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
    monkeypatch.setenv(documents.FONT_ENV, str(tmp_path / "absent.ttf"))
    with pytest.raises(documents.FontMissing, match="fonts-ipaexfont-mincho"):
        documents._font_path()


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
