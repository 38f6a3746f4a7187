"""What the feed parsers hand back: typed, source-neutral reports of hazards."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kieubao.crisis.feeds.geometry import (
    BBox,
    Ring,
    circle_bbox,
    circle_ring,
    ring_bbox,
    union_bbox,
)


@dataclass(frozen=True, slots=True)
class Circle:
    lat: float
    lon: float
    radius_km: float

    @property
    def bbox(self) -> BBox:
        return circle_bbox(self.lat, self.lon, self.radius_km)


@dataclass(frozen=True, slots=True)
class Polygon:
    # GeoJSON order, (lon, lat); the first ring is the outer one, the rest are holes;
    # every ring is closed (its last point repeats its first).
    rings: tuple[Ring, ...]

    @property
    def bbox(self) -> BBox:
        return ring_bbox(self.rings[0])


@dataclass(frozen=True, slots=True)
class Footprint:
    """The area a hazard covers, and in one sentence how that area was arrived at."""

    circles: tuple[Circle, ...]
    polygons: tuple[Polygon, ...]
    rule: str

    def to_geojson(self) -> dict[str, Any]:
        """A MultiPolygon for drawing, circles approximated by 64-sided polygons."""
        coordinates = [[[list(p) for p in ring] for ring in poly.rings] for poly in self.polygons]
        coordinates += [
            [[list(p) for p in circle_ring(c.lat, c.lon, c.radius_km)]] for c in self.circles
        ]
        return {"type": "MultiPolygon", "coordinates": coordinates}

    @property
    def bbox(self) -> BBox | None:
        """(west, south, east, north) around every shape; None for a footprint of no shape."""
        return union_bbox([p.bbox for p in self.polygons] + [c.bbox for c in self.circles])


@dataclass(frozen=True, slots=True)
class Area:
    """One CAP <area>: its description, shapes and geocodes (valueName, value)."""

    description: str
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class InfoBlock:
    """One CAP <info> (one language's account of the hazard); for USGS and GDACS, one
    block built from the item's title and description."""

    language: str
    event: str
    headline: str | None
    description: str | None
    instruction: str | None
    severity: str | None
    urgency: str | None
    certainty: str | None
    categories: tuple[str, ...] = ()
    response_types: tuple[str, ...] = ()
    effective: datetime | None = None
    onset: datetime | None = None
    expires: datetime | None = None
    sender_name: str | None = None
    web: str | None = None
    event_codes: tuple[tuple[str, str], ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()
    areas: tuple[Area, ...] = ()


@dataclass(frozen=True, slots=True)
class HazardReport:
    source: str  # "usgs" | "gdacs" | "cap"
    external_id: str  # USGS id; GDACS f"{eventtype}{eventid}"; CAP f"{sender}/{identifier}"
    version: str  # USGS `updated`; GDACS episode id; CAP `sent`
    hazard_type: str  # one of hazards.HAZARD_TYPES
    title: str
    occurred_at: datetime  # aware, UTC
    updated_at: datetime  # aware, UTC
    lat: float | None
    lon: float | None
    magnitude: float | None
    alert_level: str | None  # green / yellow / orange / red
    severity: str | None  # CAP: Extreme / Severe / Moderate / Minor / Unknown
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2
    footprint: Footprint | None
    url: str | None
    message_type: str  # "alert" | "update" | "cancel"
    references: tuple[str, ...]  # external_ids of the items this one updates or cancels
    infos: tuple[InfoBlock, ...]
    raw_digest: str  # sha256 of the item's canonical bytes
    status: str = "actual"  # CAP <status>, lower case: actual, exercise, system, test, draft
    scope: str | None = None  # CAP <scope>: Public, Restricted, Private
    expires_at: datetime | None = None  # CAP: the latest <expires> of its <info> blocks


@dataclass(frozen=True, slots=True)
class CapLink:
    """An entry of a CAP index feed: where the full alert is, for the caller to fetch."""

    url: str
    entry_id: str
    updated: datetime | None
    title: str | None = None
    event: str | None = None  # from the index's cap: extension elements, when present
    severity: str | None = None
    expires: datetime | None = None


@dataclass(frozen=True, slots=True)
class Rejection:
    item: str  # the item's id, or "item 7" when it has none
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    kind: str  # "usgs" | "gdacs" | "cap"
    reports: tuple[HazardReport, ...]
    links: tuple[CapLink, ...]
    rejections: tuple[Rejection, ...]
    # What was repaired in the document as a whole (bytes in the wrong encoding, a cut-off
    # end), so that a person can see why a value looks odd.
    notes: tuple[str, ...] = field(default=())
