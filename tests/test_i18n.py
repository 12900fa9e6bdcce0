"""Catalogs: loading, fallback, and a complete Japanese translation of every string shown."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kiosk import i18n
from kiosk.i18n import N_, available_languages, translator
from kiosk.vocabulary.reasons import Reason
from kiosk.vocabulary.view import LANGUAGES
from screens import texts

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "locales"


def used_msgids() -> set[str | tuple[str, str]]:
    """Every msgid the code marks (``_``, ``gettext``, ``ngettext``, ``N_``), as Babel sees it."""
    ids: set[str | tuple[str, str]] = set()
    for folder in ("screens", "kiosk"):
        for _file, _line, message, _comments, _ctx in extract_from_dir(ROOT / folder):
            ids.add(message if isinstance(message, str) else (message[0], message[1]))
    return ids


def catalog(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh)


def ids_of(cat: Catalog) -> set[str | tuple[str, str]]:
    return {m.id if isinstance(m.id, str) else tuple(m.id) for m in cat if m.id}


def test_japanese_is_the_default_and_translates() -> None:
    tr = translator()
    assert tr.lang == "ja"
    assert tr.gettext("Cancel") == "中止"
    assert tr._("Please remove your card.") == "カードをお取りください。"
    assert tr.ngettext("%(n)d copy", "%(n)d copies", 3) % {"n": 3} == "3通"
    assert translator("ja") is tr  # cached


def test_english_shows_the_source_strings_with_english_plurals() -> None:
    tr = translator("en")
    assert tr.gettext("Cancel") == "Cancel"
    assert tr.ngettext("%(n)d try left", "%(n)d tries left", 1) == "%(n)d try left"
    assert tr.ngettext("%(n)d try left", "%(n)d tries left", 2) == "%(n)d tries left"


def test_a_language_without_catalog_falls_back_to_the_source_strings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KIOSK_LOCALES", str(tmp_path))
    tr = translator("th")
    assert tr.lang == "th"
    assert tr._("Cancel") == "Cancel"
    assert tr.ngettext("%(n)d copy", "%(n)d copies", 2) == "%(n)d copies"


def test_money_and_names() -> None:
    assert translator("ja").yen(1200) == "1,200円"
    assert translator("en").yen(1200) == "¥1,200"
    names = {"ja": "渋谷区", "en": "Shibuya City"}
    assert translator("en").name(names) == "Shibuya City"
    assert translator("ko").name(names) == "Shibuya City"  # no Korean name: the English one
    assert translator("zh-Hans").name(names) == "渋谷区"  # kanji readers: the Japanese one
    assert translator("en").name({}, fallback="131130") == "131130"
    assert N_("Cancel") == "Cancel"


def test_only_languages_with_a_catalog_are_offered() -> None:
    langs = available_languages()
    assert langs[0] == "ja" and "en" in langs
    assert set(langs) <= set(i18n.OFFERED) == {*LANGUAGES, "ja-x-easy"}
    assert list(langs) == [lang for lang in i18n.OFFERED if lang in langs]


def test_easy_japanese_is_japanese_for_numbers_names_and_fonts() -> None:
    from screens.fonts import script_of

    tr = translator("ja-x-easy")
    assert tr.number(1200) == "1,200"
    assert tr.name({"ja": "渋谷区", "en": "Shibuya City"}) == "渋谷区"
    assert i18n.base_language("ja-x-easy") == "ja" and script_of("ja-x-easy") == "cjk"
    assert texts.LANGUAGE_NAMES["ja-x-easy"] == "やさしい日本語"


def test_catalogs_are_found_by_env_and_by_bcp47_or_underscore_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for folder in ("ja", "zh_Hant"):
        po = tmp_path / folder / "LC_MESSAGES" / "kiosk.po"
        po.parent.mkdir(parents=True)
        po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
                      f'msgid "Cancel"\nmsgstr "{folder}-cancel"\n', encoding="utf-8")
    monkeypatch.setenv("KIOSK_LOCALES", str(tmp_path))
    assert i18n.locales_dir() == tmp_path
    assert available_languages() == ("ja", "zh-Hant")
    assert translator("zh-Hant").gettext("Cancel") == "zh_Hant-cancel"


def test_the_template_is_up_to_date_with_the_code() -> None:
    assert ids_of(catalog(LOCALES / "kiosk.pot")) == used_msgids()


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_each_catalog_has_every_msgid_and_consistent_placeholders(lang: str) -> None:
    cat = catalog(LOCALES / lang / "LC_MESSAGES" / "kiosk.po")
    assert ids_of(cat) == used_msgids()
    problems = [(m.id, [str(e) for e in errors]) for m, errors in cat.check()]
    assert not problems


def test_japanese_translates_every_msgid_used() -> None:
    cat = catalog(LOCALES / "ja" / "LC_MESSAGES" / "kiosk.po")
    untranslated = [m.id for m in cat if m.id and (
        not m.string or (not isinstance(m.string, str) and not all(m.string)))]
    assert not untranslated
    assert not [m.id for m in cat if m.id and m.fuzzy]


def test_every_reason_code_has_a_message_and_what_to_do() -> None:
    for code in Reason:
        what, todo = texts.reason(translator("ja"), str(code))
        assert what and todo and (what, todo) != texts.reason(translator("ja"), None), code


def test_every_certificate_type_and_option_of_the_sample_world_has_a_name() -> None:
    world = tomllib.loads((ROOT / "kiosk/lab/center/sample-world.toml").read_text())
    tr = translator("ja")
    for muni in world["municipality"]:
        for cert in muni["certificates"]:
            assert texts.certificate_name(tr, cert["type"]) != cert["type"]
            for key in cert.get("options", []):
                assert texts.option_name(tr, key) != key
    assert texts.option_name(tr, "year") == "年度"
    assert texts.option_value(tr, "household", "all") == "世帯全員"
    assert texts.option_value(tr, "mynumber", False) == "記載しない"
    assert texts.option_value(tr, "year", 2025) == "2025年度"


def test_a_name_falls_back_to_english_for_readers_of_other_languages() -> None:
    from kiosk.i18n import translator

    names = {"ja": "渋谷区", "en": "Shibuya City"}
    assert translator("th").name(names) == "Shibuya City"
    assert translator("ja-x-easy").name(names) == "渋谷区"
    assert translator("en").name(names) == "Shibuya City"
