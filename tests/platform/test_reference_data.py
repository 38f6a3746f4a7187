"""Countries, missions and cities: the reference data every domain reads."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kieubao.platform import countries, gazetteer
from kieubao.platform.missions_data import load_mission_seed


def test_countries_by_code_and_name_in_both_languages() -> None:
    assert countries.normalize_country("jp") == "JP"
    assert countries.normalize_country("Nhật Bản") == "JP"
    assert countries.normalize_country("nhat ban") == "JP"
    assert countries.normalize_country("South Korea") == "KR"
    assert countries.normalize_country("Đài Loan") == "TW"
    assert countries.normalize_country("Atlantis") is None
    assert len(countries.all_countries()) >= 249


@given(st.sampled_from([c.code for c in countries.all_countries()]))
def test_every_country_is_found_by_its_own_names(code: str) -> None:
    country = countries.get(code)
    assert country is not None
    assert countries.normalize_country(country.name_en) == code or country.name_en in {"Georgia"}
    assert countries.normalize_country(country.name_vi.upper()) in {
        code,
        countries.normalize_country(country.name_vi),
    }


def test_missions_are_viet_nams_real_network() -> None:
    seeds = load_mission_seed()
    assert len(seeds) >= 40
    for seed in seeds:
        assert all(countries.is_valid(c) for c in seed.jurisdiction), seed.code
    # One embassy or office answers for the rest of each country: never two.
    whole: dict[str, str] = {}
    for seed in seeds:
        for country in seed.jurisdiction:
            if seed.city_jurisdiction and country == seed.country:
                continue
            assert country not in whole, f"{country}: {whole.get(country)} and {seed.code}"
            whole[country] = seed.code
    for country in ("JP", "KR", "TW", "US", "AU", "DE", "FR", "CZ", "RU", "LA", "KH", "TH", "MY"):
        assert country in whole


@pytest.mark.parametrize(
    ("country", "city", "mission"),
    [
        ("JP", "Osaka", "JP-OSA-CG"),
        ("JP", "Kobe", "JP-OSA-CG"),
        ("JP", "Fukuoka", "JP-FUK-CG"),
        ("JP", "Sapporo", "JP-TYO-EMB"),
        ("KR", "Busan", "KR-PUS-CG"),
        ("KR", "Seoul", "KR-SEL-EMB"),
        ("US", "San Jose", "US-SFO-CG"),
        ("US", "Houston", "US-HOU-CG"),
        ("US", "Boston", "US-WAS-EMB"),
        ("DE", "München", "DE-FRA-CG"),
        ("DE", "Leipzig", "DE-BER-EMB"),
        ("LA", "Vientiane", "LA-VTE-EMB"),
        ("TW", "Kaohsiung", "TW-KHH-RO"),
        ("MO", None, "CN-HKG-CG"),
        ("NP", None, "IN-DEL-EMB"),
    ],
)
def test_the_mission_with_jurisdiction(
    session: object, country: str, city: str | None, mission: str
) -> None:
    from kieubao.platform.missions import directory

    assert directory(session).for_place(country, city) == mission  # type: ignore[arg-type]


def test_the_gazetteer_knows_the_cities_of_the_diaspora() -> None:
    osaka = gazetteer.geocode("JP", "ōsaka")
    assert osaka is not None and osaka.latitude == pytest.approx(34.69, abs=0.05)
    assert gazetteer.geocode("TW", "Đài Bắc") == gazetteer.geocode("TW", "Taipei")
    assert gazetteer.geocode("XX", "Nowhere") is None
    assert gazetteer.distance_km(35.68, 139.69, 34.69, 135.50) == pytest.approx(397, abs=5)
