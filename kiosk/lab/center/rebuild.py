"""The certificate's content rebuilt from the front text that the back's scrambled image holds.

The inverse of ``documents.front_text``: with it the verifier renders the front as the center
drew it and compares that with the front it was given. The text is read line by line: the title
gives the type, the last six lines the certifying sentence, the date (in the Japanese era), the
mayor, the document and order numbers and the copy; between them come the rows
(``label<TAB>value``), then each table (a title line without a tab, a header, its rows), then
the registered seal (``印影<TAB>…``). Where a text could be read two ways (a one-column table,
a last row that reads like a seal) every reading is offered, the usual one first, at most
``MAX_READINGS``; a reading is kept only if ``front_text`` gives back exactly the text it was
read from.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from kiosk.lab.center.documents import (
    CERTIFYING_SENTENCES,
    TITLES,
    CertificateContent,
    Table,
    front_text,
    wareki,
)

MAX_READINGS = 4  # the layouts rendered and compared, at most, for one front text
MAX_STEPS = 2000  # tables tried while reading one front text: the search stays bounded
SEAL_LABEL = "印影"
_ERA_YEAR_ONE = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}
_WAREKI = re.compile(r"(令和|平成|昭和|大正|明治)(元|\d{1,3})年(\d{1,2})月(\d{1,2})日")
_COPY = re.compile(r"(\d{1,3})/(\d{1,3})")
_Body = tuple[list[tuple[str, str]], list[Table], str | None]


def from_wareki(text: str) -> date | None:
    """The date that ``wareki`` writes as ``text``, or None."""
    found = _WAREKI.fullmatch(text)
    if found is None:
        return None
    era, year, month, day = found.groups()
    try:
        d = date(_ERA_YEAR_ONE[era] + (1 if year == "元" else int(year)) - 1, int(month),
                 int(day))
        return d if wareki(d) == text else None
    except ValueError:
        return None


def contents_from_front(text: str) -> list[CertificateContent]:
    """Every content whose ``front_text`` is ``text`` (at most ``MAX_READINGS``; often one)."""
    lines = text.split("\n")
    if len(lines) < 7:
        return []
    title, body = lines[0], lines[1:-6]
    sentence, issued_text, mayor_line, document_id, order_id, copy = lines[-6:]
    types = [t for t, name in TITLES.items() if name == title]
    copy_found = _COPY.fullmatch(copy)
    issued = from_wareki(issued_text)
    municipality, mark, mayor = mayor_line.rpartition("長\u3000")
    if (len(types) != 1 or CERTIFYING_SENTENCES[types[0]] != sentence or copy_found is None
            or issued is None or not mark):
        return []
    found: list[CertificateContent] = []
    for rows, tables, seal in _bodies(body):
        try:
            content = CertificateContent(
                types[0], municipality, mayor, issued, order_id, document_id,
                int(copy_found.group(1)), int(copy_found.group(2)), rows, tables, seal)
        except ValueError:
            continue
        if front_text(content) == text:
            found.append(content)
        if len(found) == MAX_READINGS:
            break
    return found


def _bodies(lines: list[str]) -> Iterator[_Body]:
    """The readings of the lines between the title and the certifying sentence."""
    seals: list[tuple[list[str], str | None]] = [(lines, None)]
    if lines and lines[-1].startswith(SEAL_LABEL + "\t"):
        seals.insert(0, (lines[:-1], lines[-1].partition("\t")[2]))
    for rest, seal in seals:
        first_table = next((i for i, line in enumerate(rest) if line.count("\t") != 1),
                           len(rest))
        rows = [(label, value) for label, _, value in
                (line.partition("\t") for line in rest[:first_table])]
        for tables in _tables(rest[first_table:], [MAX_STEPS]):
            yield rows, tables, seal


def _tables(lines: list[str], budget: list[int]) -> Iterator[list[Table]]:
    """Each way ``lines`` splits into tables: a title line, a header, rows as wide as it."""
    if not lines:
        yield []
        return
    budget[0] -= 1
    if len(lines) < 2 or "\t" in lines[0] or budget[0] < 0:
        return
    title, header = lines[0], lines[1].split("\t")
    end = 2
    while end < len(lines) and lines[end].count("\t") == len(header) - 1:
        end += 1
    for stop in range(end, 1, -1):  # the longest table first: the usual reading
        table = Table(header, [line.split("\t") for line in lines[2:stop]], title)
        for rest in _tables(lines[stop:], budget):
            yield [table, *rest]
