"""The 47 prefectures by JIS code (the first two digits of a municipality code): names and kana."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prefecture:
    code: str  # "01" … "47"
    ja: str
    en: str
    kana: str  # the reading, as a resident types it (hiragana)

    @property
    def names(self) -> dict[str, str]:
        """The names by language, as the protocol carries them."""
        return {"ja": self.ja, "en": self.en}


_TABLE = (
    ("01", "北海道", "Hokkaido", "ほっかいどう"),
    ("02", "青森県", "Aomori", "あおもりけん"),
    ("03", "岩手県", "Iwate", "いわてけん"),
    ("04", "宮城県", "Miyagi", "みやぎけん"),
    ("05", "秋田県", "Akita", "あきたけん"),
    ("06", "山形県", "Yamagata", "やまがたけん"),
    ("07", "福島県", "Fukushima", "ふくしまけん"),
    ("08", "茨城県", "Ibaraki", "いばらきけん"),
    ("09", "栃木県", "Tochigi", "とちぎけん"),
    ("10", "群馬県", "Gunma", "ぐんまけん"),
    ("11", "埼玉県", "Saitama", "さいたまけん"),
    ("12", "千葉県", "Chiba", "ちばけん"),
    ("13", "東京都", "Tokyo", "とうきょうと"),
    ("14", "神奈川県", "Kanagawa", "かながわけん"),
    ("15", "新潟県", "Niigata", "にいがたけん"),
    ("16", "富山県", "Toyama", "とやまけん"),
    ("17", "石川県", "Ishikawa", "いしかわけん"),
    ("18", "福井県", "Fukui", "ふくいけん"),
    ("19", "山梨県", "Yamanashi", "やまなしけん"),
    ("20", "長野県", "Nagano", "ながのけん"),
    ("21", "岐阜県", "Gifu", "ぎふけん"),
    ("22", "静岡県", "Shizuoka", "しずおかけん"),
    ("23", "愛知県", "Aichi", "あいちけん"),
    ("24", "三重県", "Mie", "みえけん"),
    ("25", "滋賀県", "Shiga", "しがけん"),
    ("26", "京都府", "Kyoto", "きょうとふ"),
    ("27", "大阪府", "Osaka", "おおさかふ"),
    ("28", "兵庫県", "Hyogo", "ひょうごけん"),
    ("29", "奈良県", "Nara", "ならけん"),
    ("30", "和歌山県", "Wakayama", "わかやまけん"),
    ("31", "鳥取県", "Tottori", "とっとりけん"),
    ("32", "島根県", "Shimane", "しまねけん"),
    ("33", "岡山県", "Okayama", "おかやまけん"),
    ("34", "広島県", "Hiroshima", "ひろしまけん"),
    ("35", "山口県", "Yamaguchi", "やまぐちけん"),
    ("36", "徳島県", "Tokushima", "とくしまけん"),
    ("37", "香川県", "Kagawa", "かがわけん"),
    ("38", "愛媛県", "Ehime", "えひめけん"),
    ("39", "高知県", "Kochi", "こうちけん"),
    ("40", "福岡県", "Fukuoka", "ふくおかけん"),
    ("41", "佐賀県", "Saga", "さがけん"),
    ("42", "長崎県", "Nagasaki", "ながさきけん"),
    ("43", "熊本県", "Kumamoto", "くまもとけん"),
    ("44", "大分県", "Oita", "おおいたけん"),
    ("45", "宮崎県", "Miyazaki", "みやざきけん"),
    ("46", "鹿児島県", "Kagoshima", "かごしまけん"),
    ("47", "沖縄県", "Okinawa", "おきなわけん"),
)

PREFECTURES: dict[str, Prefecture] = {row[0]: Prefecture(*row) for row in _TABLE}


def prefecture_of(municipality: str) -> Prefecture | None:
    """The prefecture of a municipality code ("131130" → 東京都), or None if the code has none."""
    return PREFECTURES.get(municipality[:2])
