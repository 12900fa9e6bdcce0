"""Gettext catalogs for the screens: ``locales/<lang>/LC_MESSAGES/kiosk.po``, compiled in memory.

The .po files are the only source: they are read with Babel and compiled to an in-memory .mo at
first use (one per language, cached), so no build step and no stale .mo files. A language without
a catalog falls back to the source strings (English msgids). No pygame here.
"""

from __future__ import annotations

import gettext
import os
from datetime import date
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from kiosk.vocabulary.view import LANGUAGES

DEFAULT_LANGUAGE = "ja"
DOMAIN = "kiosk"
EASY_JAPANESE = "ja-x-easy"  # やさしい日本語: plain Japanese for residents learning it
# Every language a catalog may exist for, in the order they are offered
OFFERED = tuple(dict.fromkeys((LANGUAGES[0], EASY_JAPANESE, *LANGUAGES)))


def N_(message: str) -> str:
    """Mark a string for extraction without translating it (translate it where it is shown)."""
    return message


LOCALES = Path(__file__).resolve().parents[1] / "locales"


def locales_dir() -> Path:
    """Where the catalogs live: env KIOSK_LOCALES, else ``locales/`` at the repository root."""
    override = os.environ.get("KIOSK_LOCALES")
    if override:
        return Path(override)
    return LOCALES


def catalog_path(lang: str, root: Path | None = None) -> Path | None:
    """The .po file of ``lang`` (folder named ``zh-Hans`` or ``zh_Hans``), or None."""
    root = root or locales_dir()
    for folder in (lang, lang.replace("-", "_")):
        path = root / folder / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


def available_languages() -> tuple[str, ...]:
    """The languages of ``OFFERED`` (``LANGUAGES`` and ja-x-easy) that have a catalog."""
    return _available(locales_dir())


@cache
def _available(root: Path) -> tuple[str, ...]:
    """(every screen's bar asks: the folders are looked at once per process, as the
    catalogs are read once)"""
    return tuple(lang for lang in OFFERED if catalog_path(lang, root) is not None)


def base_language(lang: str) -> str:
    """The language without a private-use suffix: ``ja-x-easy`` -> ``ja``."""
    return lang.split("-x-")[0]


def _babel_locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(base_language(lang), sep="-")
    except (ValueError, UnknownLocaleError):
        return None


class Translator:
    """The strings of one language, plus the few locale-aware formats the screens need."""

    def __init__(self, lang: str, translations: gettext.NullTranslations) -> None:
        self.lang = lang
        self._t = translations
        self._locale = _babel_locale(lang)

    def gettext(self, message: str) -> str:
        return self._t.gettext(message)

    def _(self, message: str) -> str:
        """Alias of gettext, so ``tr._("…")`` reads like the usual ``_()``."""
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._t.ngettext(singular, plural, n)

    def number(self, n: int) -> str:
        """An integer with this language's digit grouping (1,200 / 1.200 / 1 200)."""
        if self._locale is None:
            return f"{n:,}"
        return format_decimal(n, locale=self._locale)

    def date(self, day: date) -> str:
        """A day as this language writes it (2026年12月4日 / December 4, 2026)."""
        if self._locale is None:
            return day.isoformat()
        return format_date(day, format="long", locale=self._locale)

    def yen(self, amount: int) -> str:
        """An amount of money as this language writes yen (¥1,200 / 1,200円)."""
        return self.gettext("¥%(amount)s") % {"amount": self.number(amount)}

    def name(self, names: dict[str, str], fallback: str = "") -> str:
        """Pick a name given per language (municipalities): this language, else the Japanese
        name for readers of kanji (ja, zh), else English before Japanese, else any."""
        kanji = self.lang.split("-")[0] in (DEFAULT_LANGUAGE, "zh")
        order = (DEFAULT_LANGUAGE, "en") if kanji else ("en", DEFAULT_LANGUAGE)
        for key in (self.lang, base_language(self.lang), *order):
            if names.get(key):
                return names[key]
        return next((v for v in names.values() if v), fallback)


def _compile(path: Path) -> gettext.GNUTranslations:
    with path.open("rb") as fh:
        catalog = read_po(fh, domain=DOMAIN)
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def _translator(lang: str, root: Path) -> Translator:
    path = catalog_path(lang, root)
    translations = _compile(path) if path is not None else gettext.NullTranslations()
    return Translator(lang, translations)


def translator(lang: str = DEFAULT_LANGUAGE) -> Translator:
    """The cached translator of ``lang``; a language without a catalog shows the source strings."""
    return _translator(lang, locales_dir())
