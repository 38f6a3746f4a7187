"""Generated located citizens and hazard footprints, for the exposure benchmark and demos.

Registrations cluster around the cities where Vietnamese people abroad live, weighted
roughly by the size of each community (Japan, Korea and Taiwan first, then the United
States, Europe, Australia, South-East Asia, the Gulf), spread as a Gaussian of 10–40 km
around each city. 4% live far from any big city (spread 300 km around one, no city) and
0.5% are anywhere on earth (crews at sea and in remote places). Everything is numpy, so
six million take a few seconds.
"""

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from kieubao.crisis.spatial import Resident

KM_PER_DEGREE = 111.195

# (city, ISO country, lat, lon, weight, spread in km)
CITIES: tuple[tuple[str, str, float, float, float, float], ...] = (
    ("Tokyo", "JP", 35.68, 139.69, 14.0, 40),
    ("Osaka", "JP", 34.69, 135.50, 6.0, 30),
    ("Nagoya", "JP", 35.18, 136.91, 4.0, 25),
    ("Fukuoka", "JP", 33.59, 130.40, 2.0, 20),
    ("Hiroshima", "JP", 34.39, 132.46, 1.0, 15),
    ("Seoul", "KR", 37.57, 126.98, 8.0, 35),
    ("Busan", "KR", 35.18, 129.08, 2.0, 20),
    ("Taipei", "TW", 25.03, 121.57, 6.0, 25),
    ("Taoyuan", "TW", 24.99, 121.30, 2.5, 15),
    ("Taichung", "TW", 24.15, 120.67, 3.0, 20),
    ("Kaohsiung", "TW", 22.63, 120.30, 2.0, 20),
    ("Houston", "US", 29.76, -95.37, 3.0, 35),
    ("Dallas", "US", 32.78, -96.80, 1.0, 30),
    ("San Jose", "US", 37.34, -121.89, 3.0, 25),
    ("Orange County", "US", 33.72, -117.83, 5.0, 30),
    ("Seattle", "US", 47.61, -122.33, 1.5, 25),
    ("Washington", "US", 38.90, -77.04, 0.8, 30),
    ("Toronto", "CA", 43.65, -79.38, 1.5, 30),
    ("Montreal", "CA", 45.50, -73.57, 1.0, 25),
    ("Vancouver", "CA", 49.28, -123.12, 0.8, 20),
    ("Sydney", "AU", -33.87, 151.21, 2.5, 35),
    ("Melbourne", "AU", -37.81, 144.96, 2.5, 35),
    ("Auckland", "NZ", -36.85, 174.76, 0.3, 20),
    ("Suva", "FJ", -18.14, 178.44, 0.05, 10),
    ("Paris", "FR", 48.86, 2.35, 2.0, 30),
    ("London", "GB", 51.51, -0.13, 1.5, 30),
    ("Berlin", "DE", 52.52, 13.40, 2.0, 25),
    ("Leipzig", "DE", 51.34, 12.37, 0.7, 15),
    ("Prague", "CZ", 50.08, 14.44, 1.5, 20),
    ("Warsaw", "PL", 52.23, 21.01, 1.0, 20),
    ("Moscow", "RU", 55.76, 37.62, 1.5, 30),
    ("Kuala Lumpur", "MY", 3.14, 101.69, 1.0, 25),
    ("Singapore", "SG", 1.35, 103.82, 0.5, 10),
    ("Bangkok", "TH", 13.76, 100.50, 1.0, 30),
    ("Udon Thani", "TH", 17.41, 102.79, 0.5, 15),
    ("Vientiane", "LA", 17.97, 102.63, 0.8, 15),
    ("Phnom Penh", "KH", 11.56, 104.92, 1.5, 20),
    ("Dubai", "AE", 25.20, 55.27, 0.5, 20),
    ("Riyadh", "SA", 24.71, 46.68, 0.8, 20),
    ("Luanda", "AO", -8.84, 13.23, 0.3, 15),
)
STAY_STATUSES = ("resident", "worker", "student", "tourist", "crew", "undocumented", "unknown")
_STAY_WEIGHTS = (0.35, 0.25, 0.15, 0.05, 0.03, 0.02, 0.15)
CONSENT_SHARE = 0.7


@dataclass(frozen=True)
class Registrations:
    """Column arrays; `city` is -1 for citizens registered without a city."""

    ids: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    country: npt.NDArray[np.int64]  # index into `countries`
    city: npt.NDArray[np.int64]  # index into CITIES, or -1
    stay: npt.NDArray[np.int64]  # index into STAY_STATUSES
    consent: npt.NDArray[np.bool_]
    countries: tuple[str, ...]

    def residents(self) -> Iterator[Resident]:
        rows = zip(
            self.ids.tolist(),
            self.lat.tolist(),
            self.lon.tolist(),
            self.country.tolist(),
            self.city.tolist(),
            self.stay.tolist(),
            self.consent.tolist(),
            strict=True,
        )
        for i, la, lo, country, city, stay, consent in rows:
            name = CITIES[city][0] if city >= 0 else None
            yield Resident(i, la, lo, self.countries[country], name, STAY_STATUSES[stay], consent)


def _weights() -> npt.NDArray[np.float64]:
    w = np.array([c[4] for c in CITIES], dtype=np.float64)
    share: npt.NDArray[np.float64] = w / w.sum()
    return share


def _around(
    rng: np.random.Generator, lat: npt.NDArray[np.float64], lon: npt.NDArray[np.float64], km: Any
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    north = rng.normal(0.0, 1.0, len(lat)) * km / KM_PER_DEGREE
    new_lat = np.clip(lat + north, -89.9, 89.9)
    east = rng.normal(0.0, 1.0, len(lat)) * km / (KM_PER_DEGREE * np.cos(np.radians(new_lat)))
    new_lon = (lon + east + 180.0) % 360.0 - 180.0
    return new_lat, new_lon


def registrations(n: int, seed: int = 1) -> Registrations:
    """n located citizens with ids 1..n in an order unrelated to where they live."""
    rng = np.random.default_rng(seed)
    city = rng.choice(len(CITIES), size=n, p=_weights())
    table = np.array([(c[2], c[3], c[5]) for c in CITIES])
    countries = tuple(sorted({c[1] for c in CITIES}))
    code = np.array([countries.index(c[1]) for c in CITIES])
    country = code[city]
    far = rng.random(n) < 0.045
    spread = np.where(far, 300.0, table[city, 2])
    lat, lon = _around(rng, table[city, 0], table[city, 1], spread)
    anywhere = rng.random(n) < 0.005 / 0.045 * far  # 0.5% of all, among the far
    lat = np.where(anywhere, np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n))), lat)
    lon = np.where(anywhere, rng.uniform(-180.0, 180.0, n), lon)
    stay = rng.choice(len(STAY_STATUSES), size=n, p=_STAY_WEIGHTS)
    stay = np.where(anywhere, STAY_STATUSES.index("crew"), stay)
    return Registrations(
        ids=rng.permutation(n).astype(np.int64) + 1,
        lat=np.round(lat, 6),  # geocoders give about 10 cm
        lon=np.round(lon, 6),
        country=country.astype(np.int64),
        city=np.where(far, -1, city).astype(np.int64),
        stay=stay.astype(np.int64),
        consent=rng.random(n) < CONSENT_SHARE,
        countries=countries,
    )


def centres(rng: np.random.Generator, count: int, jitter_km: float) -> list[tuple[float, float]]:
    """Points near cities, drawn with the cities' population weights."""
    city = rng.choice(len(CITIES), size=count, p=_weights())
    lat0 = np.array([CITIES[c][2] for c in city])
    lon0 = np.array([CITIES[c][3] for c in city])
    lat, lon = _around(rng, lat0, lon0, jitter_km)
    return list(zip(lat.tolist(), lon.tolist(), strict=True))


def _ring(
    rng: np.random.Generator, lat: float, lon: float, vertices: int, km: tuple[float, float]
) -> list[list[float]]:
    # Evenly spaced bearings, jittered: an irregular star-shaped ring that never crosses.
    step = 2 * math.pi / vertices
    bearing = np.arange(vertices) * step + rng.uniform(-0.4, 0.4, vertices) * step
    reach = rng.uniform(*km, vertices) / KM_PER_DEGREE
    ring_lat = np.clip(lat + reach * np.sin(bearing), -89.0, 89.0)
    ring_lon = lon + reach * np.cos(bearing) / math.cos(math.radians(lat))
    ring = [
        [round(float(x), 6), round(float(y), 6)] for x, y in zip(ring_lon, ring_lat, strict=True)
    ]
    return [*ring, ring[0]]


def polygon_near(rng: np.random.Generator, lat: float, lon: float, hole: bool) -> dict[str, Any]:
    """A 12–40-vertex irregular polygon 300–600 km across, perhaps with a hole near its
    middle; kept within ±180° of longitude (planar, as the footprints read it)."""
    lon = min(max(lon, -175.0), 175.0)
    outer = _ring(rng, lat, lon, int(rng.integers(12, 41)), (150.0, 300.0))
    rings = [outer]
    if hole:
        off_lat, off_lon = _around(rng, np.array([lat]), np.array([lon]), 20.0)
        rings.append(_ring(rng, float(off_lat[0]), float(off_lon[0]), 8, (30.0, 60.0)))
    for ring in rings:
        for point in ring:
            point[0] = min(max(point[0], -180.0), 180.0)
    return {"type": "Polygon", "coordinates": rings}
