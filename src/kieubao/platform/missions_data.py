"""Viet Nam's missions abroad as bundled data: where they sit and what they answer for."""

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files


@dataclass(frozen=True)
class MissionSeed:
    code: str
    kind: str  # embassy, consulate_general, representative_office, permanent_mission
    name_vi: str
    name_en: str
    city: str
    country: str
    jurisdiction: list[str]
    # Cities and regions of the host country that a consulate covers; empty for the rest.
    city_jurisdiction: list[str]
    address: str
    phone: str
    email: str
    hotline: str
    latitude: float
    longitude: float


@cache
def load_mission_seed() -> list[MissionSeed]:
    raw = json.loads((files("kieubao.platform") / "data" / "missions_seed.json").read_text("utf-8"))
    return [MissionSeed(**mission) for mission in raw["missions"]]
