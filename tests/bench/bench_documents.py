"""Time certificate rendering: the first call (font loading) and 20 more.

Run: ``.venv/bin/python tests/bench/bench_documents.py``. The aim is under ~10 ms per document
after the first.
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.lab.center.documents import (  # noqa: E402
    CertificateContent,
    Table,
    render_certificate,
    wareki,
)
from kiosk.pdfinfo import page_count

RUNS = 20


def sample(n: int) -> CertificateContent:
    members = [["架空 太郎", "世帯主", wareki(date(1980, 4, 1))],
               ["架空 花子", "妻", wareki(date(1982, 6, 15))],
               ["架空 健太", "子", wareki(date(2012, 9, 30))]]
    return CertificateContent(
        type="juminhyo", municipality_name="渋谷区", mayor="架空 一郎", issued=date(2026, 11, 21),
        order_id=f"ord-{n:04d}", document_id=f"doc-{n:04d}-1",
        rows=[("氏名", "架空 太郎"), ("生年月日", wareki(date(1980, 4, 1))), ("性別", "男"),
              ("住所", "東京都渋谷区宇田川町1番1号"), ("住民となった年月日", "令和2年4月1日")],
        tables=[Table(["氏名", "続柄", "生年月日"], members, title="世帯員")],
    )


def main() -> None:
    start = time.perf_counter()
    first = render_certificate(sample(0))
    first_ms = (time.perf_counter() - start) * 1000
    assert page_count(first) == 2
    start = time.perf_counter()
    for n in range(1, RUNS + 1):
        render_certificate(sample(n))
    total_ms = (time.perf_counter() - start) * 1000
    print(f"first render (font load): {first_ms:.1f} ms, {len(first)} bytes")
    print(f"{RUNS} renders: {total_ms:.1f} ms, {total_ms / RUNS:.2f} ms each")


if __name__ == "__main__":
    main()
