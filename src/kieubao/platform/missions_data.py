"""Viet Nam's missions abroad as bundled data: where they sit and what they answer for.

A mission answers for the countries in its ``jurisdiction``. A consulate general answers
only for part of the country where it sits: the regions and cities in its
``city_jurisdiction``, together with every other city of the same first-level region
(state, province, prefecture) as one of them. The rest of that country belongs to the
mission that covers it whole, usually the embassy.
"""

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.resources import files
from typing import Any, Literal, get_args

from kieubao.platform import gazetteer
from kieubao.platform.countries import normalize_country
from kieubao.platform.lazy import once
from kieubao.platform.text import fold

MissionKind = Literal["embassy", "consulate_general", "permanent_mission", "representative_office"]


@dataclass(frozen=True, slots=True)
class MissionSeed:
    code: str
    kind: MissionKind
    name_vi: str
    name_en: str
    city: str
    country: str  # alpha-2 of the country where the mission sits
    jurisdiction: list[str]  # alpha-2 codes; empty for missions to international organizations
    # Regions and cities of the seat country that a consulate covers; empty otherwise.
    city_jurisdiction: list[str]
    address: str
    phone: str
    email: str
    hotline: str  # the citizen-protection (bảo hộ công dân) hotline
    latitude: float
    longitude: float

    def covers_whole(self, country: str) -> bool:
        """True when the mission answers for all of the country, not a part of it."""
        narrowed = country == self.country and bool(self.city_jurisdiction)
        return country in self.jurisdiction and not narrowed


@once
def load_mission_seed() -> list[MissionSeed]:
    text = (files("kieubao.platform") / "data" / "missions_seed.json").read_text("utf-8")
    return [_seed(raw) for raw in json.loads(text)["missions"]]


def _seed(raw: dict[str, Any]) -> MissionSeed:
    if raw["kind"] not in get_args(MissionKind):
        raise ValueError(f"mission {raw['code']}: unknown kind {raw['kind']!r}")
    return MissionSeed(
        code=raw["code"],
        kind=raw["kind"],
        name_vi=raw["name_vi"],
        name_en=raw["name_en"],
        city=raw["city"],
        country=raw["country"],
        jurisdiction=list(raw["jurisdiction"]),
        city_jurisdiction=list(raw["city_jurisdiction"]),
        address=raw["address"],
        phone=raw["phone"],
        email=raw["email"],
        hotline=raw["hotline"],
        latitude=float(raw["latitude"]),
        longitude=float(raw["longitude"]),
    )


@dataclass(frozen=True, slots=True)
class MissionDirectory:
    """Jurisdiction held in memory: an import asks it once per row."""

    whole: dict[str, str]  # country -> the mission answering for all of it (or the rest of it)
    by_place: dict[tuple[str, str], str]  # (country, folded region or city) -> consulate
    by_region: dict[tuple[str, str], str]  # (country, GeoNames admin1 code) -> consulate

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, Sequence[str]]]) -> "MissionDirectory":
        """From (mission code, country, places) rows; no places means the whole country."""
        whole: dict[str, str] = {}
        by_place: dict[tuple[str, str], str] = {}
        by_region: dict[tuple[str, str], str] = {}
        for code, country, places in rows:
            if not places:
                whole.setdefault(country, code)
            for place in places:
                by_place.setdefault((country, fold(place)), code)
                if (city := gazetteer.geocode(country, place)) is not None:
                    by_region.setdefault((country, city.admin1), code)
        return cls(whole, by_place, by_region)

    def for_place(self, country: str, city: str | None) -> str | None:
        """The mission for an alpha-2 country and a city, or None if there is none.

        Within a country split between missions, a consulate whose list names the city
        (or its region) wins, then a consulate covering the city's region; otherwise the
        mission covering the whole country.
        """
        if city and (found := self.by_place.get((country, fold(city)))):
            return found
        if city and self.by_region:
            place = gazetteer.geocode(country, city)
            if place is not None and (found := self.by_region.get((country, place.admin1))):
                return found
        return self.whole.get(country)


@once
def seed_directory() -> MissionDirectory:
    return MissionDirectory.build(
        (seed.code, country, seed.city_jurisdiction if country == seed.country else [])
        for seed in load_mission_seed()
        for country in seed.jurisdiction
    )


def mission_for(country: str, city: str | None = None) -> str | None:
    """The code of the bundled mission with jurisdiction over a place, or None.

    ``country`` is a code or a name in English or Vietnamese.
    """
    code = normalize_country(country)
    return None if code is None else seed_directory().for_place(code, city)
