"""Viet Nam's missions abroad and which of them answers for a place."""

import unicodedata
from collections import Counter

import pytest

from kieubao.platform import countries, gazetteer
from kieubao.platform.missions_data import MissionSeed, load_mission_seed, mission_for

SEEDS = load_mission_seed()
BY_CODE = {seed.code: seed for seed in SEEDS}


def test_the_network_is_real_and_large() -> None:
    assert len(SEEDS) >= 40
    kinds = Counter(seed.kind for seed in SEEDS)
    assert kinds["embassy"] >= 60 and kinds["consulate_general"] >= 20
    assert kinds["permanent_mission"] == 4 and kinds["representative_office"] == 1


def test_codes_are_unique_and_start_with_the_seat_country() -> None:
    assert len(BY_CODE) == len(SEEDS)
    for seed in SEEDS:
        assert seed.code.startswith(seed.country + "-"), seed.code
        assert len(seed.code) <= 20  # the column's width


def test_every_country_named_is_a_valid_code() -> None:
    for seed in SEEDS:
        assert countries.is_valid(seed.country), seed.code
        for country in seed.jurisdiction:
            assert countries.is_valid(country), (seed.code, country)
        assert len(set(seed.jurisdiction)) == len(seed.jurisdiction), seed.code


def test_fields_are_well_formed() -> None:
    for seed in SEEDS:
        for text in (seed.name_vi, seed.name_en, seed.city, *seed.city_jurisdiction):
            assert text and text == unicodedata.normalize("NFC", text) == text.strip(), seed.code
        assert -90 <= seed.latitude <= 90 and -180 <= seed.longitude <= 180
        assert "@" in seed.email or not seed.email
        if seed.kind == "embassy":
            assert seed.country in seed.jurisdiction and not seed.city_jurisdiction
            assert seed.name_vi.startswith("Đại sứ quán Việt Nam tại ")
        if seed.kind == "consulate_general":
            assert seed.country in seed.jurisdiction
            assert seed.name_vi.startswith("Tổng Lãnh sự quán Việt Nam tại ")
        if seed.kind == "permanent_mission":
            assert seed.jurisdiction == [] and not seed.city_jurisdiction


def test_a_mission_sits_near_its_city() -> None:
    for seed in SEEDS:
        city = gazetteer.nearest_city(seed.latitude, seed.longitude)
        assert city is not None and city.country == seed.country, seed.code


def test_no_country_is_covered_whole_by_two_missions() -> None:
    whole: dict[str, str] = {}
    for seed in SEEDS:
        for country in seed.jurisdiction:
            if seed.covers_whole(country):
                assert country not in whole, f"{country}: {whole.get(country)} and {seed.code}"
                whole[country] = seed.code


def test_a_country_split_between_missions_still_has_one_for_the_rest() -> None:
    for seed in SEEDS:
        if seed.city_jurisdiction:
            assert mission_for(seed.country) not in (None, seed.code), seed.code


def test_no_region_belongs_to_two_consulates() -> None:
    owners: dict[tuple[str, str], str] = {}
    for seed in SEEDS:
        for place in seed.city_jurisdiction:
            city = gazetteer.geocode(seed.country, place)
            if city is not None:
                key = (seed.country, city.admin1)
                owner = owners.setdefault(key, seed.code)
                assert owner == seed.code, f"{place} ({city.name}): {owner} and {seed.code}"


@pytest.mark.parametrize(
    "country",
    # Where Vietnamese citizens live, study and work in numbers.
    (
        "US AU CA FR DE GB JP KR TW CZ PL RU UA SK HU KH LA TH MY SG ID PH CN HK MO SA AE QA KW "
        "IL RO BG DZ AO MZ ZA NL BE CH AT IT ES PT SE NO DK FI NZ IN CY IE MN BN MM TL UZ KZ BY "
        "LT MD"
    ).split(),
)
def test_countries_with_vietnamese_communities_have_a_mission(country: str) -> None:
    assert mission_for(country) in BY_CODE


PLACES = [
    ("JP", "Osaka", "JP-OSA-CG"),
    ("JP", "Ōsaka", "JP-OSA-CG"),
    ("JP", "Kobe", "JP-OSA-CG"),
    ("JP", "Kyoto", "JP-OSA-CG"),
    ("JP", "Hiroshima", "JP-OSA-CG"),
    ("JP", "Hyogo", "JP-OSA-CG"),
    ("JP", "Fukuoka", "JP-FUK-CG"),
    ("JP", "Naha", "JP-FUK-CG"),
    ("JP", "Tokyo", "JP-TYO-EMB"),
    ("JP", "Sapporo", "JP-TYO-EMB"),
    ("JP", "Nagoya", "JP-TYO-EMB"),
    ("JP", None, "JP-TYO-EMB"),
    ("KR", "Busan", "KR-PUS-CG"),
    ("KR", "Ulsan", "KR-PUS-CG"),
    ("KR", "Seoul", "KR-SEL-EMB"),
    ("US", "San Jose", "US-SFO-CG"),
    ("US", "Garden Grove", "US-SFO-CG"),
    ("US", "Seattle", "US-SFO-CG"),
    ("US", "Houston", "US-HOU-CG"),
    ("US", "Dallas", "US-HOU-CG"),
    ("US", "Boston", "US-WAS-EMB"),
    ("US", "Washington", "US-WAS-EMB"),
    ("DE", "München", "DE-FRA-CG"),
    ("DE", "Frankfurt", "DE-FRA-CG"),
    ("DE", "Leipzig", "DE-BER-EMB"),
    ("DE", "Berlin", "DE-BER-EMB"),
    ("AU", "Sydney", "AU-SYD-CG"),
    ("AU", "Brisbane", "AU-SYD-CG"),
    ("AU", "Perth", "AU-PER-CG"),
    ("AU", "Melbourne", "AU-CBR-EMB"),
    ("RU", "Vladivostok", "RU-VVO-CG"),
    ("RU", "Yekaterinburg", "RU-YEK-CG"),
    ("RU", "Saint Petersburg", "RU-MOW-EMB"),
    ("CN", "Shenzhen", "CN-CAN-CG"),
    ("CN", "Nanning", "CN-NNG-CG"),
    ("CN", "Kunming", "CN-KMG-CG"),
    ("CN", "Hangzhou", "CN-SHA-CG"),
    ("CN", "Chengdu", "CN-CKG-CG"),
    ("CN", "Wuhan", "CN-PEK-EMB"),
    ("AE", "Sharjah", "AE-DXB-CG"),
    ("AE", "Abu Dhabi", "AE-AUH-EMB"),
    ("IN", "Pune", "IN-BOM-CG"),
    ("IN", "Kolkata", "IN-DEL-EMB"),
    ("LA", "Vientiane", "LA-VTE-EMB"),
    ("LA", "Pakse", "LA-PKZ-CG"),
    ("LA", "Luang Prabang", "LA-LPQ-CG"),
    ("KH", "Siem Reap", "KH-BBM-CG"),
    ("KH", "Phnom Penh", "KH-PNH-EMB"),
    ("TH", "Udon Thani", "TH-KKN-CG"),
    ("TH", "Chiang Mai", "TH-BKK-EMB"),
    ("CA", "Calgary", "CA-YVR-CG"),
    ("CA", "Toronto", "CA-OTT-EMB"),
    ("TW", "Kaohsiung", "TW-TPE-RO"),
    ("HK", None, "HK-HKG-CG"),
    ("MO", None, "HK-HKG-CG"),
    ("NP", None, "IN-DEL-EMB"),
    ("PE", None, "BR-BSB-EMB"),
    ("UZ", "Tashkent", "RU-MOW-EMB"),
    ("Nhat Ban", "osaka", "JP-OSA-CG"),
    ("Hàn Quốc", "Ulsan", "KR-PUS-CG"),
]


@pytest.mark.parametrize(("country", "city", "mission"), PLACES)
def test_the_mission_with_jurisdiction(country: str, city: str | None, mission: str) -> None:
    assert mission_for(country, city) == mission


@pytest.mark.parametrize(("country", "city"), [("XX", None), ("Atlantis", "Osaka"), ("AQ", None)])
def test_no_mission(country: str, city: str | None) -> None:
    assert mission_for(country, city) is None


def test_permanent_missions_answer_for_no_place() -> None:
    assert BY_CODE["US-NYC-PM"].kind == "permanent_mission"
    assert mission_for("US", "New York") == "US-WAS-EMB"


def test_seeds_are_frozen() -> None:
    seed: MissionSeed = BY_CODE["JP-TYO-EMB"]
    with pytest.raises(AttributeError):
        seed.code = "JP-XXX-EMB"  # type: ignore[misc]
