"""Countries: every ISO code, Vietnamese names as MOFA writes them, names typed any way."""

import json
import unicodedata
from collections.abc import Callable
from importlib.resources import files

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform import countries, i18n
from kieubao.platform.text import fold

CODES = sorted(c.code for c in countries.all_countries())


def _bare(text: str) -> str:
    """What a keyboard without Vietnamese input produces: no tones, no marks, đ as d."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def test_every_iso_3166_country_and_nothing_withdrawn() -> None:
    assert len(CODES) == 249
    assert {"JP", "KR", "TW", "HK", "MO", "PS", "SS", "CW"} <= set(CODES)
    assert not {"AN", "CS", "YU", "XK"} & set(CODES)


@pytest.mark.parametrize(
    ("code", "vi"),
    [
        ("JP", "Nhật Bản"),
        ("KR", "Hàn Quốc"),
        ("KP", "Triều Tiên"),
        ("TW", "Đài Loan (Trung Quốc)"),
        ("HK", "Hồng Kông (Trung Quốc)"),
        ("DE", "Đức"),
        ("US", "Hoa Kỳ"),
        ("GB", "Vương quốc Anh"),
        ("CZ", "Séc"),
        ("RU", "Nga"),
        ("AU", "Australia"),
        ("SA", "Ả Rập Xê Út"),
        ("AE", "Các Tiểu vương quốc Ả Rập Thống nhất"),
        ("LA", "Lào"),
        ("KH", "Campuchia"),
        ("VN", "Việt Nam"),
    ],
)
def test_vietnamese_names(code: str, vi: str) -> None:
    country = countries.get(code)
    assert country is not None
    assert country.name_vi == vi


def test_names_are_stored_nfc_and_trimmed() -> None:
    for country in countries.all_countries():
        for name in (country.name_en, country.name_vi):
            assert name == unicodedata.normalize("NFC", name) == name.strip(), country


def test_no_two_countries_share_a_folded_name() -> None:
    owners: dict[str, str] = {}
    raw = json.loads((files("kieubao.platform") / "data" / "countries.json").read_text("utf-8"))
    named = [(c.code, n) for c in countries.all_countries() for n in (c.name_en, c.name_vi)]
    for code, name in [*named, *((code, alias) for alias, code in raw["aliases"].items())]:
        owner = owners.setdefault(fold(name), code)
        assert owner == code, f"{name}: {code} and {owner}"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("jp", "JP"),
        (" Kr ", "KR"),
        ("Nhat Ban", "JP"),
        ("nhật bản", "JP"),
        ("NHẬT   BẢN", "JP"),
        ("Japan", "JP"),
        ("USA", "US"),
        ("Mỹ", "US"),
        ("my", "MY"),
        ("UK", "GB"),
        ("England", "GB"),
        ("Korea", "KR"),
        ("South Korea", "KR"),
        ("North Korea", "KP"),
        ("Czech Republic", "CZ"),
        ("Cộng hòa Séc", "CZ"),
        ("Russia", "RU"),
        ("Liên bang Nga", "RU"),
        ("Taiwan", "TW"),
        ("Dai Loan", "TW"),
        ("Úc", "AU"),
        ("Áo", "AT"),
        ("ao", "AO"),
        ("Turkey", "TR"),
        ("Vietnam", "VN"),
        ("Hong Kong", "HK"),
        ("Macau", "MO"),
        ("Burma", "MM"),
        ("UAE", "AE"),
        ("Ả-rập Xê-út", "SA"),
    ],
)
def test_normalize_country(text: str, code: str) -> None:
    assert countries.normalize_country(text) == code


@pytest.mark.parametrize("text", ["", "  ", "XX", "Atlantis", "Yugoslavia", "Nhật Bản Quốc Tế"])
def test_unknown_countries_are_none(text: str) -> None:
    assert countries.normalize_country(text) is None


@given(
    code=st.sampled_from(CODES),
    english=st.booleans(),
    bare=st.booleans(),
    case=st.sampled_from([str.upper, str.lower, str.title, str]),
    pad=st.text(alphabet=" \t", max_size=3),
)
def test_names_are_found_however_they_are_typed(
    code: str, english: bool, bare: bool, case: Callable[[str], str], pad: str
) -> None:
    country = countries.get(code)
    assert country is not None
    name = country.name_en if english else country.name_vi
    typed = _bare(name) if bare else name
    typed = case(typed)
    typed = pad + typed.replace(" ", " " + pad) + pad
    # Two plain letters are a code first ("ao" is Angola, "Áo" is Austria).
    if len(typed.strip()) == 2 and typed.strip().isascii():
        return
    assert countries.normalize_country(typed) == code


@given(st.text(max_size=30))
def test_normalize_country_never_fails_and_answers_a_known_code(text: str) -> None:
    found = countries.normalize_country(text)
    assert found is None or countries.is_valid(found)


def test_codes_in_any_case() -> None:
    assert countries.is_valid("de") and countries.is_valid("DE")
    assert countries.get("de") == countries.get("DE")
    assert countries.get("zz") is None and not countries.is_valid("zz")


def test_all_countries_sorted_in_the_viewers_language() -> None:
    token = i18n.current_locale.set("vi")
    try:
        vi = [fold(c.name_vi) for c in countries.all_countries()]
        assert vi == sorted(vi)
        assert countries.display_name("DE") == "Đức"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("en")
    try:
        en = [fold(c.name_en) for c in countries.all_countries()]
        assert en == sorted(en)
        assert countries.display_name("DE") == "Germany"
        assert countries.display_name("ZZ") == "ZZ"
    finally:
        i18n.current_locale.reset(token)
