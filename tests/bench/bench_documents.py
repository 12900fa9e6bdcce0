"""Time certificate rendering: the first document (font loading, the shared subsets) and then
documents for many different residents.

Run: ``.venv/bin/python tests/bench/bench_documents.py [--runs 200]``. Each document has its own
resident (name, address, household, town), so its own font subset differs from the last one's,
as at a real center; the characters every certificate prints come from the subsets made once
(pdffont.shared_font). The aim is under ~3 ms per document after the first (it was 7.8 ms when
every document cut and compressed its whole font subset and drew its whole back).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kiosk.lab.center.documents import (  # noqa: E402
    TITLES,
    CertificateContent,
    Table,
    render_certificate,
    wareki,
)
from kiosk.pdfinfo import page_count  # noqa: E402

SURNAMES = "佐藤鈴木高橋田中伊藤渡辺山本中村小林加藤吉田山田佐々木山口松本井上木村林斎藤清水"
GIVEN = "太郎花子健太美咲翔大陽菜蓮結衣湊葵樹凛悠真"
TOWNS = ("渋谷区", "世田谷区", "横浜市港北区", "川崎市中原区", "さいたま市浦和区", "千葉市美浜区")


def sample(n: int) -> CertificateContent:
    """A certificate for the n-th made-up resident: names and places vary with ``n``."""
    surname = SURNAMES[(2 * n) % len(SURNAMES):][:2]
    given = [GIVEN[(2 * (n + k)) % len(GIVEN):][:2] for k in range(3)]
    town = TOWNS[n % len(TOWNS)]
    members = [[f"{surname} {given[0]}", "世帯主", wareki(date(1960 + n % 40, 4, 1))],
               [f"{surname} {given[1]}", "妻", wareki(date(1962 + n % 40, 6, 15))],
               [f"{surname} {given[2]}", "子", wareki(date(1990 + n % 30, 9, 30))]]
    return CertificateContent(
        type=list(TITLES)[n % 2], municipality_name=town, mayor="架空 一郎",
        issued=date(2026, 11, 21), order_id=f"O{n:016X}", document_id=f"D{n:020X}",
        rows=[("住所", f"{town}宇田川町{n % 50 + 1}番{n % 9 + 1}号"), ("性別", "男")],
        tables=[Table(["氏名", "続柄", "生年月日"], members, title="世帯員")],
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    start = time.perf_counter()
    first = render_certificate(sample(0))
    first_ms = (time.perf_counter() - start) * 1000
    assert page_count(first) == 2
    times, sizes = [], []
    for n in range(1, args.runs + 1):
        content = sample(n)
        start = time.perf_counter()
        pdf = render_certificate(content)
        times.append((time.perf_counter() - start) * 1000)
        sizes.append(len(pdf))
    q = statistics.quantiles(times, n=100)
    print(f"first render (font load, shared subsets made): {first_ms:.1f} ms, {len(first)} bytes")
    print(f"{args.runs} renders, a different resident each: mean {statistics.fmean(times):.2f} ms, "
          f"p50 {statistics.median(times):.2f} ms, p99 {q[98]:.2f} ms "
          f"({1000 / statistics.fmean(times):.0f} documents/s on one core); "
          f"{statistics.fmean(sizes) / 1024:.0f} KiB each")


if __name__ == "__main__":
    main()
