"""The offline gazetteer: cities found however their names are typed, fast."""

import json
from importlib.resources import files
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kieubao.platform import countries, gazetteer
from kieubao.platform.text import fold

CODES = [c.code for c in countries.all_countries()]


def test_geocode_osaka() -> None:
    osaka = gazetteer.geocode("JP", "osaka")
    assert osaka is not None
    assert osaka.name == "Osaka"
    assert osaka.latitude == pytest.approx(34.69, abs=0.05)
    assert osaka.longitude == pytest.approx(135.50, abs=0.05)
    assert osaka.population > 2_000_000


@pytest.mark.parametrize(
    ("country", "typed", "canonical"),
    [
        ("JP", "Tokyo", "Tokyo"),
        ("JP", "Tōkyō", "Tokyo"),
        ("JP", "  TOKYO ", "Tokyo"),
        ("JP", "東京", "Tokyo"),
        ("KR", "Xơ-un", "Seoul"),
        ("KR", "xo un", "Seoul"),
        ("TW", "Đài Bắc", "Taipei"),
        ("TW", "dai bac", "Taipei"),
        ("CN", "Bắc Kinh", "Beijing"),
        ("RU", "Mát-xcơ-va", "Moscow"),
        ("GB", "Luân Đôn", "London"),
        ("FR", "Pa-ri", "Paris"),
        ("CZ", "Praha", "Prague"),
        ("CZ", "Prague", "Prague"),
        ("DE", "München", "Munich"),
        ("DE", "Muenchen", "Munich"),
        ("VN", "Hà Nội", "Hanoi"),
        ("de", "Cologne", "Köln"),
    ],
)
def test_names_people_type(country: str, typed: str, canonical: str) -> None:
    city = gazetteer.geocode(country, typed)
    assert city is not None
    assert city.name == canonical


def test_the_most_populous_city_of_a_shared_name_wins() -> None:
    frankfurt = gazetteer.geocode("DE", "Frankfurt")
    assert frankfurt is not None and frankfurt.name == "Frankfurt am Main"
    washington = gazetteer.geocode("US", "Washington")
    assert washington is not None and washington.admin1 == "DC"


@pytest.mark.parametrize(
    ("country", "city"), [("XX", "foo"), ("JP", "Nowhere-on-Sea"), ("JP", ""), ("", "Osaka")]
)
def test_unknown_places_are_none(country: str, city: str) -> None:
    assert gazetteer.geocode(country, city) is None


def test_every_alias_points_at_a_known_city() -> None:
    aliases = json.loads((files("kieubao.platform") / "data" / "city_aliases.json").read_text())
    for country, names in aliases.items():
        for alias, canonical in names.items():
            city = gazetteer.geocode(country, canonical)
            assert city is not None, canonical
            assert gazetteer.geocode(country, alias) == city, alias


def test_cities_in_a_country_most_populous_first() -> None:
    cities = gazetteer.cities_in("jp")
    assert cities[0].name == "Tokyo"
    assert len(cities) > 500
    assert all(c.country == "JP" for c in cities)
    populations = [c.population for c in cities]
    assert populations == sorted(populations, reverse=True)
    assert gazetteer.cities_in("XX") == []


@pytest.mark.parametrize(
    ("lat", "lon", "name"),
    [(35.69, 139.69, "Tokyo"), (34.694, 135.501, "Osaka"), (-33.87, 151.21, "Sydney")],
)
def test_nearest_city(lat: float, lon: float, name: str) -> None:
    city = gazetteer.nearest_city(lat, lon)
    assert city is not None and city.name == name


@settings(max_examples=25, deadline=None)
@given(
    lat=st.floats(min_value=-89.9, max_value=89.9),
    lon=st.floats(min_value=-180, max_value=180, exclude_max=True),
)
def test_nearest_city_is_the_nearest_of_all(lat: float, lon: float) -> None:
    every = [c for country in CODES for c in gazetteer.cities_in(country)]
    found = gazetteer.nearest_city(lat, lon)
    assert found is not None
    best = min(gazetteer.distance_km(lat, lon, c.latitude, c.longitude) for c in every)
    assert gazetteer.distance_km(lat, lon, found.latitude, found.longitude) <= best + 1e-6


def test_distance() -> None:
    assert gazetteer.distance_km(35.68, 139.69, 34.69, 135.50) == pytest.approx(397, abs=5)
    assert gazetteer.distance_km(0, 0, 0, 180) == pytest.approx(20015, abs=5)
    assert gazetteer.distance_km(10, 20, 10, 20) == 0


def test_built_once_and_then_only_read(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[Path] = []
    cities = gazetteer._cities_file
    monkeypatch.setattr(gazetteer, "_cities_file", lambda: reads.append(cities()) or reads[-1])
    gazetteer._index.cache_clear()
    gazetteer.geocode("JP", "Osaka")
    for _ in range(100):
        gazetteer.geocode("VN", "Thành phố Hồ Chí Minh")
    assert len(reads) == 1


@given(st.text(max_size=40) | st.from_regex(r"[A-Za-z0-9 _.,'()-]{0,40}", fullmatch=True))
def test_the_quick_fold_folds_like_text_fold(text: str) -> None:
    assert gazetteer._fold_name(text) == fold(text)
