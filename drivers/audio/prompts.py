"""What the kiosk says, per language, and the espeak-ng voice that says it.

To add a language: give it a table in ``PROMPTS`` with every id of ``PROMPT_IDS`` (its espeak-ng
voice is already in ``ESPEAK_VOICES``), then run ``kiosk voice build --lang <lang>``. Japanese is
written in kana only: espeak-ng reads kanji as English words ("Chinese letter"). A language with
no table is spoken in ``FALLBACK_LANGUAGE``.
"""

from __future__ import annotations

PROMPT_IDS = (
    "insert-card", "enter-pin", "remove-card", "take-certificate", "take-change",
    "forgotten-card", "forgotten-paper", "forgotten-change", "thanks", "cancelled", "error",
)

FALLBACK_LANGUAGE = "en"

# kiosk.view.LANGUAGES -> espeak-ng voice. zh-Hant is Mandarin (most Traditional Chinese readers
# living in Japan are from Taiwan); "yue" is there for Cantonese. Debian 12 has no Tagalog voice:
# ``voice.espeak_voice`` then falls back to English and says so.
ESPEAK_VOICES = {
    "ja": "ja", "en": "en", "zh-Hans": "cmn", "zh-Hant": "cmn", "ko": "ko", "es": "es",
    "pt-BR": "pt-br", "vi": "vi", "tl": "tl", "id": "id", "ne": "ne", "th": "th",
}

PROMPTS: dict[str, dict[str, str]] = {
    "ja": {
        "insert-card": "マイナンバーカードを、カードリーダーに おいてください。",
        "enter-pin": "あんしょうばんごう、すうじ よんけたを、にゅうりょく してください。",
        "remove-card": "カードを おとりください。",
        "take-certificate": "しょうめいしょを おとりください。",
        "take-change": "おつりを おとりください。",
        "forgotten-card": "カードが のこっています。カードを おとりください。",
        "forgotten-paper": ("しょうめいしょが トレイに のこっています。"
                            "しょうめいしょを おとりください。"),
        "forgotten-change": "おつりが のこっています。おつりを おとりください。",
        "thanks": "ごりよう ありがとうございました。",
        "cancelled": "そうさを ちゅうし しました。",
        "error": ("もうしわけ ありません。エラーが はっせい しました。"
                  "てんいんに おこえがけ ください。"),
    },
    "en": {
        "insert-card": "Please place your My Number card on the card reader.",
        "enter-pin": "Please enter your four-digit PIN.",
        "remove-card": "Please take your card.",
        "take-certificate": "Please take your certificate.",
        "take-change": "Please take your change.",
        "forgotten-card": "Your card is still on the reader. Please take your card.",
        "forgotten-paper": "Your certificate is still in the tray. Please take your certificate.",
        "forgotten-change": "Your change is still in the tray. Please take your change.",
        "thanks": "Thank you for using this service.",
        "cancelled": "Your request has been cancelled.",
        "error": "Sorry, something went wrong. Please ask a member of staff.",
    },
}


def spoken_language(lang: str) -> str:
    """The language the prompts of ``lang`` are spoken in: itself, or ``FALLBACK_LANGUAGE``."""
    return lang if lang in PROMPTS else FALLBACK_LANGUAGE
