"""The practice visit's sample resident and town: fixed, fictional, shipped with the kiosk."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.center.protocol import CertificateOffer, Hours, Offer

TOWN = "990001"  # not a real municipality code (prefectures are 01 to 47)
TOWN_NAMES = {"ja": "見本市", "ja-x-easy": "みほんし", "en": "Sample City",
              "zh-Hans": "样本市", "zh-Hant": "樣本市", "ko": "견본시", "es": "Ciudad de muestra",
              "pt-BR": "Cidade de exemplo", "vi": "Thành phố mẫu", "tl": "Halimbawang Lungsod",
              "id": "Kota Contoh", "ne": "नमुना सहर", "th": "เมืองตัวอย่าง"}
MAX_COPIES = 3
ALWAYS = Hours("00:00", "23:59", False)  # a practice is never closed


@dataclass(frozen=True)
class SampleResident:
    """A fictional resident: what the sample certificate shows."""

    name: str = "見本 太郎"
    kana: str = "ミホン タロウ"
    born: str = "平成2年4月1日"
    born_iso: str = "19900401"
    address: str = "見本県見本市見本町一丁目1番1号"
    honseki: str = "見本県見本市見本町一丁目1番地"


RESIDENT = SampleResident()
CERTIFICATES = (
    CertificateOffer("juminhyo", 300, ["household", "mynumber"]),
    CertificateOffer("inkan", 300),
    CertificateOffer("koseki", 450),
)
TITLES = {"juminhyo": "住民票の写し", "inkan": "印鑑登録証明書", "koseki": "戸籍証明書"}


def offer() -> Offer:
    """What the sample town offers the sample resident."""
    return Offer(TOWN, dict(TOWN_NAMES), True, MAX_COPIES, list(CERTIFICATES))
