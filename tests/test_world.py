"""The world file: the sample loads, and every kind of mistake is one error naming its field."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.center.protocol import Hours
from kiosk.lab.center import world as world_mod
from kiosk.lab.center.world import WorldError, check_digit, load_world, parse_world

SAMPLE = Path(world_mod.__file__).with_name("sample-world.toml")
SAMPLE_TEXT = SAMPLE.read_text("utf-8")


def variant(old: str, new: str) -> str:
    """The sample with the first ``old`` replaced by ``new``."""
    assert old in SAMPLE_TEXT, old
    return SAMPLE_TEXT.replace(old, new, 1)


def error_of(text: str) -> WorldError:
    with pytest.raises(WorldError) as info:
        parse_world(text, "test-world.toml")
    return info.value


# --- the sample ----------------------------------------------------------------------------------
def test_the_packaged_sample_loads() -> None:
    w = load_world()
    assert w.schema == 1
    assert [m.code for m in w.municipalities] == [
        "131130", "141305", "132047", "102016", "162108", "012025"]
    assert len(w.residents) == 11
    assert [k.id for k in w.kiosks] == ["store-0001", "office-0001"]
    assert w.center.store_commission == 117
    assert w.center.closed_days[0] == "12-29"


def test_the_packaged_sample_is_the_shared_one() -> None:
    shared = Path("/work/shared/world/sample-world.toml")
    if not shared.exists():
        pytest.skip("no shared world file on this machine")
    assert load_world(shared) == load_world(SAMPLE)


def test_lookups() -> None:
    w = load_world()
    taro = w.resident("r001")
    assert taro is not None and taro.name.kanji == "山田 太郎"
    assert taro.born_date == date(1980, 4, 1)
    assert taro.household[2].born_date == date(2012, 9, 30)
    assert taro.honseki is not None and taro.honseki.status == "registered"
    assert taro.residence is None and not taro.support_measures and not taro.moved_out
    assert w.resident("r003").residence.status == "技術・人文知識・国際業務"
    assert w.resident("r008").card.type == "juki"
    assert w.resident_by_user_id("NT00012345") is w.resident("r008")
    assert w.resident("r999") is None and w.resident_by_user_id("nobody") is None
    kawasaki = w.municipality("141305")
    assert kawasaki is not None and kawasaki.name["ja"] == "川崎市"
    koseki = next(c for c in kawasaki.certificates if c.type == "koseki-zenbu")
    assert koseki.hours == Hours("09:00", "17:00", weekdays_only=True)
    assert w.municipality("012025").max_copies == 0
    assert w.municipality("999999") is None
    assert w.kiosk("office-0001").hours.weekdays_only
    assert w.kiosk("store-0001").hours is None
    assert w.kiosk("nowhere") is None


def test_check_digit_agrees_with_every_sample_code() -> None:
    for code in ("131130", "141305", "132047", "102016", "162108", "012025"):
        assert check_digit(code[:5]) == int(code[5])


# --- one clear error per mistake -----------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "path", "words"), [
    pytest.param('id = "r004"\n', 'id = "r004"\nfavourite = "tea"\n',
                 "resident[3].favourite", "not a known key", id="unknown field"),
    pytest.param('pin = "1234", tries_left = 3', 'pin = "1234", tries_left = "3"',
                 "resident[0].card.tries_left", "whole number", id="wrong type"),
    pytest.param('pin = "0000"', 'pin = "00000"',
                 "resident[3].card.pin", "4 digits", id="pin of 5 digits"),
    pytest.param('code = "131130"', 'code = "131131"',
                 "municipality[0].code", "check digit", id="bad check digit"),
    pytest.param('code = "131130"', 'code = "13113"',
                 "municipality[0].code", "6 digits", id="short code"),
    pytest.param('municipality = "141305"\naddress = "神奈川県川崎市中原区',
                 'municipality = "271004"\naddress = "神奈川県川崎市中原区',
                 "resident[1].municipality", "271004", id="missing resident municipality"),
    pytest.param('honseki = { municipality = "102016"', 'honseki = { municipality = "271004"',
                 "resident[1].honseki.municipality", "271004", id="missing honseki"),
    pytest.param('status = "registered" }\nseal_registered = true\ntax_years = [2025]\n'
                 'card = { type = "mynumber", pin = "4321"',
                 'status = "maybe" }\nseal_registered = true\ntax_years = [2025]\n'
                 'card = { type = "mynumber", pin = "4321"',
                 # kiosk.schema names an optional table, not the field inside it
                 "resident[1].honseki", "must be one of", id="bad honseki status"),
    pytest.param('id = "r002"', 'id = "r001"', "resident[1].id", "used twice",
                 id="duplicate resident"),
    pytest.param('id = "office-0001"', 'id = "store-0001"', "kiosk[1].id", "used twice",
                 id="duplicate kiosk"),
    pytest.param('"12-31", "01-01"', '"12-32", "01-01"',
                 "center.closed_days[2]", "not a day", id="closed day not a day"),
    pytest.param('"12-29",', '"2025-12-29",',
                 "center.closed_days[0]", "MM-DD", id="closed day format"),
    pytest.param('{ type = "inkan",          fee = 200 },',
                 '{ type = "hanko",          fee = 200 },',
                 "municipality[0].certificates[2].type", "unknown certificate",
                 id="unknown certificate"),
    pytest.param('{ type = "inkan",          fee = 200 },',
                 '{ type = "inkan",          fee = 200, options = ["mynumber"] },',
                 "municipality[0].certificates[2].options[0]", "not an option",
                 id="option of another certificate"),
    pytest.param('{ type = "tax-income",     fee = 200, years = [2025, 2024] },',
                 '{ type = "tax-income",     fee = 200 },',
                 "municipality[0].certificates[3].years", "needs its years", id="tax years"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "6h30", close = "23:00" }\nmax_copies = 10',
                 "municipality[0].hours.open", "HH:MM", id="bad hours"),
    pytest.param('born = "1980-04-01"\nsex', 'born = "1980-13-01"\nsex',
                 "resident[0].born", "YYYY-MM-DD", id="bad birth date"),
    pytest.param('nationality = "VN"', 'nationality = "Vietnam"',
                 "resident[2].nationality", "2-letter", id="bad nationality"),
    pytest.param('user_id = "NT00012345", ', '', "resident[7].card.user_id", "user id",
                 id="juki card without user id"),
    pytest.param('cert = "revoked"', 'cert = "lost"',
                 "resident[4].card.cert", "must be one of", id="bad cert state"),
    # hours: HH:MM with two digits, within the day, open before close (issue 12, finding 8)
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "9:00", close = "23:00" }\nmax_copies = 10',
                 "municipality[0].hours.open", "HH:MM", id="hour of one digit"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "06:30", close = "23:60" }\nmax_copies = 10',
                 "municipality[0].hours.close", "HH:MM", id="minute 60"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "06:30", close = "24:30" }\nmax_copies = 10',
                 "municipality[0].hours.close", "HH:MM", id="hour 24 and more"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "24:00", close = "24:00" }\nmax_copies = 10',
                 "municipality[0].hours.open", "HH:MM", id="opening at 24:00"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "23:00", close = "06:30" }\nmax_copies = 10',
                 "municipality[0].hours.open", "before close", id="open after close"),
    pytest.param('hours = { open = "06:30", close = "23:00" }\nmax_copies = 10',
                 'hours = { open = "06:30", close = "06:30" }\nmax_copies = 10',
                 "municipality[0].hours.open", "before close", id="open at close"),
    pytest.param('hours = { open = "08:30", close = "17:15"',
                 'hours = { open = "18:30", close = "17:15"',
                 "kiosk[1].hours.open", "before close", id="office kiosk open after close"),
    pytest.param('fee = 450, hours = { open = "09:00"', 'fee = 450, hours = { open = "9:00"',
                 "municipality[1].certificates[4].hours.open", "HH:MM",
                 id="certificate hours"),
    # money and counts within bounds
    pytest.param('{ type = "juminhyo",       fee = 200,', '{ type = "juminhyo",       fee = '
                 '4611686018427387904,', "municipality[0].certificates[0].fee", "0 to 100000",
                 id="fee of 2^62"),
    pytest.param('{ type = "juminhyo",       fee = 200,', '{ type = "juminhyo",       fee = '
                 '100001,', "municipality[0].certificates[0].fee", "0 to 100000",
                 id="fee past the bound"),
    pytest.param('{ type = "juminhyo",       fee = 200,', '{ type = "juminhyo",       fee = -1,',
                 "municipality[0].certificates[0].fee", "0 to 100000", id="negative fee"),
    pytest.param("store_commission = 117", "store_commission = 4611686018427387904",
                 "center.store_commission", "0 to 100000", id="commission of 2^62"),
    pytest.param('close = "23:00" }\nmax_copies = 10', 'close = "23:00" }\nmax_copies = 100',
                 "municipality[0].max_copies", "0 to 99", id="max copies past the bound"),
    pytest.param("tax_years = [2025, 2024]", "tax_years = [4611686018427387904]",
                 "resident[0].tax_years[0]", "1900 to 2100", id="tax year past the bound"),
    pytest.param("years = [2025, 2024]", "years = [2025, -1]",
                 "municipality[0].certificates[3].years[1]", "1900 to 2100",
                 id="offered year past the bound"),
    # ids as ids, codes as codes
    pytest.param('id = "store-0001"', 'id = "../../x"', "kiosk[0].id", "an id",
                 id="kiosk id that climbs"),
    pytest.param('id = "store-0001"', 'id = "/tmp/x"', "kiosk[0].id", "an id",
                 id="kiosk id that is absolute"),
    pytest.param('id = "store-0001"', 'id = "Store-0001"', "kiosk[0].id", "an id",
                 id="kiosk id in capitals"),
    pytest.param('id = "store-0001"', 'id = ""', "kiosk[0].id", "an id", id="empty kiosk id"),
    pytest.param('id = "store-0001"', f'id = "{"s" * 33}"', "kiosk[0].id", "an id",
                 id="kiosk id too long"),
    pytest.param('id = "r004"', 'id = "../r004"', "resident[3].id", "an id",
                 id="resident id that climbs"),
    pytest.param('id = "r004"', 'id = "r 004"', "resident[3].id", "an id",
                 id="resident id with a space"),
    pytest.param('user_id = "NT00012345"', 'user_id = "../NT1"', "resident[7].card.user_id",
                 "capital letters and digits", id="card-AP user id not a code"),
    pytest.param('pin = "0000", tries_left = 0', 'pin = "0000", key = "dsa", tries_left = 0',
                 "resident[3].card.key", "must be one of", id="card key not rsa2048 nor p384"),
    pytest.param('pin = "0000", tries_left = 0', 'pin = "0000", atr = "3BZZ", tries_left = 0',
                 "resident[3].card.atr", "hex", id="atr not hex"),
    pytest.param('pin = "0000", tries_left = 0', 'pin = "0000", atr = "3B", tries_left = 0',
                 "resident[3].card.atr", "2 to 33 bytes", id="atr too short"),
    pytest.param('pin = "0000", tries_left = 0', f'pin = "0000", atr = "3B{"00" * 33}", '
                 'tries_left = 0', "resident[3].card.atr", "2 to 33 bytes", id="atr too long"),
    pytest.param('pin = "0000", tries_left = 0', 'pin = "0000", atr = "0011", tries_left = 0',
                 "resident[3].card.atr", "TS 3B or 3F", id="atr without TS"),
    pytest.param('type = "mynumber", pin = "0000"', 'type = "face-auth", pin = "0000"',
                 "resident[3].card.pin", "no usable PIN", id="face-auth card with a PIN"),
    pytest.param('type = "mynumber", pin = "0000",', 'type = "mynumber",',
                 "resident[3].card.pin", "4 digits", id="mynumber card without a PIN"),
    pytest.param("schema = 1", "schema = 2", "schema", "must be 1", id="other schema"),
    pytest.param("schema = 1", "", "schema", "is required", id="no schema"),
])
def test_a_mistake_is_one_error_naming_the_field(old: str, new: str, path: str,
                                                 words: str) -> None:
    exc = error_of(variant(old, new))
    assert exc.path.startswith(path)
    assert words in exc.message
    assert str(exc).startswith(f"test-world.toml: {exc.path}: ")


def test_hours_compare_as_times() -> None:
    from datetime import datetime

    from kiosk.lab.center.rules import covers

    office = Hours("08:30", "17:15")
    assert covers(office, datetime(2026, 11, 20, 10, 0))  # "10:00" < "8:30" as text
    assert not covers(office, datetime(2026, 11, 20, 17, 15))
    assert not covers(office, datetime(2026, 11, 20, 8, 29))
    day = Hours("00:00", "24:00")  # the whole day: 24:00 ends it
    day.check()
    assert covers(day, datetime(2026, 11, 20, 23, 59)) and covers(day, datetime(2026, 11, 20, 0))


@pytest.mark.parametrize("open_, close", [("9:00", "17:00"), ("09:00", "7:00"),
                                          ("０９:００", "17:00"), ("09:00", "17:00:00"),
                                          ("17:00", "09:00"), ("-1:00", "17:00")])
def test_hours_refuse_what_is_not_a_time(open_: str, close: str) -> None:
    from kiosk import schema

    with pytest.raises(schema.SchemaError):
        Hours(open_, close).check()


def test_an_error_does_not_show_the_pin() -> None:
    exc = error_of(variant('pin = "0000"', 'pin = "12a4"'))
    assert "12a4" not in str(exc)


def test_a_toml_syntax_error_names_the_file_and_line() -> None:
    lines = SAMPLE_TEXT.splitlines()
    number = lines.index('id = "r005"') + 1
    lines[number - 1] = 'id = "r005'
    exc = error_of("\n".join(lines))
    assert exc.line == number
    assert str(exc).startswith(f"test-world.toml: line {number}: not valid TOML")


def test_load_world_names_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(variant('code = "131130"', 'code = "131131"'), "utf-8")
    with pytest.raises(WorldError, match=r"broken\.toml: municipality\[0\]\.code: "):
        load_world(broken)
    with pytest.raises(WorldError, match="cannot be read"):
        load_world(tmp_path / "absent.toml")
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe")
    with pytest.raises(WorldError, match="not UTF-8"):
        load_world(binary)


def test_a_world_error_is_a_schema_error() -> None:
    from kiosk import schema

    assert issubclass(WorldError, schema.SchemaError)
