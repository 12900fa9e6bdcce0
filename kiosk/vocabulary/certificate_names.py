"""Certificate names in Japanese, as printed on a certificate, a ticket and the console."""

from __future__ import annotations

CERTIFICATES_JA = {
    "juminhyo": "住民票の写し",
    "kisai-jiko": "住民票記載事項証明書",
    "inkan": "印鑑登録証明書",
    "tax-income": "所得証明書",
    "tax-assessment": "課税証明書",
    "tax-payment": "納税証明書",
    "koseki-zenbu": "戸籍全部事項証明書",
    "koseki-kojin": "戸籍個人事項証明書",
    "koseki-fuhyo": "戸籍の附票の写し",
}


def certificate_ja(kind: str) -> str:
    """The certificate's Japanese name (its code if it has none here)."""
    return CERTIFICATES_JA.get(kind, kind)
