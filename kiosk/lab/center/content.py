"""What each certificate says: the municipality's records of a resident, as the options select.

The figures a real town keeps but the world file does not (individual number, tax amounts, the
mayor) are made up deterministically from the resident's id, so a document is reproducible.
"""

from __future__ import annotations

import hashlib
from datetime import date

from kiosk.lab.center.documents import CertificateContent, Table, wareki
from kiosk.lab.center.world import MunicipalityDef, Resident

SEX_JA = {"male": "男", "female": "女"}
MAYORS = ("青木 誠", "石川 恵子", "上田 浩", "岡本 直美", "木村 修一", "清水 陽子", "西村 剛")


def _number(seed: str, digits: int) -> int:
    return int.from_bytes(hashlib.sha256(seed.encode()).digest()[:8], "big") % int(10**digits)


def individual_number(resident_id: str) -> str:
    """A fictional 12-digit individual number with a valid check digit."""
    body = f"{_number('mynumber:' + resident_id, 11):011d}"
    total = 0
    for n, digit in enumerate(reversed(body), start=1):
        total += int(digit) * (n + 1 if n <= 6 else n - 5)
    rest = total % 11
    check = 0 if rest <= 1 else 11 - rest
    return f"{body[:4]} {body[4:8]} {body[8:]}{check}"


def mayor_of(town: MunicipalityDef) -> str:
    return MAYORS[_number("mayor:" + town.code, 6) % len(MAYORS)]


def _jp_date(iso: str) -> str:
    return wareki(date.fromisoformat(iso))


def certificate_content(kind: str, resident: Resident, town: MunicipalityDef,
                        options: dict[str, object], issued: date, order_id: str,
                        document_id: str, copy_no: int, copies: int) -> CertificateContent:
    """The content of one copy of certificate ``kind`` for ``resident`` from ``town``."""
    rows: list[tuple[str, str]] = []
    tables: list[Table] = []
    seal = None
    name = resident.name.kanji
    if kind in ("juminhyo", "kisai-jiko"):
        rows += [("住所", resident.address)]
        members = resident.household if options.get("household") == "all" else [
            m for m in resident.household if m.name == name] or resident.household[:1]
        header = ["氏名", "生年月日"]
        if options.get("head_relation"):
            header.append("続柄")
        table_rows = []
        for m in members:
            row = [m.name, _jp_date(m.born)]
            if options.get("head_relation"):
                row.append(m.relation)
            table_rows.append(row)
        tables.append(Table(header, table_rows, "世帯員" if len(members) > 1 else "記載事項"))
        rows += [("性別", SEX_JA[resident.sex])]
        if options.get("nationality"):
            rows += [("国籍・地域", resident.nationality)]
        if options.get("residence") and resident.residence is not None:
            rows += [("在留資格", resident.residence.status),
                     ("在留カード等の番号", resident.residence.card_number)]
        if options.get("honseki") and resident.honseki is not None:
            rows += [("本籍", resident.register_address), ("筆頭者", resident.register_head)]
        if options.get("mynumber"):
            rows += [("個人番号", individual_number(resident.id))]
        if options.get("resident_code"):
            rows += [("住民票コード", f"{_number('juki:' + resident.id, 11):011d}")]
    elif kind == "inkan":
        rows += [("氏名", name), ("生年月日", _jp_date(resident.born)),
                 ("住所", resident.address)]
        seal = name.split()[0]
    elif kind.startswith("tax-"):
        year = options.get("year")
        income = _number(f"income:{resident.id}:{year}", 4) * 1000 + 2_000_000
        rows += [("氏名", name), ("住所", resident.address), ("年度", f"{year}年度")]
        if kind == "tax-income":
            rows += [("総所得金額", f"{income:,}円")]
        else:
            tax = income // 10
            rows += [("課税額", f"{tax:,}円")]
            if kind == "tax-payment":
                rows += [("納付済額", f"{tax:,}円"), ("未納額", "0円")]
    else:  # the family register and its record of addresses
        rows += [("本籍", resident.register_address), ("筆頭者", resident.register_head)]
        if kind == "koseki-fuhyo":
            rows += [("氏名", name), ("住所", resident.address)]
        else:
            members = resident.household if kind == "koseki-zenbu" else resident.household[:1]
            tables.append(Table(["氏名", "生年月日", "続柄"],
                                [[m.name, _jp_date(m.born), m.relation] for m in members],
                                "戸籍に記録されている者"))
    return CertificateContent(kind, town.name["ja"], mayor_of(town), issued, order_id,
                              document_id, copy_no, copies, rows, tables, seal)
